import '../../src/ai-chat.js';
import type { AiChatErrorEvent } from '../../src/events/ai-chat-error-event.js';
import type { AiChatRetryEvent } from '../../src/events/ai-chat-retry-event.js';
import { ANSWER } from '../fixtures/sse-fixtures.mjs';
import {
  cleanup,
  expectEqual,
  expectTrue,
  fixture,
  fixtureLog,
  lastAnswer,
  part,
  record,
  resetFixtureLog,
  waitFor,
} from './helpers.js';

const requestsFor = async (name: string) => (await fixtureLog()).requests.filter((r) => r.fixture === name);
const idle = (el: Element) => el.getAttribute('state') === 'idle';

describe('<ai-chat> resilience against the wire', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('two 500s then success: retries with backoff and shows the answer once', async () => {
    const el = await fixture(`<ai-chat retry-delay="20" endpoint="/sse/flaky/stream"></ai-chat>`);
    const events = record(el, ['ai-chat-retry', 'ai-chat-error', 'ai-chat-state']);
    const reconnecting: boolean[] = [];
    el.addEventListener(
      'ai-chat-retry',
      () => void el.updateComplete.then(() => reconnecting.push(!!part(el, 'reconnecting'))),
    );
    await el.send('q');
    expectEqual(el.messages.at(-1)?.content, ANSWER, 'whole answer, once');
    expectEqual(el.messages.filter((m) => m.role === 'user').length, 1, 'the question is shown once');
    const retries = events.filter((e) => e.type === 'ai-chat-retry') as AiChatRetryEvent[];
    expectEqual(
      retries.map((e) => e.detail.attempt),
      [1, 2],
      'two retries',
    );
    expectTrue(
      events.some((e) => e.type === 'ai-chat-state' && (e as CustomEvent).detail.state === 'retrying'),
      'state=retrying',
    );
    expectEqual(reconnecting, [true, true], '"Reconnecting…" was shown during each wait');
    expectEqual((await requestsFor('flaky')).length, 3, 'three requests');
    const errors = events.filter((e) => e.type === 'ai-chat-error') as AiChatErrorEvent[];
    expectTrue(
      errors.every((e) => e.detail.fatal === false),
      'transient errors are not fatal',
    );
    expectEqual(part(el, 'error'), null, 'no error left on screen');
    expectTrue(idle(el), 'idle');
  });

  it('401 makes exactly one request and a fatal error', async () => {
    const el = await fixture(`<ai-chat retry-delay="20" endpoint="/sse/unauthorized/stream"></ai-chat>`);
    const errors = record(el, ['ai-chat-error']) as AiChatErrorEvent[];
    await el.send('q');
    expectEqual((await requestsFor('unauthorized')).length, 1, 'one request');
    expectEqual(errors.length, 1, 'one error');
    expectEqual(errors[0]!.detail.fatal, true, 'fatal');
  });

  it('a text/html 200 is fatal: no retry', async () => {
    const el = await fixture(`<ai-chat retry-delay="20" endpoint="/sse/html/stream"></ai-chat>`);
    await el.send('q');
    expectEqual((await requestsFor('html')).length, 1, 'one request');
    expectEqual(el.getAttribute('state'), 'error', 'state=error');
  });

  it('503 with Retry-After: 1 waits at least a second before retrying', async () => {
    const el = await fixture(`<ai-chat retry-delay="20" endpoint="/sse/busy-once/stream"></ai-chat>`);
    await el.send('q');
    const reqs = await requestsFor('busy-once');
    expectEqual(reqs.length, 2, 'two requests');
    expectTrue(reqs[1]!.at - reqs[0]!.at >= 1000, `waited ${reqs[1]!.at - reqs[0]!.at} ms`);
    expectTrue(lastAnswer(el)?.startsWith('SSE 是单向推送'), 'answer shown');
  });

  it('after the last retry: a clear error, and Retry resumes without repeating the question', async () => {
    const el = await fixture(`<ai-chat retry-delay="10" max-retries="1" endpoint="/sse/flaky/stream"></ai-chat>`);
    await el.send('q');
    expectEqual(el.getAttribute('state'), 'error', 'gave up after one retry');
    expectTrue(part(el, 'error')?.textContent?.trim(), 'error shown');
    const retry = part(el, 'retry');
    expectTrue(retry, 'Retry button shown');
    retry!.click();
    await waitFor(() => idle(el) && lastAnswer(el), 4000, 'the resumed answer');
    expectTrue(lastAnswer(el)?.startsWith('SSE 是单向推送'), 'answer shown');
    expectEqual(el.messages.filter((m) => m.role === 'user').length, 1, 'the question is shown once');
    expectEqual(el.messages.filter((m) => m.role === 'assistant').length, 1, 'one answer');
    const reqs = await requestsFor('flaky');
    expectEqual(new Set(reqs.map((r) => r.body.message_id)).size, 1, 'Retry reuses the message_id');
  });

  it('a silent stream is retried after heartbeat-timeout and resumed from the last applied event, once', async () => {
    const el = await fixture(
      `<ai-chat retry-delay="10" heartbeat-timeout="400" endpoint="/sse/silent/stream"></ai-chat>`,
    );
    const retries = record(el, ['ai-chat-retry']);
    await el.send('q');
    expectEqual(el.messages.at(-1)?.content, ANSWER, 'exact answer, nothing lost or repeated');
    expectEqual(retries.length, 1, 'one retry');
    const reqs = await requestsFor('silent');
    expectEqual(reqs.length, 2, 'two requests');
    expectEqual(reqs[0]!.lastEventId, null, 'first request has no Last-Event-ID');
    expectEqual(reqs[1]!.lastEventId, `${reqs[0]!.body.message_id}.3`, 'resume sends the last applied id');
  });

  it('a slow stream kept alive by heartbeats is never retried', async () => {
    const el = await fixture(
      `<ai-chat retry-delay="10" heartbeat-timeout="300" endpoint="/sse/heartbeat-slow/stream"></ai-chat>`,
    );
    const retries = record(el, ['ai-chat-retry']);
    await el.send('q');
    expectEqual(lastAnswer(el), 'Slow but alive', 'answer');
    expectEqual(retries.length, 0, 'no retry');
    expectEqual((await requestsFor('heartbeat-slow')).length, 1, 'one request');
  });

  it('a backend without ids that is cut and answers again replaces the partial answer, never duplicates it', async () => {
    const el = await fixture(`<ai-chat retry-delay="10" max-retries="1" endpoint="/sse/cutoff/stream"></ai-chat>`);
    await el.send('q');
    // cutoff sends "Half an answer" and closes every time: the retry restarts from scratch and replaces the text.
    expectEqual(el.messages.at(-1)?.content, 'Half an answer', 'not "Half an answerHalf an answer"');
    expectEqual((await requestsFor('cutoff')).length, 2, 'retried once');
  });

  it('a hidden tab mid-answer makes no second request', async () => {
    const el = await fixture(`<ai-chat endpoint="/sse/slow/stream"></ai-chat>`);
    const done = el.send('q');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 10, 4000, 'some tokens');
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden')!;
    const visibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    try {
      document.dispatchEvent(new Event('visibilitychange'));
      await new Promise((r) => setTimeout(r, 300));
      Object.defineProperty(document, 'hidden', hidden);
      Object.defineProperty(document, 'visibilityState', visibility);
      document.dispatchEvent(new Event('visibilitychange'));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      delete (document as unknown as Record<string, unknown>).hidden;
      delete (document as unknown as Record<string, unknown>).visibilityState;
    }
    el.stop();
    await done;
    expectEqual((await requestsFor('slow')).length, 1, 'one request');
    expectTrue(/^w0 w1 w2 /.test(el.messages.at(-1)!.content), 'the answer was not restarted');
  });
});
