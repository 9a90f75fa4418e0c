// The structured log as an operator reads it: one JSON line per run with its outcome (completed, stopped,
// abandoned, error, and stopped by shutdown), tokens and duration; one per refused request; LOG_LEVEL filtering.
// Runs go through the real server on loopback; the sink captures exactly the lines stdout would get.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.js';
import { startChatServer, type RunningChatServer } from '../../src/server/chat-server.js';
import type { Responder } from '../../src/server/responder.js';
import { AccessLog } from '../../src/server/access-log.js';
import { BodyReader, makeRoot, postJson } from './helpers.js';

const T = { timeout: 10_000 };
const root = makeRoot();
after(() => root.remove());

type Line = Record<string, unknown>;

async function start(env: Record<string, string>, responder: Responder) {
  const lines: Line[] = [];
  const server: RunningChatServer = await startChatServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT: '0', ...env }),
    rootDir: root.dir,
    responder,
    logSink: (line) => {
      assert.ok(!line.includes('\n'), 'one line per entry');
      lines.push(JSON.parse(line) as Line);
    },
  });
  const url = (path: string) => new URL(path, server.url).href;
  const runLine = async (id: string): Promise<Line> => {
    for (let i = 0; i < 300; i++) {
      const found = lines.filter((l) => l.type === 'run' && l.run_id === id);
      if (found.length > 0) {
        assert.equal(found.length, 1, 'exactly one line per run');
        return found[0];
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no run line for ${id}: ${JSON.stringify(lines)}`);
  };
  return { server, lines, url, runLine };
}

/** Three token events, one of them a batch: five tokens. */
const fiveTokens: Responder = async function* () {
  yield { event: 'thinking', data: { status: 'thinking' } };
  yield { event: 'token', data: { token: 'a' } };
  yield { event: 'token', data: { tokens: ['b', 'c', 'd'] } };
  yield { event: 'token', data: { token: 'e' } };
};

/** One token, then silence until aborted. */
const hangs: Responder = async function* (_q, { signal }) {
  yield { event: 'token', data: { token: 'x' } };
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
};

test('a completed run: one JSON line with id, conversation, client, outcome, tokens and duration', T, async () => {
  const s = await start({}, fiveTokens);
  try {
    const res = await postJson(s.url('/chat/stream'), { conversation_id: 'conv-7', message: 'hi', message_id: 'm1' });
    await res.text();
    const line = await s.runLine('m1');
    assert.equal(typeof line.time, 'string');
    assert.ok(!Number.isNaN(Date.parse(line.time as string)));
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok((line.duration_ms as number) >= 0);
    const rest = { ...line };
    delete rest.time;
    delete rest.duration_ms;
    assert.deepEqual(rest, {
      level: 'info',
      type: 'run',
      run_id: 'm1',
      conversation_id: 'conv-7',
      client_ip: '127.0.0.1',
      outcome: 'completed',
      tokens: 5,
    });
    // Attaching again to the finished run replays it; it is still one run, one line.
    const again = await postJson(s.url('/chat/stream'), { conversation_id: 'conv-7', message: 'hi', message_id: 'm1' });
    await again.text();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.lines.filter((l) => l.run_id === 'm1').length, 1);
  } finally {
    await s.server.close();
  }
});

test('stopped by the client, abandoned by it (grace ran out), and stopped by shutdown', T, async () => {
  const s = await start({ RUN_GRACE_MS: '0' }, hangs);
  try {
    const stopped = await postJson(s.url('/chat/stream'), { conversation_id: 'c', message: 'hi', message_id: 's1' });
    await new BodyReader(stopped).until((t) => t.includes('event: token'));
    await postJson(s.url('/chat/stop'), { message_id: 's1' });
    const s1 = await s.runLine('s1');
    assert.equal(s1.outcome, 'stopped');
    assert.equal(s1.tokens, 1);

    const ctrl = new AbortController();
    const left = await postJson(
      s.url('/chat/stream'),
      { conversation_id: 'c', message: 'hi', message_id: 'a1' },
      { signal: ctrl.signal },
    );
    await new BodyReader(left).until((t) => t.includes('event: token'));
    ctrl.abort(); // no reader, RUN_GRACE_MS=0: the run is given up
    assert.equal((await s.runLine('a1')).outcome, 'abandoned');

    const open = await postJson(s.url('/chat/stream'), { conversation_id: 'c', message: 'hi', message_id: 'd1' });
    const reading = new BodyReader(open);
    await reading.until((t) => t.includes('event: token'));
    const lines = s.lines;
    await s.server.close();
    await reading.rest().catch(() => '');
    for (let i = 0; i < 100 && !lines.some((l) => l.run_id === 'd1'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lines.find((l) => l.run_id === 'd1')?.outcome, 'stopped');
  } finally {
    await s.server.close().catch(() => undefined);
  }
});

test('a stop for an unknown run leaves no mark that would mislabel a later run', T, async () => {
  const s = await start({ RUN_GRACE_MS: '0' }, hangs);
  try {
    const stop = await postJson(s.url('/chat/stop'), { message_id: 'later' });
    assert.deepEqual(await stop.json(), { ok: true, stopped: false });
    const ctrl = new AbortController();
    const res = await postJson(
      s.url('/chat/stream'),
      { conversation_id: 'c', message: 'hi', message_id: 'later' },
      { signal: ctrl.signal },
    );
    await new BodyReader(res).until((t) => t.includes('event: token'));
    ctrl.abort();
    assert.equal((await s.runLine('later')).outcome, 'abandoned');
  } finally {
    await s.server.close();
  }
});

test('LOG_LEVEL=warn keeps failed runs and 429s, drops completed runs and 4xx refusals', T, async () => {
  let fail = false;
  const s = await start({ LOG_LEVEL: 'warn', RATE_LIMIT: '2' }, async function* () {
    yield { event: 'token', data: { token: 'x' } };
    if (fail) throw new Error('boom');
  });
  try {
    await (await postJson(s.url('/chat/stream'), { conversation_id: 'c', message: 'hi', message_id: 'ok' })).text();
    fail = true;
    await (await postJson(s.url('/chat/stream'), { conversation_id: 'c', message: 'hi', message_id: 'bad' })).text();
    await (await fetch(s.url('/nope'))).text();
    await (await postJson(s.url('/chat/stream'), { conversation_id: 'c', message: 'hi', message_id: 'r' })).text();
    const line = await s.runLine('bad');
    assert.deepEqual([line.level, line.outcome, line.error], ['warn', 'error', 'boom']);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(s.lines.map((l) => `${String(l.type)} ${String(l.status ?? l.outcome)}`).sort(), [
      'rejected 429',
      'run error',
    ]);
  } finally {
    await s.server.close();
  }
  assert.throws(() => loadConfig({ LOG_LEVEL: 'debug' }), /LOG_LEVEL/);
});

test('lines carry an ISO time from the injected clock, and `off` writes nothing', () => {
  const lines: string[] = [];
  const log = new AccessLog({ sink: (l) => lines.push(l), now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
  log.rejected({ method: 'GET', path: '/x', status: 404, code: 'not_found', client_ip: '203.0.113.1' });
  assert.deepEqual(lines, [
    '{"time":"2026-01-02T03:04:05.000Z","level":"info","type":"rejected","method":"GET","path":"/x","status":404,' +
      '"code":"not_found","client_ip":"203.0.113.1"}',
  ]);
  const off = new AccessLog({ level: 'off', sink: (l) => lines.push(l) });
  off.failure({ method: 'GET', path: '/', client_ip: '', status: 500 }, new Error('x'));
  assert.equal(lines.length, 1);
});
