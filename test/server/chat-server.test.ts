// The companion server over real loopback sockets: routes, exact SSE bytes, validation, heartbeats, stop,
// disconnects and the concurrency cap. No mocks: a responder is only swapped where a test needs a silent or
// failing generation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import type { Responder } from '../../src/server/responder.js';
import { Limits } from '../../src/protocol.js';
import { activeStreams, eventually, makeRoot, parseFrames, postJson, BodyReader, startServer } from './helpers.js';

/** A hung stream fails its test instead of hanging the suite. */
const T = { timeout: 5000 };

const root = makeRoot({ bundle: true });
after(() => root.remove());

/** Says "thinking", then stays silent until aborted (a model that thinks for a long time). */
const silentResponder: Responder = async function* (_question, { signal }) {
  yield { event: 'thinking', data: { status: 'thinking' } };
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
};

describe('routes', () => {
  let server: RunningChatServer;
  before(async () => {
    server = await startServer({}, root.dir);
  });
  after(() => server.close());
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

  test('the demo page, bundle, demo assets and docs are served with their types and security headers', T, async () => {
    const cases: [string, string, string][] = [
      ['/', 'text/html; charset=utf-8', '<!doctype html><title>demo</title>'],
      ['/ai-chat.js', 'text/javascript; charset=utf-8', 'export {};'],
      ['/demo/demo.css', 'text/css; charset=utf-8', 'body { margin: 0; }'],
      ['/README.md', 'text/markdown; charset=utf-8', '# Project'],
      ['/docs/theming.md', 'text/markdown; charset=utf-8', '# Theming the widget'],
    ];
    for (const [path, type, start] of cases) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.ok(res.headers.get('referrer-policy'), path);
      assert.ok((await res.text()).startsWith(start), path);
    }
  });

  test('healthz reports no active streams when idle', T, async () => {
    const res = await get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, active_streams: 0, runs_held: 0, readers: 0 });
  });

  test('unknown routes and files outside the allowlist are 404 JSON', T, async () => {
    for (const path of [
      '/nope',
      '/docs/missing.md',
      '/docs/..%2Fsecret.txt',
      '/docs/../secret.txt',
      '/demo/.hidden',
      '/secret.txt',
      '/docs/theming.txt',
    ]) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, 'not_found', path);
      assert.equal(typeof body.error, 'string', path);
    }
  });

  test('a missing built bundle is a 404 JSON naming the build step', T, async () => {
    const bare = makeRoot();
    const other = await startServer({}, bare.dir);
    try {
      const res = await fetch(new URL('/ai-chat.js', other.url));
      assert.equal(res.status, 404);
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, 'not_found');
      assert.match(body.error, /npm run build/);
    } finally {
      await other.close();
      bare.remove();
    }
  });

  test('a wrong method on a known route is 405 with Allow', T, async () => {
    let res = await get('/chat/stream');
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal(((await res.json()) as { code: string }).code, 'method_not_allowed');
    res = await postJson(new URL('/healthz', server.url).href, {});
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    await res.body?.cancel();
  });
});

describe('POST /chat/stream', () => {
  let server: RunningChatServer;
  let stream: string;
  before(async () => {
    server = await startServer({}, root.dir);
    stream = new URL('/chat/stream', server.url).href;
  });
  after(() => server.close());

  test('streams exact SSE frames with <message_id>.<seq> ids and the SSE headers', T, async () => {
    const res = await postJson(stream, {
      conversation_id: 'c1',
      message: 'How do I theme the widget?',
      message_id: 'm1',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    // `no-transform`: no proxy or CDN may recompress (and so buffer) the stream (RFC 9111 §5.2.2.6).
    assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
    assert.equal(res.headers.get('connection'), 'keep-alive');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const body = await res.text();
    const frames = parseFrames(body);
    assert.equal(
      frames[0].raw,
      'id: m1.1\nevent: thinking\ndata: {"status":"retrieving","message":"Searching the docs…"}\n\n',
    );
    assert.ok(body.startsWith(frames[0].raw), 'nothing precedes the first frame');
    assert.equal(
      frames[1].raw,
      'id: m1.2\nevent: sources\ndata: {"count":3,"sources":[' +
        '{"title":"theming.md › Theming the widget","url":"/docs/theming.md#theming-the-widget",' +
        '"snippet":"You theme the widget with CSS custom properties and the ::part() selector."},' +
        '{"title":"theming.md › Parts","url":"/docs/theming.md#parts",' +
        '"snippet":"Style ai-chat::part(input) to change the input."},' +
        '{"title":"theming.md › Custom properties","url":"/docs/theming.md#custom-properties",' +
        '"snippet":"Set --ai-chat-accent on the element to change the accent colour."}]}\n\n',
    );
    assert.equal(frames[2].raw, 'id: m1.3\nevent: token\ndata: {"token":"From"}\n\n');
    assert.deepEqual(
      frames.map((f) => f.id),
      frames.map((_, i) => `m1.${i + 1}`),
    );
    assert.equal(frames.at(-1)!.raw, `id: m1.${frames.length}\nevent: done\ndata: {"status":"completed"}\n\n`);
    const text = frames
      .filter((f) => f.event === 'token')
      .map((f) => (JSON.parse(f.data!) as { token: string }).token)
      .join('');
    assert.equal(
      text,
      'From **theming.md › Theming the widget**:\n\nYou theme the widget with CSS custom properties and the `::part()` selector.',
    );
    await eventually(async () => (await activeStreams(server.url)) === 0);
  });

  test('the same question twice streams identical tokens; a missing message_id gets a UUID', T, async () => {
    const tokens = async () => {
      const res = await postJson(stream, { conversation_id: 'c', message: 'What events does the server send?' });
      const frames = parseFrames(await res.text());
      assert.match(frames[0].id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.1$/);
      return frames.filter((f) => f.event === 'token').map((f) => f.data);
    };
    const first = await tokens();
    assert.ok(first.length > 5);
    assert.deepEqual(await tokens(), first);
  });

  test('bad requests get 4xx JSON before any SSE byte and the server keeps serving', T, async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['invalid JSON', { body: '{"message": ' }, 400, 'invalid_json'],
      ['missing message', { body: JSON.stringify({ conversation_id: 'c' }) }, 400, 'bad_request'],
      ['empty message', { body: JSON.stringify({ conversation_id: 'c', message: '  ' }) }, 400, 'bad_request'],
      [
        'message too long',
        { body: JSON.stringify({ conversation_id: 'c', message: 'x'.repeat(Limits.maxMessageLength + 1) }) },
        400,
        'bad_request',
      ],
      ['missing conversation_id', { body: JSON.stringify({ message: 'hi' }) }, 400, 'bad_request'],
      ['non-object body', { body: '[1,2]' }, 400, 'bad_request'],
      [
        'message_id that could break a frame',
        { body: JSON.stringify({ conversation_id: 'c', message: 'hi', message_id: 'a\nb' }) },
        400,
        'bad_request',
      ],
      [
        'wrong content type',
        { body: JSON.stringify({ conversation_id: 'c', message: 'hi' }), headers: { 'content-type': 'text/plain' } },
        415,
        'unsupported_media_type',
      ],
      [
        'body over 64 KB',
        { body: JSON.stringify({ conversation_id: 'c', message: 'x'.repeat(Limits.maxBodyBytes) }) },
        413,
        'payload_too_large',
      ],
    ];
    for (const [name, init, status, code] of cases) {
      const res = await postJson(stream, init.body, init);
      assert.equal(res.status, status, name);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8', name);
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, code, name);
      assert.doesNotMatch(body.error, /at .*\.js|Error:/, `${name}: no stack trace`);
    }
    // A chunked upload (no Content-Length) over the limit is cut off while reading, too.
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(20_000).fill(120));
        c.close();
      },
    });
    const res = await fetch(stream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    await res.body?.cancel();

    const ok = await postJson(stream, { conversation_id: 'c', message: 'theme' });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /event: done\ndata: \{"status":"completed"\}\n\n$/);
  });

  test('a responder failure becomes an error event in plain words, then the stream ends', T, async () => {
    const failing = await startServer({}, root.dir, async function* () {
      yield { event: 'thinking', data: { status: 'thinking' } };
      throw new Error('secret internal detail');
    });
    try {
      const res = await postJson(new URL('/chat/stream', failing.url).href, {
        conversation_id: 'c',
        message: 'hi',
        message_id: 'e1',
      });
      assert.equal(
        await res.text(),
        'id: e1.1\nevent: thinking\ndata: {"status":"thinking"}\n\n' +
          'id: e1.2\nevent: error\ndata: {"error":"The answer failed on the server.","code":"internal_error"}\n\n',
      );
      assert.equal(await activeStreams(failing.url), 0);
    } finally {
      await failing.close();
    }
  });
});

describe('heartbeats, stop, disconnect and the stream cap', () => {
  test('a silent stream gets timer-based comment heartbeats', T, async () => {
    const server = await startServer({ HEARTBEAT_MS: '40', RUN_GRACE_MS: '0' }, root.dir, silentResponder);
    try {
      const ctrl = new AbortController();
      const res = await postJson(
        new URL('/chat/stream', server.url).href,
        { conversation_id: 'c', message: 'hi', message_id: 'h1' },
        { signal: ctrl.signal },
      );
      const text = await new BodyReader(res).until((t) => t.split(': heartbeat\n\n').length > 3);
      ctrl.abort();
      assert.ok(text.startsWith('id: h1.1\nevent: thinking\ndata: {"status":"thinking"}\n\n: heartbeat\n\n'), text);
      assert.match(text, /^(id: h1\.1\nevent: thinking\ndata: \{"status":"thinking"\}\n\n)(: heartbeat\n\n){3}$/);
      await eventually(async () => (await activeStreams(server.url)) === 0);
    } finally {
      await server.close();
    }
  });

  test('stop ends the run with done stopped and active_streams returns to 0', T, async () => {
    const server = await startServer({ TOKEN_DELAY_MS: '20' }, root.dir);
    try {
      const res = await postJson(new URL('/chat/stream', server.url).href, {
        conversation_id: 'c',
        message: 'theme widget',
        message_id: 's1',
      });
      const body = new BodyReader(res);
      await body.until((t) => t.includes('event: token'));
      assert.equal(await activeStreams(server.url), 1);
      const stop = await postJson(new URL('/chat/stop', server.url).href, { message_id: 's1' });
      assert.deepEqual(await stop.json(), { ok: true, stopped: true });
      const frames = parseFrames(await body.rest());
      const last = frames.at(-1)!;
      assert.equal(last.event, 'done');
      assert.equal(last.data, '{"status":"stopped"}');
      assert.ok(frames.filter((f) => f.event === 'token').length < 10, 'the answer was cut short');
      await eventually(async () => (await activeStreams(server.url)) === 0);

      const again = await postJson(new URL('/chat/stop', server.url).href, { message_id: 's1' });
      assert.deepEqual(await again.json(), { ok: true, stopped: false });
      const unknown = await postJson(new URL('/chat/stop', server.url).href, { message_id: 'nope' });
      assert.deepEqual(await unknown.json(), { ok: true, stopped: false });
      const bad = await postJson(new URL('/chat/stop', server.url).href, { id: 's1' });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { code: string }).code, 'bad_request');
    } finally {
      await server.close();
    }
  });

  test('with RUN_GRACE_MS=0 a client that disconnects mid-stream aborts the generation', T, async () => {
    let aborted = false;
    const server = await startServer({ RUN_GRACE_MS: '0' }, root.dir, async function* (q, ctx) {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      yield* silentResponder(q, ctx);
    });
    try {
      const ctrl = new AbortController();
      const res = await postJson(
        new URL('/chat/stream', server.url).href,
        { conversation_id: 'c', message: 'hi' },
        { signal: ctrl.signal },
      );
      await new BodyReader(res).until((t) => t.includes('event: thinking'));
      assert.equal(await activeStreams(server.url), 1);
      ctrl.abort();
      await eventually(async () => (await activeStreams(server.url)) === 0);
      assert.equal(aborted, true);
    } finally {
      await server.close();
    }
  });

  test('over MAX_STREAMS the next request gets 503 with Retry-After, and succeeds once a slot frees', T, async () => {
    const server = await startServer({ MAX_STREAMS: '1' }, root.dir, silentResponder);
    const stream = new URL('/chat/stream', server.url).href;
    try {
      const first = await postJson(stream, { conversation_id: 'c', message: 'hi', message_id: 'a1' });
      const firstBody = new BodyReader(first);
      await firstBody.until((t) => t.includes('event: thinking'));
      const second = await postJson(stream, { conversation_id: 'c', message: 'hi', message_id: 'a2' });
      assert.equal(second.status, 503);
      assert.equal(second.headers.get('retry-after'), '1');
      assert.equal(((await second.json()) as { code: string }).code, 'busy');

      await postJson(new URL('/chat/stop', server.url).href, { message_id: 'a1' });
      assert.match(await firstBody.rest(), /event: done\ndata: \{"status":"stopped"\}\n\n$/);
      await eventually(async () => (await activeStreams(server.url)) === 0);
      const third = await postJson(stream, { conversation_id: 'c', message: 'hi', message_id: 'a3' });
      assert.equal(third.status, 200);
      await third.body?.cancel();
    } finally {
      await server.close();
    }
  });
});

describe('CORS', () => {
  test('allowed origins get preflight answers and Access-Control-Allow-Origin; others get none', T, async () => {
    const server = await startServer({ CORS_ORIGINS: 'https://site.example' }, root.dir);
    try {
      const stream = new URL('/chat/stream', server.url).href;
      const pre = await fetch(stream, {
        method: 'OPTIONS',
        headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' },
      });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), 'https://site.example');
      assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
      assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type, authorization, last-event-id');
      assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
      assert.equal(pre.headers.get('vary'), 'Origin');

      const res = await postJson(stream, '{', {
        headers: { 'content-type': 'application/json', origin: 'https://site.example' },
      });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://site.example');
      await res.body?.cancel();

      const other = await fetch(new URL('/healthz', server.url), { headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      await other.body?.cancel();
    } finally {
      await server.close();
    }
    const open = await startServer({ CORS_ORIGINS: '*' }, root.dir);
    try {
      const res = await fetch(new URL('/healthz', open.url), { headers: { origin: 'https://any.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      await res.body?.cancel();
    } finally {
      await open.close();
    }
  });

  test('with no CORS_ORIGINS, no CORS headers are sent', T, async () => {
    const server = await startServer({}, root.dir);
    try {
      const res = await fetch(new URL('/healthz', server.url), { headers: { origin: 'https://site.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      await res.body?.cancel();
    } finally {
      await server.close();
    }
  });
});
