// The one test suite of the RunStore contract, run against every implementation (in memory in run-store.test.ts,
// Redis Streams on a real redis-server in redis-run-store.test.ts), in the manner of vercel/resumable-stream's
// shared `tests.ts`. It uses the interface only; what is specific to one store is tested beside it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  GeneratingRun,
  LoggedEvent,
  RunReader,
  RunStore,
  RunStoreOptions,
  RunView,
  Timers,
} from '../../src/server/run-store.js';

/** Makes a fresh, isolated store (the suite closes it). */
export type StoreFactory = (options?: RunStoreOptions) => Promise<RunStore>;

export function manualTimers() {
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

export function collector(): RunReader & { events: LoggedEvent[]; ended: number } {
  const c = {
    events: [] as LoggedEvent[],
    ended: 0,
    onEvent: (e: LoggedEvent) => void c.events.push(e),
    onEnd: () => void c.ended++,
  };
  return c;
}

/** Polls until `check()` holds, failing after `ms` (a deadline for a broken store, not a speed assertion). */
export async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A generation that waits for its abort; resolves `aborted` when it sees it. */
export function waitForAbort() {
  let aborted = false;
  const generate = (r: GeneratingRun) =>
    new Promise<void>((resolve) => r.signal.addEventListener('abort', () => ((aborted = true), resolve())));
  return { generate, aborted: () => aborted };
}

async function opened(store: RunStore, id: string, generate: (r: GeneratingRun) => Promise<void> | void) {
  const o = await store.open(id, generate);
  assert.ok(o, `run ${id} opened`);
  return o;
}

export function runStoreSuite(name: string, makeStore: StoreFactory): void {
  describe(`RunStore contract: ${name}`, () => {
    test('events get sequence numbers; a late reader replays after its cursor and then follows live', async () => {
      const store = await makeStore();
      try {
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const { run, started } = await opened(store, 'm1', async (r) => {
          r.append('thinking', { status: 'retrieving' });
          r.append('token', { token: 'a' });
          await gate;
          r.append('token', { token: 'b' });
          r.append('done', { status: 'completed' });
        });
        assert.equal(started, true);
        await until(() => run.lastSeq === 2);
        assert.deepEqual(
          run.eventsAfter(1).map((e) => [e.seq, e.event]),
          [[2, 'token']],
        );
        const reader = collector();
        run.attach(reader);
        release();
        await until(() => reader.ended === 1);
        assert.deepEqual(
          reader.events.map((e) => [e.seq, e.event]),
          [
            [3, 'token'],
            [4, 'done'],
          ],
        );
        assert.equal(run.status, 'completed');
        await until(() => store.stats().active === 0);
      } finally {
        await store.close();
      }
    });

    test('one generation per id: opening it again, even concurrently, reads the same run', async () => {
      const store = await makeStore();
      try {
        let generations = 0;
        const generate = async (r: GeneratingRun) => {
          generations += 1;
          r.append('token', { token: 'only' });
          await new Promise<void>((resolve) => r.signal.addEventListener('abort', () => resolve()));
        };
        const [a, b] = await Promise.all([opened(store, 'm1', generate), opened(store, 'm1', generate)]);
        const c = await opened(store, 'm1', generate);
        assert.equal(c.started, false, 'a later open attaches');
        await until(() => c.run.lastSeq === 1);
        for (const o of [a, b, c]) assert.deepEqual(o.run.eventsAfter(0)[0]!.data, { token: 'only' });
        assert.equal(generations, 1, 'never a second generation');
        assert.equal(await store.stop('m1'), true);
      } finally {
        await store.close();
      }
    });

    test('stop aborts the generation, logs done {status:"stopped"}, and active returns to 0', async () => {
      const store = await makeStore();
      try {
        const g = waitForAbort();
        const { run } = await opened(store, 'm1', g.generate);
        assert.equal(store.stats().active, 1);
        assert.equal(await store.stop('m1'), true);
        await until(() => g.aborted());
        assert.deepEqual(run.eventsAfter(0).at(-1), { seq: 1, event: 'done', data: { status: 'stopped' } });
        assert.equal(run.status, 'stopped');
        await until(() => store.stats().active === 0);
        assert.equal(await store.stop('m1'), false, 'stopping twice is a no-op');
        assert.equal(await store.stop('unknown'), false);
      } finally {
        await store.close();
      }
    });

    test('the last reader leaving starts the grace window; a reader returning cancels it', async () => {
      const clock = manualTimers();
      const store = await makeStore({ timers: clock.timers, graceMs: 1000 });
      try {
        const g = waitForAbort();
        const { run } = await opened(store, 'm1', g.generate);
        const detach = run.attach(collector());
        detach();
        assert.equal(clock.pending(), 1, 'grace timer armed');
        const detach2 = run.attach(collector());
        assert.equal(clock.pending(), 0, 'grace timer cleared by a returning reader');
        detach2();
        clock.fireAll();
        await until(() => run.status === 'stopped');
        assert.equal(g.aborted(), true, 'grace ran out: generation aborted');
      } finally {
        await store.close();
      }
    });

    test('a generation that throws fails the run with a plain-words error, no stack trace', async () => {
      const store = await makeStore();
      try {
        const { run } = await opened(store, 'm1', async () => {
          throw new Error('secret internal detail at /srv/app.js:12');
        });
        await until(() => run.status !== 'running');
        const last = run.eventsAfter(0).at(-1)!;
        assert.equal(last.event, 'error');
        assert.doesNotMatch(JSON.stringify(last.data), /secret|app\.js/);
        assert.equal(run.status, 'failed');
      } finally {
        await store.close();
      }
    });

    test('a run log is capped: past maxEventsPerRun the run fails instead of growing', async () => {
      const store = await makeStore({ maxEventsPerRun: 10 });
      try {
        const { run } = await opened(store, 'm1', (r) => {
          for (let i = 0; i < 100; i++) r.append('token', { token: 'x' });
        });
        await until(() => run.status !== 'running');
        assert.equal(run.lastSeq, 10);
        assert.equal(run.eventsAfter(0).at(-1)!.event, 'error');
        assert.equal(run.status, 'failed');
      } finally {
        await store.close();
      }
    });

    test('over maxActive a new run is refused, but the running one still opens', async () => {
      const store = await makeStore({ maxActive: 1 });
      try {
        await opened(store, 'a', waitForAbort().generate);
        assert.equal(await store.open('b', waitForAbort().generate), undefined, 'no room for a new run');
        assert.equal((await opened(store, 'a', waitForAbort().generate)).started, false, 'a held run is opened');
        await store.stop('a');
        await until(() => store.stats().active === 0);
        assert.equal((await opened(store, 'b', waitForAbort().generate)).started, true, 'room again');
        await store.stop('b');
      } finally {
        await store.close();
      }
    });

    test('stats count active runs, held runs and attached readers', async () => {
      const store = await makeStore();
      try {
        const { run } = await opened(store, 'm1', waitForAbort().generate);
        const detachA = run.attach(collector());
        run.attach(collector());
        assert.deepEqual(store.stats(), { active: 1, held: 1, readers: 2 });
        detachA();
        detachA(); // detaching twice counts once
        assert.equal(store.stats().readers, 1);
        await store.stop('m1');
        await until(() => store.stats().active === 0);
      } finally {
        await store.close();
      }
    });

    test('a reader attached to an ended run reads the whole log and is told nothing more', async () => {
      const store = await makeStore();
      try {
        const { run } = await opened(store, 'm1', (r) => {
          r.append('token', { token: 'a' });
        });
        await until(() => run.status === 'completed');
        const again: RunView = (await opened(store, 'm1', waitForAbort().generate)).run;
        assert.deepEqual(
          again.eventsAfter(0).map((e) => e.event),
          ['token', 'done'],
        );
        assert.deepEqual(again.eventsAfter(2), [], 'a cursor at the end reads nothing');
        assert.equal(again.status, 'completed');
      } finally {
        await store.close();
      }
    });
  });
}
