// Runs outlive connections: resume with Last-Event-ID, one generation per message_id, the grace window, and memory
// caps after many runs; then the same over Redis with two servers. Real sockets on loopback; the responder is a
// scripted one so timings are ours.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Responder } from '../../src/server/responder.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';
import { BodyReader, activeStreams, eventually, makeRoot, parseFrames, postJson, startServer } from './helpers.js';

const T = { timeout: 8000 };
// A real collection before each heap reading, or the figure measures garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const root = makeRoot();
after(() => root.remove());

const WORDS = Array.from({ length: 40 }, (_, i) => `w${i} `);

/** Forty tokens, 10 ms apart, counting how many generations were started. */
function countingResponder(): { responder: Responder; generations: () => number } {
  let generations = 0;
  const responder: Responder = async function* (_q, { signal }) {
    generations += 1;
    yield { event: 'thinking', data: { status: 'retrieving' } };
    for (const token of WORDS) {
      await new Promise((r) => setTimeout(r, 10));
      if (signal.aborted) return;
      yield { event: 'token', data: { token } };
    }
  };
  return { responder, generations: () => generations };
}

const tokensIn = (body: string) =>
  parseFrames(body)
    .filter((f) => f.event === 'token')
    .flatMap((f) => {
      const d = JSON.parse(f.data!) as { token?: string; tokens?: string[] };
      return d.tokens ?? [d.token!];
    });

describe('resume', () => {
  test('a dropped reader resumes with Last-Event-ID: the rest arrives exactly once, one generation', T, async () => {
    const { responder, generations } = countingResponder();
    const server = await startServer({}, root.dir, responder);
    const url = new URL('/chat/stream', server.url).href;
    const request = { conversation_id: 'c', message: 'q', message_id: 'run1' };
    try {
      const ctrl = new AbortController();
      const first = new BodyReader(await postJson(url, request, { signal: ctrl.signal }));
      const seen = await first.until((t) => (t.match(/event: token/g) ?? []).length >= 5);
      ctrl.abort();
      // Keep only whole frames: what a client would have applied.
      const applied = parseFrames(seen.slice(0, seen.lastIndexOf('\n\n') + 2));
      const lastId = applied.at(-1)!.id!;
      assert.match(lastId, /^run1\.\d+$/);

      await new Promise((r) => setTimeout(r, 80)); // the run keeps generating while nobody reads
      const resumed = await postJson(url, request, {
        headers: { 'content-type': 'application/json', 'last-event-id': lastId },
      });
      assert.equal(resumed.status, 200);
      const rest = await new BodyReader(resumed).rest();
      const restFrames = parseFrames(rest).filter((f) => f.id);
      assert.ok(Number(restFrames[0]!.id!.split('.')[1]) > Number(lastId.split('.')[1]), 'starts after the last id');
      assert.deepEqual([...tokensIn(applied.map((f) => f.raw).join('')), ...tokensIn(rest)], WORDS, 'exact, once');
      assert.equal(parseFrames(rest).at(-1)!.event, 'done');
      assert.equal(generations(), 1, 'never a second generation');
    } finally {
      await server.close();
    }
  });

  test('two concurrent POSTs with the same message_id share one generation and get the same answer', T, async () => {
    const { responder, generations } = countingResponder();
    const server = await startServer({}, root.dir, responder);
    const url = new URL('/chat/stream', server.url).href;
    const request = { conversation_id: 'c', message: 'q', message_id: 'twice' };
    try {
      const [a, b] = await Promise.all([postJson(url, request), postJson(url, request)]);
      const [bodyA, bodyB] = await Promise.all([new BodyReader(a).rest(), new BodyReader(b).rest()]);
      assert.deepEqual(tokensIn(bodyA), WORDS);
      assert.deepEqual(tokensIn(bodyB), WORDS);
      assert.equal(generations(), 1);
    } finally {
      await server.close();
    }
  });

  test('disconnect is not cancel: generation goes on through the grace window, then is aborted', T, async () => {
    let aborted = false;
    const server = await startServer({ RUN_GRACE_MS: '300' }, root.dir, async function* (_q, { signal }) {
      signal.addEventListener('abort', () => (aborted = true));
      yield { event: 'thinking', data: { status: 'retrieving' } };
      await new Promise((r) => signal.addEventListener('abort', r));
    });
    try {
      const ctrl = new AbortController();
      const res = await postJson(
        new URL('/chat/stream', server.url).href,
        { conversation_id: 'c', message: 'q', message_id: 'g1' },
        { signal: ctrl.signal },
      );
      await new BodyReader(res).until((t) => t.includes('event: thinking'));
      ctrl.abort();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await activeStreams(server.url), 1, 'still generating inside the grace window');
      assert.equal(aborted, false);
      await eventually(async () => (await activeStreams(server.url)) === 0, 2000);
      assert.equal(aborted, true, 'aborted once the grace window ran out');
    } finally {
      await server.close();
    }
  });

  test('POST /chat/stop aborts a run at once, even with no reader attached', T, async () => {
    const { responder } = countingResponder();
    const server = await startServer({ RUN_GRACE_MS: '60000' }, root.dir, responder);
    try {
      const ctrl = new AbortController();
      const res = await postJson(
        new URL('/chat/stream', server.url).href,
        { conversation_id: 'c', message: 'q', message_id: 's1' },
        { signal: ctrl.signal },
      );
      await new BodyReader(res).until((t) => t.includes('event: token'));
      ctrl.abort();
      const stop = await postJson(new URL('/chat/stop', server.url).href, { message_id: 's1' });
      assert.deepEqual(await stop.json(), { ok: true, stopped: true });
      await eventually(async () => (await activeStreams(server.url)) === 0, 1000);
    } finally {
      await server.close();
    }
  });

  test('10,000 finished runs leave memory within the caps', { timeout: 60_000 }, async (t) => {
    const server = await startServer({ MAX_STREAMS: '1000' }, root.dir, async function* () {
      yield { event: 'token', data: { token: 'x'.repeat(100) } };
    });
    const url = new URL('/chat/stream', server.url).href;
    try {
      const batch = async (from: number) => {
        await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const res = await postJson(url, { conversation_id: 'c', message: 'q', message_id: `m${from + i}` });
            await res.text();
          }),
        );
      };
      for (let i = 0; i < 1000; i += 100) await batch(i);
      gc();
      const heapAfter1k = process.memoryUsage().heapUsed;
      for (let i = 1000; i < 10_000; i += 100) await batch(i);
      gc();
      const heapAfter10k = process.memoryUsage().heapUsed;
      const health = (await (await fetch(new URL('/healthz', server.url))).json()) as Record<string, number>;
      t.diagnostic(
        `heap after 1,000 runs ${(heapAfter1k / 2 ** 20).toFixed(1)} MB, after 10,000 ${(heapAfter10k / 2 ** 20).toFixed(1)} MB; runs held ${health.runs_held}`,
      );
      assert.equal(health.active_streams, 0);
      assert.ok(health.runs_held <= 1000, `runs held ${health.runs_held} within the 1000-run cap`);
      // Test process and server share a heap here; a leak of 9,000 runs' logs would show as tens of MB.
      assert.ok(heapAfter10k - heapAfter1k < 20 * 1024 * 1024, `heap grew ${(heapAfter10k - heapAfter1k) >> 20} MB`);
    } finally {
      await server.close();
    }
  });
});

/** 4,000 tokens of 1 KiB as fast as the run can log them: megabytes more than a socket buffers. */
const flood: Responder = async function* () {
  for (let i = 0; i < 4000; i++) {
    yield { event: 'token', data: { token: `${String(i).padStart(5, '0')}${'x'.repeat(1019)}` } };
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
};

/** A raw client that sends the POST and then reads nothing until told to. */
function pausedClient(url: string, messageId: string) {
  const { port } = new URL(url);
  const body = JSON.stringify({ conversation_id: 'c', message: 'q', message_id: messageId });
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.write(
    `POST /chat/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.pause();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((r) => socket.on('close', () => r()));
  return { socket, ended, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('slow readers and the stream cap', () => {
  test('a reader that falls behind catches up with the backlog coalesced, every token once, in order', T, async () => {
    const server = await startServer({ RUN_GRACE_MS: '5000', DRAIN_TIMEOUT_MS: '5000' }, root.dir, flood);
    try {
      const client = pausedClient(server.url, 'slow1');
      await new Promise((r) => setTimeout(r, 400)); // the run finishes while this reader is blocked
      client.socket.resume();
      await client.ended.catch(() => {});
      await eventually(async () => client.text().includes('event: done'), 5000);
      const raw = client.text();
      const sse = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, ''); // drop chunk framing
      const tokens = tokensIn(sse.replace(/^[0-9a-f]+\r\n/, ''));
      assert.equal(tokens.length, 4000);
      assert.ok(
        tokens.every((t, i) => t.startsWith(String(i).padStart(5, '0'))),
        'in order, none lost or repeated',
      );
      assert.match(sse, /data: \{"tokens":\[/, 'the backlog arrived as {tokens:[...]} batches');
    } finally {
      await server.close();
    }
  });

  test('a reader that does not drain within DRAIN_TIMEOUT_MS is dropped; the run is unaffected', T, async () => {
    const server = await startServer({ RUN_GRACE_MS: '5000', DRAIN_TIMEOUT_MS: '200' }, root.dir, flood);
    try {
      const client = pausedClient(server.url, 'stuck1');
      await eventually(async () => {
        const h = (await (await fetch(new URL('/healthz', server.url))).json()) as Record<string, number>;
        return h.runs_held === 1 && h.readers === 0;
      }, 4000);
      client.socket.destroy();
      // The run itself completed and can still be resumed by its client.
      const again = await postJson(new URL('/chat/stream', server.url).href, {
        conversation_id: 'c',
        message: 'q',
        message_id: 'stuck1',
      });
      assert.equal(tokensIn(await again.text()).length, 4000);
    } finally {
      await server.close();
    }
  });

  test('over MAX_STREAMS a new run gets 503, but a resume of a held run is admitted', T, async () => {
    const { responder } = countingResponder();
    const server = await startServer({ MAX_STREAMS: '1' }, root.dir, responder);
    const url = new URL('/chat/stream', server.url).href;
    try {
      const first = await postJson(url, { conversation_id: 'c', message: 'q', message_id: 'cap1' });
      const firstBody = new BodyReader(first);
      await firstBody.until((t) => t.includes('event: thinking'));
      const other = await postJson(url, { conversation_id: 'c', message: 'q', message_id: 'cap2' });
      assert.equal(other.status, 503);
      assert.equal(other.headers.get('retry-after'), '1');
      assert.equal(((await other.json()) as { code: string }).code, 'busy');
      const resume = await postJson(url, { conversation_id: 'c', message: 'q', message_id: 'cap1' });
      assert.equal(resume.status, 200);
      assert.deepEqual(tokensIn(await resume.text()), WORDS);
      await firstBody.rest();
    } finally {
      await server.close();
    }
  });
});

describe('with Redis: two servers in this process sharing one real redis-server', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.stop();
  });

  test('a slow reader on the instance that does not generate catches up, coalesced, every token once', T, async () => {
    const env = { REDIS_URL: redis.url, RUN_GRACE_MS: '5000', DRAIN_TIMEOUT_MS: '5000' };
    const [a, b] = await Promise.all([startServer(env, root.dir, flood), startServer(env, root.dir, flood)]);
    try {
      const ctrl = new AbortController();
      const started = await postJson(
        new URL('/chat/stream', a.url).href,
        { conversation_id: 'c', message: 'q', message_id: 'slow-r1' },
        { signal: ctrl.signal },
      );
      await new BodyReader(started).until((t) => t.includes('event: token'));
      ctrl.abort(); // A goes on generating; the client comes back on B and then reads slowly
      const client = pausedClient(b.url, 'slow-r1');
      await new Promise((r) => setTimeout(r, 400));
      client.socket.resume();
      await eventually(async () => client.text().includes('event: done'), 5000);
      client.socket.destroy();
      const raw = client.text();
      const sse = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '');
      const tokens = tokensIn(sse.replace(/^[0-9a-f]+\r\n/, ''));
      assert.equal(tokens.length, 4000);
      assert.ok(
        tokens.every((t, i) => t.startsWith(String(i).padStart(5, '0'))),
        'in order, none lost or repeated',
      );
      assert.match(sse, /data: \{"tokens":\[/, 'the backlog arrived as {tokens:[...]} batches');
      const health = (await (await fetch(new URL('/healthz', b.url))).json()) as Record<string, number>;
      assert.equal(health.active_streams, 0, 'B never generated');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('Redis going away: the open stream ends with an error event, a new question gets 503', T, async () => {
    const { responder } = countingResponder();
    const server = await startServer({ REDIS_URL: redis.url }, root.dir, responder);
    const url = new URL('/chat/stream', server.url).href;
    try {
      const open = new BodyReader(await postJson(url, { conversation_id: 'c', message: 'q', message_id: 'down1' }));
      await open.until((t) => t.includes('event: token'));
      await redis.kill();
      const frames = parseFrames(await open.rest());
      assert.equal(frames.at(-1)?.event, 'error');
      assert.match(frames.at(-1)!.data!, /run store was lost/);
      const refused = await postJson(url, { conversation_id: 'c', message: 'q', message_id: 'down2' });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.deepEqual(await refused.json(), {
        error: 'The server cannot reach its run store. Please try again.',
        code: 'busy',
      });
      const health = await fetch(new URL('/healthz', server.url));
      assert.equal(health.status, 200, '/healthz still answers');
      await eventually(async () => (await activeStreams(server.url)) === 0);
    } finally {
      await redis.restart();
      await server.close();
    }
  });
});
