import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryRunStore } from '../../src/server/memory-run-store.js';
import { connectRunToResponse, framesFor } from '../../src/server/run-connection.js';
import { formatEvent } from '../../src/server/sse-writer.js';
import { BodyReader } from './helpers.js';

test('events are framed with <run>.<seq> ids; a stretch of tokens becomes one batch carrying the last id', () => {
  assert.equal(
    framesFor('r', [
      { seq: 1, event: 'thinking', data: { status: 'thinking' } },
      { seq: 2, event: 'token', data: { token: 'a' } },
      { seq: 3, event: 'token', data: { tokens: ['b', 'c'] } },
      { seq: 4, event: 'done', data: { status: 'completed' } },
    ]),
    'id: r.1\nevent: thinking\ndata: {"status":"thinking"}\n\n' +
      'id: r.3\nevent: token\ndata: {"tokens":["a","b","c"]}\n\n' +
      'id: r.4\nevent: done\ndata: {"status":"completed"}\n\n',
  );
});

test('a single pending token keeps the plain {token} shape', () => {
  assert.equal(
    framesFor('r', [{ seq: 7, event: 'token', data: { token: ' x' } }]),
    'id: r.7\nevent: token\ndata: {"token":" x"}\n\n',
  );
});

test(
  'a cursor past the log so far waits for the log to reach it, then sends only what follows',
  { timeout: 5000 },
  async () => {
    // With Redis a resume can land on an instance whose copy of the log is a moment behind the client's last id.
    const store = new MemoryRunStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { run } = (await store.open('r', async (g) => {
      g.append('token', { token: 'a' });
      await gate;
      for (const t of ['b', 'c', 'd']) g.append('token', { token: t });
    }))!;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.flushHeaders();
      connectRunToResponse(run, res, 3, { heartbeatMs: 0 });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const body = new BodyReader(res);
      await new Promise((r) => setTimeout(r, 50));
      release();
      assert.equal(
        await body.rest(),
        'id: r.4\nevent: token\ndata: {"token":"d"}\n\n' + 'id: r.5\nevent: done\ndata: {"status":"completed"}\n\n',
      );
    } finally {
      server.closeAllConnections();
      server.close();
      await store.close();
    }
  },
);

test('a client gone before its reader is attached leaves no reader behind', { timeout: 5000 }, async () => {
  const store = new MemoryRunStore();
  const { run } = (await store.open('r', () => new Promise(() => {})))!;
  let connected!: () => void;
  const done = new Promise<void>((r) => (connected = r));
  const server = createServer((_req, res) => {
    // As when opening a run takes a round trip to Redis: the client leaves before the reader is attached.
    res.once('close', () => {
      connectRunToResponse(run, res, 0, { heartbeatMs: 0 });
      connected();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const ctrl = new AbortController();
    const request = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { signal: ctrl.signal });
    await new Promise((r) => setTimeout(r, 50));
    ctrl.abort();
    await request.catch(() => {});
    await done;
    assert.equal(store.stats().readers, 0);
  } finally {
    server.close();
    await store.close();
  }
});

test('token frames are byte for byte what formatEvent writes, whatever the tokens hold', () => {
  const hostile = ['a\nb', 'c\r\nd', '\re', 'data: x', '\u2028\u2029', '"\\', '\0', '中文 🙂', ''];
  const events = hostile.map((token, i) => ({ seq: i + 1, event: 'token' as const, data: { token } }));
  for (let i = 0; i < events.length; i++) {
    const one = events[i]!;
    assert.equal(
      framesFor('r\n1', [one]),
      formatEvent({ id: `r1.${one.seq}`, event: 'token', data: JSON.stringify(one.data) }),
      `token ${JSON.stringify(one.data.token)}`,
    );
  }
  assert.equal(
    framesFor('r', events),
    formatEvent({ id: `r.${events.length}`, event: 'token', data: JSON.stringify({ tokens: hostile }) }),
  );
});

test('a flush window batches events logged in separate turns into one write; without one each leaves alone', async () => {
  // `flushMs` as a function is how the server's FLUSH_MS=auto plugs in (flush-window.ts); it is asked per schedule.
  async function framesWith(windowMs: number): Promise<{ body: string; asked: number }> {
    const store = new MemoryRunStore();
    let asked = 0;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { run } = (await store.open('r', async (g) => {
      await sleep(30); // the client is reading by then
      for (const t of ['a', 'b', 'c']) {
        g.append('token', { token: t });
        await sleep(5); // a turn of its own each; Node runs due timers in order, so all land within the window
      }
      await sleep(100);
    }))!;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.flushHeaders();
      connectRunToResponse(run, res, 0, { heartbeatMs: 0, flushMs: () => (asked++, windowMs) });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      return { body: await new BodyReader(res).rest(), asked };
    } finally {
      server.close();
      await store.close();
    }
  }
  const done = 'id: r.4\nevent: done\ndata: {"status":"completed"}\n\n';
  const batched = await framesWith(200);
  assert.equal(batched.body, 'id: r.3\nevent: token\ndata: {"tokens":["a","b","c"]}\n\n' + done);
  assert.ok(batched.asked >= 1);
  const alone = await framesWith(0);
  assert.equal(
    alone.body,
    ['a', 'b', 'c'].map((t, i) => `id: r.${i + 1}\nevent: token\ndata: {"token":"${t}"}\n\n`).join('') + done,
  );
});
