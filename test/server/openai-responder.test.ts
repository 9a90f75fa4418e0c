// The model responder against a loopback upstream speaking OpenAI's real streaming format: what the model is sent,
// what a reader gets for each way the upstream answers or fails, and that aborting reaches the upstream's socket;
// then the real companion server configured with LLM_* in front of it, read byte for byte over loopback sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDocIndex, splitMarkdown } from '../../src/server/doc-index.js';
import {
  SYSTEM_PROMPT,
  buildMessages,
  createOpenAIResponder,
  parseRetryAfter,
  type OpenAIResponderOptions,
  type ResponderTimers,
  type UpstreamUsage,
} from '../../src/server/openai-responder.js';
import type { ResponderEvent } from '../../src/server/responder.js';
import { Limits, tokensOf, type ChatTurn } from '../../src/protocol.js';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import { BodyReader, activeStreams, eventually, makeRoot, parseFrames, postJson, startServer } from './helpers.js';
import {
  SECRET_IN_ERROR_BODY,
  startFakeOpenAIUpstream,
  type FakeOpenAIUpstream,
  type RecordedRequest,
  type Reply,
} from '../fixtures/fake-openai-upstream.js';

/** A hung upstream fails its test instead of hanging the suite. */
const T = { timeout: 5000 };
const API_KEY = 'sk-test-SECRET-KEY-123';

const THEMING = `# Theming the widget

You theme the widget with CSS custom properties and the \`::part()\` selector.

## Parts

Style \`ai-chat::part(input)\` to change the input.
`;
const index = createDocIndex(splitMarkdown('theming.md', '/docs/theming.md', THEMING));

let upstream: FakeOpenAIUpstream;
before(async () => {
  upstream = await startFakeOpenAIUpstream();
});
after(() => upstream.close());

function responder(options: Partial<OpenAIResponderOptions> = {}) {
  return createOpenAIResponder({
    baseUrl: upstream.baseUrl,
    apiKey: API_KEY,
    model: 'test-model',
    index: () => index,
    ...options,
  });
}

async function collect(
  options: Partial<OpenAIResponderOptions> = {},
  question = 'How do I theme the widget?',
  history: ChatTurn[] = [],
  signal = new AbortController().signal,
): Promise<ResponderEvent[]> {
  const events: ResponderEvent[] = [];
  for await (const e of responder(options)(question, { signal, history })) events.push(e);
  return events;
}

const tokenTexts = (events: ResponderEvent[]) =>
  events.flatMap((e) => (e.event === 'token' && 'token' in e.data ? [e.data.token] : []));
const last = (events: ResponderEvent[]) => events[events.length - 1];
const lastRequest = (): RecordedRequest => upstream.requests[upstream.requests.length - 1];

/** Nothing the upstream said about its failure, and never the key, reaches the events a reader gets. */
function assertNoLeak(events: ResponderEvent[]): void {
  const text = JSON.stringify(events);
  assert.ok(!text.includes(SECRET_IN_ERROR_BODY), text);
  assert.ok(!text.includes(API_KEY), text);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls until `check()` holds (a fixture's state changes on its own socket events). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('a streamed answer', () => {
  test('thinking, sources, thinking, one token per content delta, done', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['Use ', '`::part()`', '.\n\n- a', ' 👋'] });
    const events = await collect();
    assert.deepEqual(events[0], { event: 'thinking', data: { status: 'retrieving', message: 'Searching the docs…' } });
    assert.equal(events[1].event, 'sources');
    const sources = events[1].data as { count: number; sources: { title: string; url: string }[] };
    assert.equal(sources.count, 2);
    assert.deepEqual(sources.sources[0].title, 'theming.md › Theming the widget');
    assert.deepEqual(events[2], { event: 'thinking', data: { status: 'generating', message: 'Writing the answer…' } });
    assert.deepEqual(
      events.slice(3),
      [
        { event: 'token', data: { token: 'Use ' } },
        { event: 'token', data: { token: '`::part()`' } },
        { event: 'token', data: { token: '.\n\n- a' } },
        { event: 'token', data: { token: ' 👋' } },
        { event: 'done', data: { status: 'completed' } },
      ],
      'the role delta and the finish chunk add no token',
    );
  });

  test(
    'the model gets the key, the model name, stream: true, the passages, the history and the question',
    T,
    async () => {
      upstream.enqueue({ kind: 'stream', tokens: ['ok'] });
      const history: ChatTurn[] = [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! Ask me about the widget.' },
      ];
      await collect({}, 'How do I style the input part?', history);
      const req = lastRequest();
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/v1/chat/completions');
      assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.headers.accept, 'text/event-stream');
      const body = req.body as { model: string; stream: boolean; stream_options?: unknown; messages: ChatTurn[] };
      assert.equal(body.model, 'test-model');
      assert.equal(body.stream, true);
      assert.equal('stream_options' in body, false, 'stream_options is only sent when LLM_STREAM_USAGE is on');
      assert.equal(body.messages.length, 4);
      assert.equal(body.messages[0].role, 'system');
      assert.ok(body.messages[0].content.startsWith(SYSTEM_PROMPT));
      assert.match(
        body.messages[0].content,
        /\[1\] theming\.md › Parts \(\/docs\/theming\.md#parts\)\nStyle `ai-chat::part\(input\)`/,
      );
      assert.deepEqual(body.messages.slice(1), [
        ...history,
        { role: 'user', content: 'How do I style the input part?' },
      ]);
    },
  );

  test('no Authorization header without a key (Ollama, llama.cpp, LM Studio)', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['ok'] });
    const events = await collect({ apiKey: undefined });
    assert.deepEqual(last(events), { event: 'done', data: { status: 'completed' } });
    assert.equal(lastRequest().headers.authorization, undefined);
  });

  test('with streamUsage the request asks for usage and the usage chunk is reported', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['a', 'b', 'c'] });
    const usage: UpstreamUsage[] = [];
    const events = await collect({ streamUsage: true, onUsage: (u) => usage.push(u) });
    assert.deepEqual((lastRequest().body as { stream_options: unknown }).stream_options, { include_usage: true });
    assert.deepEqual(tokenTexts(events), ['a', 'b', 'c']);
    assert.deepEqual(usage, [{ prompt_tokens: 42, completion_tokens: 3, total_tokens: 45 }]);
    assert.deepEqual(last(events), { event: 'done', data: { status: 'completed' } });
  });

  test('CRLF line ends and comment lines between chunks, delivered slowly, give the same tokens', T, async () => {
    upstream.enqueue({
      kind: 'stream',
      tokens: ['one', ' two', ' three'],
      newline: '\r\n',
      comments: true,
      tokenDelayMs: 5,
    });
    const events = await collect();
    assert.deepEqual(tokenTexts(events), ['one', ' two', ' three']);
    assert.deepEqual(last(events), { event: 'done', data: { status: 'completed' } });
  });

  test('a stream that closes cleanly after finish_reason but without [DONE] is complete', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['all', ' here'], end: 'finish-then-close' });
    const events = await collect();
    assert.deepEqual(tokenTexts(events), ['all', ' here']);
    assert.deepEqual(last(events), { event: 'done', data: { status: 'completed' } });
  });

  test('a question no passage matches still goes to the model, with no sources', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['Hello!'] });
    const events = await collect({}, 'zzzqqq');
    assert.deepEqual(events[1], { event: 'sources', data: { count: 0, sources: [] } });
    const body = lastRequest().body as { messages: ChatTurn[] };
    assert.match(body.messages[0].content, /No passage of the documentation matched this question\./);
    assert.deepEqual(tokenTexts(events), ['Hello!']);
  });
});

describe('upstream failures become error events with codes and plain words', () => {
  const cases: [string, Reply, string][] = [
    ['401', { kind: 'status', status: 401 }, 'upstream_unauthorized'],
    ['403', { kind: 'status', status: 403 }, 'upstream_unauthorized'],
    ['500', { kind: 'status', status: 500 }, 'upstream_unavailable'],
    ['502', { kind: 'status', status: 502, body: `<html>${SECRET_IN_ERROR_BODY}</html>` }, 'upstream_unavailable'],
    ['503', { kind: 'status', status: 503 }, 'upstream_unavailable'],
    ['400 (e.g. an unknown field)', { kind: 'status', status: 400 }, 'upstream_error'],
    ['404 (a wrong base URL or model)', { kind: 'status', status: 404 }, 'upstream_error'],
    ['a JSON answer instead of a stream', { kind: 'json', content: SECRET_IN_ERROR_BODY }, 'upstream_error'],
  ];
  for (const [name, reply, code] of cases) {
    test(`${name} → ${code}, after sources, with no token`, T, async () => {
      upstream.enqueue(reply);
      const events = await collect();
      assert.deepEqual(
        events.map((e) => e.event),
        ['thinking', 'sources', 'thinking', 'error'],
      );
      assert.equal((last(events).data as { code: string }).code, code);
      assert.equal(typeof (last(events).data as { error: string }).error, 'string');
      assertNoLeak(events);
    });
  }

  test(
    '429 → upstream_rate_limited with Retry-After in seconds (delta or HTTP date) in words and retry_after',
    T,
    async () => {
      upstream.enqueue({ kind: 'status', status: 429, headers: { 'Retry-After': '7' } });
      let events = await collect();
      assert.deepEqual(last(events), {
        event: 'error',
        data: {
          error: 'The model service is busy. Please try again in 7 seconds.',
          code: 'upstream_rate_limited',
          retry_after: 7,
        },
      });
      assertNoLeak(events);

      upstream.enqueue({
        kind: 'status',
        status: 429,
        headers: { 'Retry-After': new Date(Date.now() + 3_600_000).toUTCString() },
      });
      events = await collect();
      const retryAfter = (last(events).data as { retry_after: number }).retry_after;
      assert.ok(retryAfter > 3000 && retryAfter <= 3600, String(retryAfter));

      upstream.enqueue({ kind: 'status', status: 429 });
      events = await collect();
      assert.deepEqual(last(events), {
        event: 'error',
        data: { error: 'The model service is busy. Please try again in a moment.', code: 'upstream_rate_limited' },
      });
    },
  );

  test('connection refused → upstream_unavailable', T, async () => {
    // A port that was just free and is closed again: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const events = await collect({ baseUrl: `http://127.0.0.1:${port}/v1` });
    assert.deepEqual(last(events), {
      event: 'error',
      data: { error: 'The model service is unavailable. Please try again later.', code: 'upstream_unavailable' },
    });
  });

  test('a connection cut mid-stream → the tokens so far, then upstream_interrupted', T, async () => {
    // The cut waits until both tokens were read: a cut arriving with unread data would discard that data.
    const release = deferred();
    upstream.enqueue({ kind: 'stream', tokens: ['Half', ' an'], end: 'cut', holdEnd: release.promise });
    const events: ResponderEvent[] = [];
    for await (const e of responder()('q', { signal: new AbortController().signal, history: [] })) {
      events.push(e);
      if (tokenTexts(events).length === 2) release.resolve();
    }
    assert.deepEqual(tokenTexts(events), ['Half', ' an']);
    assert.deepEqual(last(events), {
      event: 'error',
      data: { error: "The model's answer was cut off. Please try again.", code: 'upstream_interrupted' },
    });
  });

  test('a stream that ends cleanly with neither finish_reason nor [DONE] → upstream_interrupted', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['Half'], end: 'eof' });
    const events = await collect();
    assert.deepEqual(tokenTexts(events), ['Half']);
    assert.equal((last(events).data as { code: string }).code, 'upstream_interrupted');
  });

  test('an error object mid-stream → the tokens so far, then upstream_error without its message', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['Some'], end: 'error-object' });
    const events = await collect();
    assert.deepEqual(tokenTexts(events), ['Some']);
    assert.deepEqual(last(events), {
      event: 'error',
      data: { error: 'The model service failed to answer.', code: 'upstream_error' },
    });
    assertNoLeak(events);
  });

  test('a malformed JSON line → upstream_error', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['Some'], end: 'malformed' });
    const events = await collect();
    assert.deepEqual(tokenTexts(events), ['Some']);
    assert.equal((last(events).data as { code: string }).code, 'upstream_error');
    assertNoLeak(events);
  });

  test('the operator hook gets status and kind, never the body or the key', T, async () => {
    upstream.enqueue({ kind: 'status', status: 401 });
    const lines: string[] = [];
    await collect({ onUpstreamError: (line) => lines.push(line) });
    assert.equal(lines.length, 1);
    assert.match(
      lines[0],
      /^HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(upstream_unauthorized\)$/,
    );
  });
});

describe('timeouts (driven by an injected timer)', () => {
  /** Timers whose callbacks run only when the test says so. */
  function manualTimers(): ResponderTimers & { fire(): void; pending: number } {
    const timers = new Map<number, () => void>();
    let next = 0;
    return {
      setTimeout(fn) {
        timers.set(++next, fn);
        return next;
      },
      clearTimeout(h) {
        timers.delete(h as number);
      },
      fire() {
        for (const [h, fn] of [...timers]) {
          timers.delete(h);
          fn();
        }
      },
      get pending() {
        return timers.size;
      },
    };
  }

  const silences: [string, Reply][] = [
    ['no response headers', { kind: 'no-response' }],
    ['headers and then silence', { kind: 'silent-headers' }],
    ['tokens and then silence', { kind: 'stream', tokens: ['Some'], end: 'hang' }],
  ];
  for (const [name, reply] of silences) {
    test(`${name} past LLM_TIMEOUT_MS → upstream_timeout, and the upstream socket is closed`, T, async () => {
      upstream.enqueue(reply);
      const timers = manualTimers();
      const seen = upstream.requests.length;
      const events: ResponderEvent[] = [];
      const done = (async () => {
        for await (const e of responder({ timers })('q', { signal: new AbortController().signal, history: [] })) {
          events.push(e);
        }
      })();
      // Run the clock out once the upstream has the request (and, for a stream, once its token has arrived).
      await until(
        () => upstream.requests.length > seen && (reply.kind !== 'stream' || tokenTexts(events).length === 1),
      );
      const req = lastRequest();
      timers.fire();
      await done;
      assert.deepEqual(last(events), {
        event: 'error',
        data: { error: 'The model service did not answer in time.', code: 'upstream_timeout' },
      });
      if (reply.kind === 'stream') assert.deepEqual(tokenTexts(events), ['Some']);
      await req.socketClosed;
      assert.equal(timers.pending, 0, 'no timer outlives the answer');
    });
  }
});

describe('aborting reaches the upstream', () => {
  const enqueueSlow = () =>
    upstream.enqueue({ kind: 'stream', tokens: Array.from({ length: 500 }, (_, i) => ` t${i}`), tokenDelayMs: 10 });

  test(
    'the run signal aborting mid-stream closes the upstream socket and ends the answer with no error',
    T,
    async () => {
      enqueueSlow();
      const abort = new AbortController();
      const events: ResponderEvent[] = [];
      const seen = upstream.requests.length;
      for await (const e of responder()('How do I theme it?', { signal: abort.signal, history: [] })) {
        events.push(e);
        if (tokenTexts(events).length === 3) abort.abort();
      }
      assert.equal(upstream.requests.length, seen + 1);
      const req = lastRequest();
      await req.socketClosed;
      assert.equal(req.closed, true);
      assert.ok(req.tokensWritten < 500, `the upstream stopped after ${req.tokensWritten} tokens`);
      assert.equal(req.completed, false);
      assert.deepEqual(tokenTexts(events), [' t0', ' t1', ' t2']);
      assert.ok(events.every((e) => e.event !== 'error' && e.event !== 'done'));
    },
  );

  test('a consumer that stops reading (return) closes the upstream socket too', T, async () => {
    enqueueSlow();
    let n = 0;
    const seen = upstream.requests.length;
    for await (const e of responder()('How do I theme it?', { signal: new AbortController().signal, history: [] })) {
      if (e.event === 'token' && ++n === 2) break;
    }
    assert.equal(upstream.requests.length, seen + 1);
    const req = lastRequest();
    await req.socketClosed;
    assert.ok(req.tokensWritten < 500);
  });

  test('an abort before the response headers closes the upstream socket', T, async () => {
    upstream.enqueue({ kind: 'no-response' });
    const seen = upstream.requests.length;
    const abort = new AbortController();
    const done = collect({}, 'q', [], abort.signal);
    await until(() => upstream.requests.length === seen + 1);
    abort.abort();
    const events = await done;
    await lastRequest().socketClosed;
    assert.deepEqual(
      events.map((e) => e.event),
      ['thinking', 'sources', 'thinking'],
    );
  });
});

describe('pure parts', () => {
  test('buildMessages: roles alternate (a leading answer dropped, consecutive turns of one role joined)', () => {
    const messages = buildMessages(
      'Q3?',
      [
        { role: 'assistant', content: 'orphan answer' },
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q2 (its answer failed)' },
      ],
      [],
    );
    assert.deepEqual(messages.slice(1), [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2 (its answer failed)\n\nQ3?' },
    ]);
  });

  test('buildMessages: system prompt with numbered passages, empty turns dropped, long passages cut', () => {
    const passages = [
      { title: 'a.md › A', url: '/docs/a.md#a', text: 'x'.repeat(7000), snippet: '' },
      { title: 'b.md › B', url: '/docs/b.md#b', text: 'short', snippet: '' },
    ];
    const messages = buildMessages(
      'Q?',
      [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'second' },
      ],
      passages,
    );
    assert.equal(
      messages[0].content,
      `${SYSTEM_PROMPT}\n\nPassages:\n\n[1] a.md › A (/docs/a.md#a)\n${'x'.repeat(6000)}…\n\n[2] b.md › B (/docs/b.md#b)\nshort`,
    );
    assert.deepEqual(messages.slice(1), [{ role: 'user', content: 'first\n\nsecond\n\nQ?' }]);
  });

  test('parseRetryAfter: delta-seconds, HTTP date, past date, junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('12', now), 12);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now), 30);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});

describe('the companion server with LLM_* pointing at the upstream (real sockets end to end)', () => {
  let root: ReturnType<typeof makeRoot>;
  let server: RunningChatServer;
  const env = () => ({
    LLM_BASE_URL: upstream.baseUrl,
    LLM_API_KEY: API_KEY,
    LLM_MODEL: 'test-model',
    RUN_GRACE_MS: '30',
  });
  before(async () => {
    root = makeRoot();
    server = await startServer(env(), root.dir);
  });
  after(async () => {
    await server.close();
    root.remove();
  });
  /** Tokens in the complete frames of `text`, whether sent one per event or batched as `{tokens:[…]}`. */
  const receivedTokens = (text: string) =>
    parseFrames(text.slice(0, text.lastIndexOf('\n\n') + 2))
      .filter((f) => f.event === 'token')
      .flatMap((f) => tokensOf(JSON.parse(f.data!)));
  const stream = (body: Record<string, unknown>, init?: RequestInit) =>
    postJson(new URL('/chat/stream', server.url).href, { conversation_id: 'c1', ...body }, init);

  const PRELUDE =
    'id: m1.1\nevent: thinking\ndata: {"status":"retrieving","message":"Searching the docs…"}\n\n' +
    'id: m1.2\nevent: sources\ndata: {"count":3,"sources":[' +
    '{"title":"theming.md › Theming the widget","url":"/docs/theming.md#theming-the-widget",' +
    '"snippet":"You theme the widget with CSS custom properties and the ::part() selector."},' +
    '{"title":"theming.md › Parts","url":"/docs/theming.md#parts","snippet":"Style ai-chat::part(input) to change the input."},' +
    '{"title":"theming.md › Custom properties","url":"/docs/theming.md#custom-properties",' +
    '"snippet":"Set --ai-chat-accent on the element to change the accent colour."}]}\n\n' +
    'id: m1.3\nevent: thinking\ndata: {"status":"generating","message":"Writing the answer…"}\n\n';

  test('a client gets these exact bytes: thinking, sources, thinking, the model tokens, done', T, async () => {
    // Each token is sent once the client has read the one before, so each arrives in its own event (a backlog
    // would be batched into one `{tokens:[…]}` event, which is the resume path, tested elsewhere).
    const readers: BodyReader[] = [];
    const tokenGate = (i: number) => until(() => readers.length > 0 && receivedTokens(readers[0].text).length >= i);
    upstream.enqueue({ kind: 'stream', tokens: ['Set ', '`--ai-chat-accent`', '.'], tokenGate });
    const history = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ];
    const res = await stream({ message: 'How do I theme the widget?', message_id: 'm1', history });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    readers.push(new BodyReader(res));
    const body = await readers[0].rest();
    assert.equal(
      body,
      PRELUDE +
        'id: m1.4\nevent: token\ndata: {"token":"Set "}\n\n' +
        'id: m1.5\nevent: token\ndata: {"token":"`--ai-chat-accent`"}\n\n' +
        'id: m1.6\nevent: token\ndata: {"token":"."}\n\n' +
        'id: m1.7\nevent: done\ndata: {"status":"completed"}\n\n',
    );
    const req = lastRequest();
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
    const sent = req.body as { model: string; messages: ChatTurn[] };
    assert.equal(sent.model, 'test-model');
    assert.deepEqual(sent.messages.slice(1), [...history, { role: 'user', content: 'How do I theme the widget?' }]);
    assert.match(
      sent.messages[0].content,
      /\[1\] theming\.md › Theming the widget \(\/docs\/theming\.md#theming-the-widget\)/,
    );
  });

  const failures: [string, Reply, string][] = [
    [
      '401',
      { kind: 'status', status: 401 },
      '{"error":"The model service refused this server\'s credentials.","code":"upstream_unauthorized"}',
    ],
    [
      '429 with Retry-After',
      { kind: 'status', status: 429, headers: { 'Retry-After': '20' } },
      '{"error":"The model service is busy. Please try again in 20 seconds.","code":"upstream_rate_limited","retry_after":20}',
    ],
    [
      '500',
      { kind: 'status', status: 500 },
      '{"error":"The model service is unavailable. Please try again later.","code":"upstream_unavailable"}',
    ],
    [
      'an error object mid-stream',
      { kind: 'stream', tokens: ['Part'], end: 'error-object' },
      '{"error":"The model service failed to answer.","code":"upstream_error"}',
    ],
    [
      'a malformed line',
      { kind: 'stream', tokens: ['Part'], end: 'malformed' },
      '{"error":"The model service failed to answer.","code":"upstream_error"}',
    ],
    [
      'a stream ending without [DONE]',
      { kind: 'stream', tokens: ['Part'], end: 'eof' },
      '{"error":"The model\'s answer was cut off. Please try again.","code":"upstream_interrupted"}',
    ],
  ];
  for (const [name, reply, data] of failures) {
    test(`${name}: the stream ends with this error event, sources were sent, nothing leaks`, T, async () => {
      upstream.enqueue(reply);
      const id = `f-${name.replace(/[^a-z0-9]/gi, '')}`;
      const res = await stream({ message: 'How do I theme the widget?', message_id: id });
      assert.equal(res.status, 200);
      const body = await res.text();
      const frames = parseFrames(body);
      assert.equal(frames[1].event, 'sources');
      assert.deepEqual(receivedTokens(body), reply.kind === 'stream' ? reply.tokens : []);
      assert.equal(frames.at(-1)!.raw, `id: ${id}.${frames.length}\nevent: error\ndata: ${data}\n\n`);
      assert.ok(!body.includes(SECRET_IN_ERROR_BODY) && !body.includes(API_KEY));
    });
  }

  test('a connection cut mid-stream: the tokens so far, then upstream_interrupted', T, async () => {
    const release = deferred();
    upstream.enqueue({ kind: 'stream', tokens: ['Half', ' an'], end: 'cut', holdEnd: release.promise });
    const res = await stream({ message: 'q', message_id: 'cut1' });
    const reader = new BodyReader(res);
    await reader.until((t) => receivedTokens(t).length === 2);
    release.resolve();
    const frames = parseFrames(await reader.rest());
    assert.deepEqual(receivedTokens(reader.text), ['Half', ' an']);
    assert.equal(
      frames.at(-1)!.data,
      '{"error":"The model\'s answer was cut off. Please try again.","code":"upstream_interrupted"}',
    );
  });

  const slowStream = (): Reply => ({
    kind: 'stream',
    tokens: Array.from({ length: 500 }, (_, i) => ` t${i}`),
    tokenDelayMs: 10,
  });

  test('POST /chat/stop aborts the upstream request: the model server sees its socket closed', T, async () => {
    upstream.enqueue(slowStream());
    const res = await stream({ message: 'q', message_id: 'stop1' });
    const reader = new BodyReader(res);
    await reader.until((t) => receivedTokens(t).length >= 2);
    const req = lastRequest();
    assert.equal(req.closed, false);
    const stop = await postJson(new URL('/chat/stop', server.url).href, { message_id: 'stop1' });
    assert.deepEqual(await stop.json(), { ok: true, stopped: true });
    await req.socketClosed;
    assert.ok(req.tokensWritten < 500, `the upstream stopped after ${req.tokensWritten} tokens`);
    assert.match(await reader.rest(), /event: done\ndata: \{"status":"stopped"\}\n\n$/);
  });

  test('a client that leaves for longer than RUN_GRACE_MS: the upstream request is aborted', T, async () => {
    upstream.enqueue(slowStream());
    const abort = new AbortController();
    const res = await stream({ message: 'q', message_id: 'gone1' }, { signal: abort.signal });
    const reader = new BodyReader(res);
    await reader.until((t) => receivedTokens(t).length >= 2);
    const req = lastRequest();
    abort.abort();
    await req.socketClosed;
    assert.ok(req.tokensWritten < 500, `the upstream stopped after ${req.tokensWritten} tokens`);
    await eventually(async () => (await activeStreams(server.url)) === 0);
  });

  test('a model server that is not there: upstream_unavailable', T, async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const other = await startServer({ ...env(), LLM_BASE_URL: `http://127.0.0.1:${port}/v1` }, root.dir);
    try {
      const res = await postJson(new URL('/chat/stream', other.url).href, {
        conversation_id: 'c',
        message: 'q',
        message_id: 'x1',
      });
      const frames = parseFrames(await res.text());
      assert.equal(frames[1].event, 'sources');
      assert.equal(
        frames.at(-1)!.raw,
        `id: x1.4\nevent: error\ndata: {"error":"The model service is unavailable. Please try again later.","code":"upstream_unavailable"}\n\n`,
      );
    } finally {
      await other.close();
    }
  });
});

describe('history in POST /chat/stream', () => {
  let root: ReturnType<typeof makeRoot>;
  let server: RunningChatServer;
  before(async () => {
    root = makeRoot();
    server = await startServer({ LLM_BASE_URL: upstream.baseUrl, LLM_MODEL: 'test-model' }, root.dir);
  });
  after(async () => {
    await server.close();
    root.remove();
  });
  const post = (history: unknown) =>
    postJson(new URL('/chat/stream', server.url).href, { conversation_id: 'c', message: 'q', history });

  test('malformed or oversized history is a 400 with a clear ErrorBody, and nothing reaches the model', T, async () => {
    const seen = upstream.requests.length;
    const cases: [unknown, RegExp][] = [
      ['hi', /`history` must be an array/],
      [[{ role: 'system', content: 'x' }], /`history\[0\]\.role` must be "user" or "assistant"/],
      [[{ role: 'user', content: 'ok' }, { role: 'assistant' }], /`history\[1\]\.content` must be a string/],
      [[null], /`history\[0\]` must be an object/],
      [
        Array.from({ length: Limits.maxHistoryTurns + 1 }, () => ({ role: 'user', content: 'x' })),
        /more than 20 entries/,
      ],
      [
        [
          { role: 'user', content: 'a'.repeat(Limits.maxHistoryChars / 2) },
          { role: 'assistant', content: 'b'.repeat(Limits.maxHistoryChars / 2 + 1) },
        ],
        /longer than 32000 characters/,
      ],
    ];
    for (const [history, message] of cases) {
      const res = await post(history);
      assert.equal(res.status, 400, JSON.stringify(history).slice(0, 80));
      const body = (await res.json()) as { error: string; code: string };
      assert.equal(body.code, 'bad_request');
      assert.match(body.error, message);
    }
    assert.equal(upstream.requests.length, seen);
  });

  test('history at the limits is accepted and reaches the model unchanged (extra fields dropped)', T, async () => {
    upstream.enqueue({ kind: 'stream', tokens: ['ok'] });
    const history = Array.from({ length: Limits.maxHistoryTurns }, (_, i) => ({
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: 'x'.repeat(Limits.maxHistoryChars / Limits.maxHistoryTurns),
    }));
    const res = await post(history.map((t) => ({ ...t, id: 'ignored' })));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /event: done/);
    assert.deepEqual((lastRequest().body as { messages: ChatTurn[] }).messages.slice(1, -1), history);
  });
});
