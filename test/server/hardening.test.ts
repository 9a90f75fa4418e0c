// "Safe to expose", over real loopback sockets: the CORS allowlist, the optional bearer token, request limits, the
// per-client rate limit, errors that never leak, and the security headers of what the server serves. Every refusal
// is checked as a client sees it (status, headers, JSON body) and as the operator sees it (the log line).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { loadConfig } from '../../src/server/config.js';
import { startChatServer, type RunningChatServer } from '../../src/server/chat-server.js';
import type { Responder } from '../../src/server/responder.js';
import type { RunStore } from '../../src/server/run-store.js';
import { DEMO_PAGE_CSP } from '../../src/server/security-headers.js';
import { Limits } from '../../src/protocol.js';
import { makeRoot, parseFrames, postJson } from './helpers.js';

const T = { timeout: 10_000 };
const TOKEN = 'test-token-0123456789abcdef';
const root = makeRoot({ bundle: true });
after(() => root.remove());

interface Logged {
  server: RunningChatServer;
  lines: Record<string, unknown>[];
  url(path: string): string;
}

async function start(
  env: Record<string, string>,
  options: { responder?: Responder; store?: RunStore } = {},
): Promise<Logged> {
  const lines: Record<string, unknown>[] = [];
  const server = await startChatServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', TOKEN_DELAY_MS: '1', RATE_LIMIT: '0', FLUSH_MS: '0', ...env }),
    rootDir: root.dir,
    ...options,
    logSink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { server, lines, url: (path) => new URL(path, server.url).href };
}

const question = (id: string) => ({ conversation_id: 'c', message: 'theme', message_id: id });

async function errorBody(res: Response): Promise<{ error: string; code: string }> {
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  const body = (await res.json()) as { error: string; code: string };
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
  return body;
}

/** Sends raw bytes and returns the raw response (for request targets `fetch` would normalise). */
function raw(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (c) => (text += c.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('CORS allowlist', () => {
  test(
    'a preflight from an allowed origin is answered with the three request headers; others get nothing',
    T,
    async () => {
      const s = await start({ CORS_ORIGINS: 'https://site.example', API_TOKEN: TOKEN });
      try {
        const preflight = (origin: string) =>
          fetch(s.url('/chat/stream'), {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'authorization,content-type,last-event-id',
            },
          });
        // No token on a preflight: browsers never send credentials there (Fetch §4.8), so it must not need one.
        const ok = await preflight('https://site.example');
        assert.equal(ok.status, 204);
        assert.equal(ok.headers.get('access-control-allow-origin'), 'https://site.example');
        assert.deepEqual(
          ok.headers
            .get('access-control-allow-headers')!
            .split(',')
            .map((h) => h.trim())
            .sort(),
          ['authorization', 'content-type', 'last-event-id'],
        );
        assert.match(ok.headers.get('access-control-allow-methods')!, /\bPOST\b/);
        assert.equal(ok.headers.get('vary'), 'Origin');

        const evil = await preflight('https://evil.example');
        assert.equal(evil.headers.get('access-control-allow-origin'), null);
        assert.equal(evil.headers.get('access-control-allow-headers'), null);
        assert.equal(evil.headers.get('access-control-allow-methods'), null);
        assert.equal(evil.headers.get('vary'), 'Origin', 'caches must not reuse one origin’s answer for another');
      } finally {
        await s.server.close();
      }
    },
  );

  test('refusals carry CORS headers and expose Retry-After and WWW-Authenticate to the page', T, async () => {
    const s = await start({ CORS_ORIGINS: 'https://site.example', API_TOKEN: TOKEN });
    try {
      const res = await postJson(s.url('/chat/stream'), question('c1'), {
        headers: { 'content-type': 'application/json', origin: 'https://site.example' },
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://site.example');
      assert.match(res.headers.get('access-control-expose-headers')!, /Retry-After/);
      assert.match(res.headers.get('access-control-expose-headers')!, /WWW-Authenticate/);
      await res.body?.cancel();
    } finally {
      await s.server.close();
    }
  });

  test('a CORS_ORIGINS entry that could never match an Origin header stops the server at start', () => {
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://site.example/' }), /CORS_ORIGINS.*trailing slash/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'site.example' }), /CORS_ORIGINS/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path' }), /CORS_ORIGINS/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: '*, https://a.example' }), /CORS_ORIGINS/);
    assert.deepEqual(loadConfig({ CORS_ORIGINS: 'http://localhost:3000' }).corsOrigins, ['http://localhost:3000']);
  });
});

describe('API_TOKEN', () => {
  test('the chat routes need the bearer token; pages and /healthz stay open', T, async () => {
    const s = await start({ API_TOKEN: TOKEN });
    try {
      const missing = await postJson(s.url('/chat/stream'), question('t1'));
      assert.equal(missing.status, 401);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="ai-chat"');
      assert.deepEqual(await errorBody(missing), { error: 'This chat needs an access token.', code: 'unauthorized' });

      for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
        const res = await postJson(s.url('/chat/stream'), question('t1'), {
          headers: { 'content-type': 'application/json', authorization },
        });
        assert.equal(res.status, 401, authorization);
        assert.equal((await errorBody(res)).code, 'unauthorized');
      }
      const wrong = await postJson(s.url('/chat/stream'), question('t1'), {
        headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      });
      assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="ai-chat", error="invalid_token"');
      assert.equal((await errorBody(wrong)).error, 'The access token is not valid.');

      // Nothing was started by a refused request.
      const health = (await (await fetch(s.url('/healthz'))).json()) as Record<string, number>;
      assert.equal(health.runs_held, 0);
      for (const path of ['/', '/ai-chat.js', '/demo/demo.css', '/docs/theming.md']) {
        const res = await fetch(s.url(path));
        assert.equal(res.status, 200, path);
        await res.body?.cancel();
      }

      // The scheme is case-insensitive (RFC 9110 §11.1).
      const ok = await postJson(s.url('/chat/stream'), question('t1'), {
        headers: { 'content-type': 'application/json', authorization: `bearer ${TOKEN}` },
      });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /event: done\ndata: \{"status":"completed"\}\n\n$/);

      const stopDenied = await postJson(s.url('/chat/stop'), { message_id: 't1' });
      assert.equal(stopDenied.status, 401);
      await stopDenied.body?.cancel();
      const stop = await postJson(
        s.url('/chat/stop'),
        { message_id: 't1' },
        { headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } },
      );
      assert.deepEqual(await stop.json(), { ok: true, stopped: false });

      const refused = s.lines.filter((l) => l.type === 'rejected' && l.status === 401);
      assert.equal(refused.length, 7);
      assert.ok(!JSON.stringify(s.lines).includes(TOKEN), 'the token never reaches the log');
    } finally {
      await s.server.close();
    }
  });

  test('a refused upload is answered at once and its connection closed, without reading the body', T, async () => {
    const s = await start({ API_TOKEN: TOKEN });
    try {
      const { port } = new URL(s.server.url);
      const reply = await new Promise<string>((resolve, reject) => {
        // Announces 60 KB, sends 10 bytes, and never sends the rest: only a server that does not wait can answer.
        const socket = connect(Number(port), '127.0.0.1', () =>
          socket.write(
            'POST /chat/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              'Content-Length: 60000\r\n\r\n{"message"',
          ),
        );
        let text = '';
        socket.on('data', (c) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 401 /);
      assert.match(reply, /\r\nConnection: close\r\n/i);
      assert.match(reply, /"code":"unauthorized"\}$/);
    } finally {
      await s.server.close();
    }
  });

  test('a token too short or with characters a header cannot carry stops the server at start', () => {
    assert.throws(() => loadConfig({ API_TOKEN: 'short' }), /API_TOKEN/);
    assert.throws(() => loadConfig({ API_TOKEN: 'has spaces in it, sixteen+' }), /API_TOKEN/);
    assert.throws(
      () => loadConfig({ API_TOKEN: 'a-secret-value-that-is-long\n' }),
      (e: Error) => /API_TOKEN/.test(e.message) && !e.message.includes('a-secret-value'),
      'the message never echoes the secret',
    );
    assert.equal(loadConfig({ API_TOKEN: TOKEN }).apiToken, TOKEN);
    assert.equal(loadConfig({}).apiToken, undefined);
  });
});

describe('request limits', () => {
  test('each bad request gets its status and a JSON ErrorBody, is logged, and loses nothing', T, async () => {
    const s = await start({});
    try {
      const json = { 'content-type': 'application/json' };
      const cases: [string, string, RequestInit, number, string][] = [
        [
          'body over 64 KB',
          '/chat/stream',
          {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ ...question('l1'), message: 'x'.repeat(Limits.maxBodyBytes) }),
          },
          413,
          'payload_too_large',
        ],
        [
          'message too long',
          '/chat/stream',
          {
            method: 'POST',
            headers: json,
            body: JSON.stringify({ ...question('l1'), message: 'x'.repeat(Limits.maxMessageLength + 1) }),
          },
          400,
          'bad_request',
        ],
        [
          'no content type',
          '/chat/stream',
          { method: 'POST', body: new Blob([JSON.stringify(question('l1'))]) },
          415,
          'unsupported_media_type',
        ],
        [
          'form content type',
          '/chat/stop',
          { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'message_id=l1' },
          415,
          'unsupported_media_type',
        ],
        ['malformed JSON', '/chat/stream', { method: 'POST', headers: json, body: '{"message":' }, 400, 'invalid_json'],
        [
          'wrong field type',
          '/chat/stream',
          { method: 'POST', headers: json, body: JSON.stringify({ conversation_id: 1, message: 'hi' }) },
          400,
          'bad_request',
        ],
        ['wrong method', '/chat/stop', { method: 'GET' }, 405, 'method_not_allowed'],
        ['unknown route', '/admin', { method: 'GET' }, 404, 'not_found'],
      ];
      for (const [name, path, init, status, code] of cases) {
        const res = await fetch(s.url(path), init);
        assert.equal(res.status, status, name);
        const body = await errorBody(res);
        assert.equal(body.code, code, name);
        assert.ok(body.error.length > 0 && !/\n\s+at /.test(body.error), name);
        if (status === 405) assert.equal(res.headers.get('allow'), 'POST', name);
      }
      const rejected = s.lines.filter((l) => l.type === 'rejected');
      assert.deepEqual(
        rejected.map((l) => [l.method, l.path, l.status, l.code, l.client_ip]),
        cases.map(([, path, init, status, code]) => [init.method, path, status, code, '127.0.0.1']),
      );
      // A charset parameter is fine, and the server still answers in full after all of the above.
      const ok = await postJson(s.url('/chat/stream'), question('l2'), {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /event: done\ndata: \{"status":"completed"\}\n\n$/);
    } finally {
      await s.server.close();
    }
  });

  test('a request target that does not parse is a 400, and `//host/path` is a path, not another host', T, async () => {
    const s = await start({});
    try {
      const bad = await raw(s.server.url, 'GET http://[/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(bad, /^HTTP\/1\.1 400 /);
      assert.match(bad, /\{"error":"The request URL is not valid\.","code":"bad_request"\}$/);
      const slashes = await raw(s.server.url, 'GET //evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(slashes, /^HTTP\/1\.1 404 /);
    } finally {
      await s.server.close();
    }
  });
});

describe('per-client rate limit', () => {
  test('over RATE_LIMIT a client gets 429 with Retry-After; /healthz and pages are not counted', T, async () => {
    const s = await start({ RATE_LIMIT: '2' });
    try {
      for (const id of ['r1', 'r2']) {
        const res = await postJson(s.url('/chat/stream'), question(id));
        assert.equal(res.status, 200);
        await res.text();
      }
      for (let i = 0; i < 5; i++) {
        const res = await fetch(s.url('/healthz'));
        assert.equal(res.status, 200);
        await res.body?.cancel();
      }
      const limited = await postJson(s.url('/chat/stream'), question('r3'));
      assert.equal(limited.status, 429);
      // 2 per minute: the next token comes back in 30 s.
      assert.equal(limited.headers.get('retry-after'), '30');
      assert.deepEqual(await errorBody(limited), {
        error: 'Too many requests. Please wait a moment and try again.',
        code: 'rate_limited',
      });
      // Stop counts too (it is a chat route), and a refused request started nothing.
      const stop = await postJson(s.url('/chat/stop'), { message_id: 'r3' });
      assert.equal(stop.status, 429);
      await stop.body?.cancel();
      const health = (await (await fetch(s.url('/healthz'))).json()) as Record<string, number>;
      assert.equal(health.runs_held, 2);
      assert.deepEqual(
        s.lines.filter((l) => l.type === 'rejected').map((l) => [l.path, l.status, l.code, l.level]),
        [
          ['/chat/stream', 429, 'rate_limited', 'warn'],
          ['/chat/stop', 429, 'rate_limited', 'warn'],
        ],
      );
    } finally {
      await s.server.close();
    }
  });

  test('X-Forwarded-For picks the bucket only with TRUST_PROXY; a forged entry on its left is ignored', T, async () => {
    const direct = await start({ RATE_LIMIT: '1' });
    try {
      const first = await postJson(direct.url('/chat/stream'), question('x1'), {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.1' },
      });
      await first.text();
      // Without TRUST_PROXY the header is the client's word: a new value does not buy a new bucket.
      const forged = await postJson(direct.url('/chat/stream'), question('x2'), {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.2' },
      });
      assert.equal(forged.status, 429);
      await forged.body?.cancel();
    } finally {
      await direct.server.close();
    }

    const proxied = await start({ RATE_LIMIT: '1', TRUST_PROXY: '1' });
    try {
      const ask = async (xff: string, id: string) => {
        const res = await postJson(proxied.url('/chat/stream'), question(id), {
          headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
        });
        await res.text();
        return res.status;
      };
      assert.equal(await ask('198.51.100.1', 'p1'), 200);
      assert.equal(await ask('198.51.100.1', 'p2'), 429);
      assert.equal(await ask('198.51.100.2', 'p3'), 200, 'another client behind the proxy has its own bucket');
      // The proxy appended the real peer (198.51.100.1) after whatever the client wrote: that entry is the key.
      assert.equal(await ask('203.0.113.9, 198.51.100.1', 'p4'), 429);
      assert.deepEqual(
        proxied.lines.filter((l) => l.type === 'rejected').map((l) => l.client_ip),
        ['198.51.100.1', '198.51.100.1'],
      );
    } finally {
      await proxied.server.close();
    }
  });
});

describe('errors never leak', () => {
  test('a responder that throws a secret: the client reads plain words, the log keeps the secret', T, async () => {
    const s = await start(
      {},
      {
        responder: async function* () {
          yield { event: 'token', data: { token: 'Hel' } };
          throw new Error('db password hunter2 at /srv/app/secret.js:42');
        },
      },
    );
    try {
      const res = await postJson(s.url('/chat/stream'), question('e1'));
      const bytes = await res.text();
      assert.ok(!bytes.includes('hunter2') && !bytes.includes('secret.js'), bytes);
      assert.equal(
        parseFrames(bytes).at(-1)!.raw,
        'id: e1.2\nevent: error\ndata: {"error":"The answer failed on the server.","code":"internal_error"}\n\n',
      );
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && !line; i++) {
        line = s.lines.find((l) => l.type === 'run');
        if (!line) await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(line?.outcome, 'error');
      assert.equal(line?.error, 'db password hunter2 at /srv/app/secret.js:42');
    } finally {
      await s.server.close();
    }
  });

  test(
    'an exception while handling a request is a 500 JSON without details; the stack goes to the log',
    T,
    async () => {
      // A run store that fails in an unexpected way (a bug in a custom store): the handler's exception path.
      const broken: RunStore = {
        open: () => Promise.reject(new Error('secret connection string redis://:pw@10.0.0.5')),
        stop: () => Promise.resolve(false),
        stats: () => ({ active: 0, held: 0, readers: 0 }),
        close: () => Promise.resolve(),
      };
      const s = await start({}, { store: broken });
      try {
        const res = await postJson(s.url('/chat/stream'), question('b1'));
        const text = await res.clone().text();
        assert.equal(res.status, 500);
        assert.deepEqual(await errorBody(res), {
          error: 'Something went wrong on the server.',
          code: 'internal_error',
        });
        assert.ok(!text.includes('secret') && !text.includes('10.0.0.5') && !text.includes(' at '), text);
        const failure = s.lines.find((l) => l.type === 'failure');
        assert.equal(failure?.level, 'error');
        assert.equal(failure?.path, '/chat/stream');
        assert.equal(failure?.status, 500);
        assert.match(String(failure?.error), /^Error: secret connection string[^\n]*\n\s+at /);
        // The server keeps serving.
        const health = await fetch(s.url('/healthz'));
        assert.equal(health.status, 200);
        await health.body?.cancel();
      } finally {
        await s.server.close();
      }
    },
  );
});

describe('security headers', () => {
  test(
    'the demo page has a CSP, no framing, nosniff, a referrer policy and CORP; the bundle is loadable cross-site',
    T,
    async () => {
      const s = await start({});
      try {
        const page = await fetch(s.url('/'));
        assert.equal(page.headers.get('content-security-policy'), DEMO_PAGE_CSP);
        assert.match(DEMO_PAGE_CSP, /frame-ancestors 'none'/);
        assert.match(page.headers.get('content-security-policy-report-only')!, /require-trusted-types-for 'script'/);
        assert.doesNotMatch(DEMO_PAGE_CSP, /unsafe-inline|unsafe-eval/);
        assert.equal(page.headers.get('x-frame-options'), 'DENY');
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(page.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
        assert.equal(page.headers.get('cross-origin-resource-policy'), 'same-origin');
        await page.body?.cancel();

        const bundle = await fetch(s.url('/ai-chat.js'));
        assert.equal(bundle.headers.get('cross-origin-resource-policy'), 'cross-origin');
        assert.equal(bundle.headers.get('x-content-type-options'), 'nosniff');
        await bundle.body?.cancel();

        for (const path of ['/docs/theming.md', '/demo/demo.css', '/README.md']) {
          const res = await fetch(s.url(path));
          assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin', path);
          assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
          await res.body?.cancel();
        }
      } finally {
        await s.server.close();
      }
    },
  );

  test('SSE responses forbid transforms and proxy buffering', T, async () => {
    const s = await start({});
    try {
      const res = await postJson(s.url('/chat/stream'), question('h1'));
      assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      await res.text();
    } finally {
      await s.server.close();
    }
  });
});
