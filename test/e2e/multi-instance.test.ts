// End to end: two real server processes (`node dist/node/src/server/main.js`, what `npm start` runs) sharing one
// real redis-server, as two instances behind a load balancer would. A stream cut on instance A is resumed on
// instance B with Last-Event-ID and the answer arrives exactly once; Stop sent to B stops the run generating on A.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tokensOf } from '../../src/protocol.js';
import { BodyReader, eventually, parseFrames, postJson, type Frame } from '../server/helpers.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';

const mainJs = fileURLToPath(new URL('../../src/server/main.js', import.meta.url)); // dist/node/test/e2e → src
const QUESTION = 'How do I theme the widget?';
const T = { timeout: 30_000 };

interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** Starts one server process on a free port; resolves with the URL it prints. */
function startInstance(redisUrl: string): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainJs], {
      // A clean environment: only what this test means (no LLM_BASE_URL or PORT leaking in from the shell).
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', REDIS_URL: redisUrl, TOKEN_DELAY_MS: '15' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const m = /ai-chat demo server: (http:\/\/\S+)/.exec(output);
      if (m && output.includes('ai-chat runs: Redis at')) resolve({ url: m[1]!, child, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it listened:\n${output}`)));
  });
}

let redis: RedisServer;
let a: Instance;
let b: Instance;

before(async () => {
  redis = await startRedisServer();
  [a, b] = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
});

after(async () => {
  for (const i of [a, b]) {
    if (i && i.child.exitCode === null) {
      await new Promise((r) => (i.child.once('exit', r), i.child.kill('SIGTERM')));
    }
  }
  await redis?.stop();
});

const stream = (i: Instance) => new URL('/chat/stream', i.url).href;
const request = (message_id: string) => ({ conversation_id: 'c', message: QUESTION, message_id });
const textOf = (frames: Frame[]) =>
  frames
    .filter((f) => f.event === 'token')
    .flatMap((f) => tokensOf(JSON.parse(f.data!)))
    .join('');
const seqOf = (id: string) => Number(id.slice(id.lastIndexOf('.') + 1));

async function health(i: Instance): Promise<{ active_streams: number; runs_held: number; readers: number }> {
  return (await (await fetch(new URL('/healthz', i.url))).json()) as {
    active_streams: number;
    runs_held: number;
    readers: number;
  };
}

test('a stream cut on instance A resumes on instance B: the exact answer, once', T, async () => {
  const uncut = parseFrames(await (await postJson(stream(a), request('uncut-1'))).text());
  assert.equal(uncut.at(-1)?.event, 'done');
  const expected = textOf(uncut);
  assert.ok(expected.length > 100, 'a real answer to compare against');

  // Cut A's response after a few tokens (the client's socket is destroyed mid-answer).
  const ctrl = new AbortController();
  const first = new BodyReader(await postJson(stream(a), request('cut-1'), { signal: ctrl.signal }));
  const seen = await first.until((t) => (t.match(/event: token/g) ?? []).length >= 5);
  ctrl.abort();
  const applied = parseFrames(seen.slice(0, seen.lastIndexOf('\n\n') + 2)); // whole frames: what a client applied
  const lastId = applied.at(-1)!.id!;
  assert.match(lastId, /^cut-1\.\d+$/);
  assert.equal((await health(a)).active_streams, 1, 'A goes on generating with no reader (grace window)');

  const resumed = await postJson(stream(b), request('cut-1'), {
    headers: { 'content-type': 'application/json', 'last-event-id': lastId },
  });
  assert.equal(resumed.status, 200);
  const restReader = new BodyReader(resumed);
  await restReader.until((t) => t.includes('event: token'));
  const onB = await health(b);
  assert.equal(onB.active_streams, 0, 'B generates nothing: it reads A’s run from Redis');
  assert.equal(onB.readers, 1);
  const rest = parseFrames(await restReader.rest());
  const restIds = rest.filter((f) => f.id).map((f) => seqOf(f.id!));
  assert.ok(restIds[0]! > seqOf(lastId), `B continues after ${lastId}, not from the start (first id ${restIds[0]})`);
  assert.deepEqual(
    restIds,
    [...restIds].sort((x, y) => x - y),
    'ids ascend',
  );
  assert.equal(rest.at(-1)?.event, 'done');
  assert.equal(textOf(applied) + textOf(rest), expected, 'the uncut answer, every token exactly once');
  await eventually(async () => (await health(a)).active_streams === 0, 10_000);
});

test('Stop sent to instance B stops the run generating on instance A', T, async () => {
  const onA = new BodyReader(await postJson(stream(a), request('stop-1')));
  await onA.until((t) => t.includes('event: token'));
  assert.equal((await health(a)).active_streams, 1);
  const stop = await postJson(new URL('/chat/stop', b.url).href, { message_id: 'stop-1' });
  assert.deepEqual(await stop.json(), { ok: true, stopped: true });
  await eventually(async () => (await health(a)).active_streams === 0, 5000);
  const frames = parseFrames(await onA.rest());
  assert.equal(frames.at(-1)?.event, 'done');
  assert.deepEqual(JSON.parse(frames.at(-1)!.data!), { status: 'stopped' });
  const again = await postJson(new URL('/chat/stop', b.url).href, { message_id: 'stop-1' });
  assert.deepEqual(await again.json(), { ok: true, stopped: false }, 'already stopped');
});
