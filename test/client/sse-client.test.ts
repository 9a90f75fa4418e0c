// The client against a real HTTP server on loopback: how each failure is classified (kind, status, code, and whether
// the text is the server's own), and which translated string the element shows for it. The bytes are real; the
// browser case of the same paths is test/element/errors.test.ts and i18n.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatStreamError, streamChat } from '../../src/client/sse-client.js';
import { errorStringKey } from '../../src/i18n/error-string-key.js';
import { zhStrings } from '../../src/i18n/strings-zh.js';
import { defaultStrings } from '../../src/components/ai-chat/default-strings.js';

// fetch-event-source's cleanup calls `window.clearTimeout` and `document.removeEventListener` (browser globals Node
// lacks) even with `openWhenHidden`; these stand in for the page only, never for the network.
Object.assign(globalThis, { window: globalThis, document: { removeEventListener() {} } });

type Reply = (res: http.ServerResponse) => void;
const replies = new Map<string, Reply>();
const hits = new Map<string, number>();
let origin = '';
const server = http.createServer((req, res) => {
  req.resume();
  const name = req.url!.slice(1);
  hits.set(name, (hits.get(name) ?? 0) + 1);
  req.on('end', () => replies.get(name)!(res));
});
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const send =
  (status: number, type: string | undefined, body: string): Reply =>
  (res) => {
    res.writeHead(status, type ? { 'Content-Type': type } : {});
    res.end(body);
  };
const sse = (frames: string): Reply => send(200, 'text/event-stream', frames);
const NGINX_503 = '<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>';

/** Streams from `reply` and returns the one error, and how many retries were scheduled. */
async function failureOf(name: string, reply: Reply, maxRetries = 0) {
  replies.set(name, reply);
  let error: ChatStreamError | undefined;
  let retries = 0;
  await streamChat({
    url: `${origin}/${name}`,
    body: { conversation_id: 'c', message: 'q' },
    maxRetries,
    retryDelay: 0,
    handlers: { onError: (e) => (error = e), onRetry: () => retries++ },
  });
  assert.ok(error instanceof ChatStreamError, `${name}: an error was reported`);
  return { error, retries, requests: hits.get(name) };
}

test('a 503 with no JSON body (a proxy page) is "busy" in the reader\'s language, and is retried', async () => {
  const { error, retries, requests } = await failureOf('nginx-503', send(503, 'text/html', NGINX_503), 1);
  assert.deepEqual([error.kind, error.status, error.code, error.fromServer], ['status', 503, undefined, false]);
  assert.equal(error.message, 'HTTP 503', 'English for logs; never shown');
  assert.equal(zhStrings[errorStringKey(error)], '服务器繁忙，请稍后再试。');
  assert.equal(defaultStrings[errorStringKey(error)], 'The server is busy. Please try again in a moment.');
  assert.deepEqual([retries, requests], [1, 2], 'still transient for the retry policy');
});

test('statuses without words map to one text per situation', async () => {
  const cases: [number, string][] = [
    [502, '服务器出错了，请稍后再试。'],
    [500, '服务器出错了，请稍后再试。'],
    [429, '服务器繁忙，请稍后再试。'],
    [401, '没有权限，请登录后再试。'],
    [403, '没有权限，请登录后再试。'],
    [413, '消息发送失败，可能太长了。'],
    [400, '消息发送失败，可能太长了。'],
    [404, '出了点问题，请稍后再试。'],
  ];
  for (const [status, zh] of cases) {
    const { error } = await failureOf(`status-${status}`, send(status, undefined, ''));
    assert.equal(error.fromServer, false, String(status));
    assert.equal(zhStrings[errorStringKey(error)], zh, String(status));
  }
});

test('an ErrorBody with a message is shown as sent; one with only a code gets the widget text for the code', async () => {
  const worded = await failureOf(
    'worded',
    send(401, 'application/json', JSON.stringify({ error: '请先登录（服务器自己的话）', code: 'unauthorized' })),
  );
  assert.deepEqual(
    [worded.error.message, worded.error.fromServer, worded.error.code],
    ['请先登录（服务器自己的话）', true, 'unauthorized'],
  );
  const codeOnly = await failureOf('code-only', send(400, 'application/json', JSON.stringify({ code: 'busy' })));
  assert.deepEqual([codeOnly.error.fromServer, codeOnly.error.code], [false, 'busy']);
  assert.equal(zhStrings[errorStringKey(codeOnly.error)], '服务器繁忙，请稍后再试。');
  const blank = await failureOf('blank', send(500, 'application/json', JSON.stringify({ error: '  ' })));
  assert.equal(blank.error.fromServer, false, 'white space is no message');
  assert.equal(zhStrings[errorStringKey(blank.error)], '服务器出错了，请稍后再试。');
});

test('an error event: its message as sent, else the text for its code; never retried', async () => {
  const frame = (data: unknown) => `event: error\ndata: ${JSON.stringify(data)}\n\n`;
  const worded = await failureOf('event-worded', sse(frame({ error: 'Model overloaded', code: 'upstream_error' })), 3);
  assert.deepEqual(
    [worded.error.kind, worded.error.message, worded.error.fromServer],
    ['server', 'Model overloaded', true],
  );
  assert.deepEqual([worded.retries, worded.requests], [0, 1]);
  const limited = await failureOf('event-code', sse(frame({ code: 'upstream_rate_limited' })));
  assert.equal(limited.error.fromServer, false);
  assert.equal(zhStrings[errorStringKey(limited.error)], '服务器繁忙，请稍后再试。');
  const bare = await failureOf('event-bare', sse(frame({})));
  assert.equal(zhStrings[errorStringKey(bare.error)], '服务器出错了，请稍后再试。');
});

test('widget-side failures carry a kind and an English log message, never UI text', async () => {
  const cut = await failureOf('cut', sse('event: token\ndata: {"token":"Half"}\n\n'));
  assert.deepEqual([cut.error.kind, cut.error.message], ['premature-close', 'premature-close']);
  assert.equal(zhStrings[errorStringKey(cut.error)], '回答被中断了。');

  const bad = await failureOf('malformed', sse('event: token\ndata: {"token": oops}\n\n'), 3);
  assert.deepEqual([bad.error.kind, bad.retries, bad.requests], ['malformed', 0, 1], 'malformed is fatal');
  assert.equal(zhStrings[errorStringKey(bad.error)], '服务器返回的数据有误。');

  const page = await failureOf('html-200', send(200, 'text/html', '<p>Login</p>'), 3);
  assert.deepEqual([page.error.kind, page.error.status, page.retries], ['not-event-stream', 200, 0]);
  assert.equal(zhStrings[errorStringKey(page.error)], '服务器没有返回流式回答。');
});

test('every failure kind and status has a string in both tables', () => {
  const kinds = ['network', 'premature-close', 'stalled', 'not-event-stream', 'malformed', 'server'] as const;
  const errors = [
    ...kinds.map((kind) => new ChatStreamError(kind, { failure: { kind } })),
    ...[400, 401, 403, 404, 405, 408, 413, 415, 422, 429, 500, 502, 503, 504].map(
      (status) => new ChatStreamError(`HTTP ${status}`, { status, failure: { kind: 'status', status } }),
    ),
    new ChatStreamError('headers'),
  ];
  const keys = new Set(errors.map(errorStringKey));
  assert.equal(keys.size, 10, 'ten situations');
  for (const key of keys) {
    assert.equal(typeof defaultStrings[key], 'string', key);
    assert.match(zhStrings[key], /[\u4e00-\u9fff]/, key);
  }
});
