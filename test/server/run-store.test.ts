import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStore, RunStatus, type LoggedEvent, type RunReader, type Timers } from '../../src/server/run-store.js';

function manualTimers() {
  let nextId = 1;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    setTimeout(fn) {
      const id = nextId++;
      pending.set(id, fn);
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  const fireAll = () => {
    const fns = [...pending.values()];
    pending.clear();
    for (const fn of fns) fn();
  };
  return { timers, fireAll, pending: () => pending.size };
}

function collector(): RunReader & { events: LoggedEvent[]; ended: number } {
  const c = {
    events: [] as LoggedEvent[],
    ended: 0,
    onEvent: (e: LoggedEvent) => void c.events.push(e),
    onEnd: () => void c.ended++,
  };
  return c;
}

const tick = () => new Promise((r) => setImmediate(r));

test('events get sequence numbers; a late reader replays after its cursor and then follows live', async () => {
  const store = new RunStore();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const run = store.start('m1', async (r) => {
    r.append('thinking', { status: 'retrieving' });
    r.append('token', { token: 'a' });
    await gate;
    r.append('token', { token: 'b' });
    r.append('done', { status: 'completed' });
  })!;
  assert.deepEqual(
    run.eventsAfter(1).map((e) => e.seq),
    [2],
  );
  const reader = collector();
  run.attach(reader);
  release();
  await tick();
  assert.deepEqual(
    reader.events.map((e) => [e.seq, e.event]),
    [
      [3, 'token'],
      [4, 'done'],
    ],
  );
  assert.equal(reader.ended, 1);
  assert.equal(run.status, RunStatus.completed);
  assert.equal(store.activeCount, 0);
  store.close();
});

test('the same id cannot start a second generation', () => {
  const store = new RunStore();
  store.start('m1', () => new Promise(() => {}));
  assert.throws(() => store.start('m1', async () => {}), /exists/);
  store.close();
});

test('stop aborts the generation signal at once and logs done {status:"stopped"}', async () => {
  const store = new RunStore();
  let aborted = false;
  const run = store.start(
    'm1',
    (r) => new Promise<void>((resolve) => r.signal.addEventListener('abort', () => ((aborted = true), resolve()))),
  )!;
  assert.equal(store.activeCount, 1);
  assert.equal(store.stop('m1'), true);
  assert.equal(aborted, true);
  assert.deepEqual(run.eventsAfter(0).at(-1), { seq: 1, event: 'done', data: { status: 'stopped' } });
  assert.equal(store.activeCount, 0);
  assert.equal(store.stop('m1'), false, 'stopping twice is a no-op');
  assert.equal(store.stop('unknown'), false);
  store.close();
});

test('the last reader leaving starts the grace window; a reader returning cancels it', () => {
  const clock = manualTimers();
  const store = new RunStore({ timers: clock.timers, graceMs: 1000 });
  const run = store.start('m1', () => new Promise(() => {}))!;
  const detach = run.attach(collector());
  detach();
  assert.equal(clock.pending(), 1, 'grace timer armed');
  const detach2 = run.attach(collector());
  assert.equal(clock.pending(), 0, 'grace timer cleared by a returning reader');
  detach2();
  clock.fireAll();
  assert.equal(run.status, RunStatus.stopped, 'grace ran out: generation aborted');
  assert.equal(run.signal.aborted, true);
});

test('a generation that throws fails the run with a plain-words error, no stack trace', async () => {
  const store = new RunStore();
  const run = store.start('m1', async () => {
    throw new Error('secret internal detail at /srv/app.js:12');
  })!;
  await tick();
  const last = run.eventsAfter(0).at(-1)!;
  assert.equal(last.event, 'error');
  assert.doesNotMatch(JSON.stringify(last.data), /secret|app\.js/);
  assert.equal(run.status, RunStatus.failed);
  store.close();
});

test('a run log is capped: past maxEventsPerRun the run fails instead of growing', () => {
  const store = new RunStore({ maxEventsPerRun: 10 });
  const run = store.start('m1', (r) => {
    for (let i = 0; i < 100; i++) r.append('token', { token: 'x' });
  })!;
  assert.equal(run.lastSeq, 10);
  assert.equal(run.eventsAfter(0).at(-1)!.event, 'error');
  assert.equal(run.status, RunStatus.failed);
  store.close();
});

test('finished runs are freed after the TTL, and evicted oldest first at maxRuns', async () => {
  const clock = manualTimers();
  const store = new RunStore({ timers: clock.timers, maxRuns: 2 });
  store.start('a', () => {});
  await tick();
  store.start('b', () => new Promise(() => {}));
  store.start('c', () => new Promise(() => {}));
  assert.equal(store.get('a'), undefined, 'finished run a evicted to make room');
  assert.equal(
    store.start('d', () => {}),
    undefined,
    'full of running runs: refused',
  );
  store.stop('b');
  clock.fireAll();
  assert.equal(store.get('b'), undefined, 'freed after its TTL');
  assert.equal(store.size, 1);
  store.close();
});

test('10,000 finished runs stay within maxRuns', async () => {
  const store = new RunStore({ maxRuns: 500 });
  for (let i = 0; i < 10_000; i++) {
    store.start(`m${i}`, (r) => {
      r.append('token', { token: 'hello' });
    });
    if (i % 1000 === 0) await tick();
  }
  await tick();
  assert.ok(store.size <= 500, `held ${store.size}`);
  assert.equal(store.activeCount, 0);
  store.close();
});
