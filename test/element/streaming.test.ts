import '../../src/ai-chat.js';
import type { AiChatDoneEvent } from '../../src/events/ai-chat-done-event.js';
import type { AiChatSendEvent } from '../../src/events/ai-chat-send-event.js';
import type { AiChatStateEvent } from '../../src/events/ai-chat-state-event.js';
import type { AiChatTokenEvent } from '../../src/events/ai-chat-token-event.js';
import { ANSWER, ANSWER_TOKENS } from '../fixtures/sse-fixtures.mjs';
import {
  cleanup,
  expectEqual,
  expectTrue,
  fixture,
  fixtureLog,
  waitForLog,
  lastAnswer,
  part,
  parts,
  record,
  resetFixtureLog,
  waitFor,
} from './helpers.js';

/** What the user sees of the fixture answer: marked turns `- ` items into `<li>`, whose text has no bullet. */
const RENDERED = 'SSE 是单向推送，适合 AI 对话 🚀\n简单\n代理友好 ✅';

function normalise(text: string | undefined): string {
  return (text ?? '').replace(/\n+/g, '\n').trim();
}

describe('<ai-chat> streaming', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('renders the exact answer of the article backend (per-token events, heartbeats, CJK, emoji)', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/article/stream" conversation-id="c-1"></ai-chat>');
    const tokens = record(el, ['ai-chat-token']) as AiChatTokenEvent[];
    const done = record(el, ['ai-chat-done']) as AiChatDoneEvent[];
    await el.send('什么是 SSE?');
    await el.updateComplete;

    expectEqual(normalise(lastAnswer(el)), RENDERED, 'rendered answer');
    expectEqual(el.messages.at(-1)?.content, ANSWER, 'raw markdown kept in messages');
    expectEqual(
      tokens.map((e) => e.detail.token),
      ANSWER_TOKENS,
      'one ai-chat-token per token',
    );
    expectEqual(tokens[0]!.detail.messageId, el.messages.at(-1)!.id, 'token messageId');
    expectEqual(done.length, 1, 'one ai-chat-done');
    expectEqual(done[0]!.detail.message.content, ANSWER, 'done detail carries the message');
    expectEqual(done[0]!.detail.message.status, 'completed', 'done status');
    expectEqual(parts(el, 'user')[0]!.textContent, '什么是 SSE?', 'user bubble');
    expectEqual(el.getAttribute('state'), 'idle', 'state back to idle');

    const { requests } = await fixtureLog();
    expectEqual(requests.length, 1, 'one POST');
    expectEqual(requests[0]!.body.conversation_id, 'c-1', 'conversation_id');
    expectEqual(requests[0]!.body.message, '什么是 SSE?', 'message');
    expectEqual(requests[0]!.body.message_id, el.messages.at(-1)!.id, 'message_id is the answer id');
    expectEqual(requests[0]!.accept, 'text/event-stream', 'accept header');
  });

  it('renders the same answer from {tokens:[...]} batches', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/batched/stream"></ai-chat>');
    const tokens = record(el, ['ai-chat-token']) as AiChatTokenEvent[];
    await el.send('q');
    await el.updateComplete;
    expectEqual(normalise(lastAnswer(el)), RENDERED, 'rendered answer');
    expectEqual(el.messages.at(-1)?.content, ANSWER, 'raw content');
    expectEqual(tokens.length, ANSWER_TOKENS.length, 'a token event per batched token');
  });

  it('treats unnamed raw `data:` frames as tokens', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    await el.send('q');
    await el.updateComplete;
    expectEqual(lastAnswer(el), 'Hello, world!', 'rendered answer');
  });

  it('shows thinking, then sources under the answer, with safe links only', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/sources/stream"></ai-chat>');
    const sending = el.send('q');
    const thinking = await waitFor(
      () => part(el, 'thinking')?.textContent?.trim() === '正在检索知识库...' && part(el, 'thinking'),
      3000,
      'thinking',
    );
    expectEqual(thinking.getAttribute('role'), 'status', 'thinking is a status');
    expectEqual(part(el, 'log')!.getAttribute('aria-busy'), 'true', 'log busy while streaming');
    await sending;
    await el.updateComplete;
    expectEqual(part(el, 'thinking'), null, 'thinking gone after the answer');
    expectEqual(lastAnswer(el), 'See the guide.', 'answer');
    const sources = parts(el, 'source');
    expectEqual(
      sources.map((s) => s.textContent?.trim()),
      ['SSE guide', 'Nginx notes'],
      'source titles',
    );
    const link = sources[0] as HTMLAnchorElement;
    expectEqual(link.tagName, 'A', 'http source is a link');
    expectEqual(link.href, 'https://example.com/sse', 'href');
    expectEqual(link.target, '_blank', 'target');
    expectTrue(link.rel.includes('noopener'), 'rel noopener');
    expectEqual(sources[1]!.tagName, 'SPAN', 'javascript: source is not a link');
    expectEqual(part(el, 'log')!.getAttribute('aria-busy'), 'false', 'log not busy');
  });

  it('fires ai-chat-state connecting → streaming → idle and reflects it', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/article/stream"></ai-chat>');
    const states = record(el, ['ai-chat-state']) as AiChatStateEvent[];
    const reflected: string[] = [];
    new MutationObserver(() => reflected.push(el.getAttribute('state') ?? '')).observe(el, {
      attributes: true,
      attributeFilter: ['state'],
    });
    await el.send('q');
    await el.updateComplete;
    expectEqual(
      states.map((e) => e.detail.state),
      ['connecting', 'streaming', 'idle'],
      'state events',
    );
    expectTrue(
      states.every((e) => e.bubbles && e.composed),
      'state events bubble and are composed',
    );
    expectTrue(reflected.includes('streaming'), 'state attribute reflected streaming');
    expectEqual(el.getAttribute('state'), 'idle', 'final state attribute');
  });

  it('cancelling ai-chat-send sends nothing', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/article/stream"></ai-chat>');
    const seen: string[] = [];
    el.addEventListener('ai-chat-send', (e: AiChatSendEvent) => {
      seen.push(e.detail.message);
      e.preventDefault();
    });
    await el.send('  blocked  ');
    await el.updateComplete;
    expectEqual(seen, ['blocked'], 'send event detail (trimmed)');
    expectEqual(el.messages.length, 0, 'no message appended');
    expectEqual((await fixtureLog()).requests.length, 0, 'no request made');
  });

  it('merges headers from an async function into the request', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    el.headers = async () => ({ Authorization: 'Bearer t0k3n' });
    await el.send('q');
    expectEqual((await fixtureLog()).requests[0]!.authorization, 'Bearer t0k3n', 'authorization header');
  });

  it('Stop keeps the partial answer marked stopped, returns to idle and tells the server', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream"></ai-chat>');
    const done = record(el, ['ai-chat-done']) as AiChatDoneEvent[];
    const sending = el.send('long one');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 6, 4000, 'some tokens');
    await el.updateComplete;
    const stopButton = await waitFor(() => part(el, 'stop'), 1000, 'stop button');
    stopButton.click();
    await sending;
    await el.updateComplete;
    const partial = el.messages.at(-1)!;
    expectEqual(partial.status, 'stopped', 'message status');
    expectTrue(/^w0 w1 /.test(partial.content), `partial text kept: ${partial.content}`);
    expectEqual(lastAnswer(el), partial.content.trim(), 'partial answer still rendered');
    expectEqual(part(el, 'status')?.textContent, 'Stopped', 'stopped note');
    expectEqual(el.getAttribute('state'), 'idle', 'idle after stop');
    expectEqual(part(el, 'stop'), null, 'stop button hidden');
    expectEqual(done[0]?.detail.message.status, 'stopped', 'done event says stopped');
    const { stops: recorded } = await waitForLog((log) => log.stops.length > 0, 'stop POST');
    expectEqual(recorded.length, 1, 'one stop POST');
    expectEqual(recorded[0]!.fixture, 'slow', 'derived stop endpoint /sse/slow/stop');
    expectEqual(recorded[0]!.body.message_id, partial.id, 'stop carries the message_id');
    const length = partial.content.length;
    await new Promise((r) => setTimeout(r, 200));
    expectEqual(el.messages.at(-1)!.content.length, length, 'no tokens after stop');
  });

  it('sending while streaming stops the current answer first', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream"></ai-chat>');
    const first = el.send('first');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 4000, 'first tokens');
    el.endpoint = '/sse/raw/stream';
    await el.send('second');
    await first;
    await el.updateComplete;
    const statuses = el.messages.map((m) => `${m.role}:${m.status}`);
    expectEqual(statuses, ['user:completed', 'assistant:stopped', 'user:completed', 'assistant:completed'], 'statuses');
    expectEqual(lastAnswer(el), 'Hello, world!', 'second answer');
  });

  it('the messages property renders history', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    expectTrue(part(el, 'empty'), 'empty state shown');
    el.messages = [
      { id: 'u1', role: 'user', content: 'Hi **there**' },
      { id: 'a1', role: 'assistant', content: 'Hello **you**', sources: [{ title: 'Doc', url: '/docs' }] },
    ];
    await el.updateComplete;
    expectEqual(part(el, 'empty'), null, 'empty state gone');
    expectEqual(parts(el, 'message').length, 2, 'two messages');
    expectEqual(part(el, 'user')!.textContent, 'Hi **there**', 'user text is not markdown');
    expectEqual(part(el, 'assistant')!.querySelector('strong')?.textContent, 'you', 'assistant markdown rendered');
    expectEqual((part(el, 'source') as HTMLAnchorElement).getAttribute('href'), '/docs', 'relative source link');
    el.clear();
    await el.updateComplete;
    expectEqual(el.messages.length, 0, 'clear empties');
    expectTrue(part(el, 'empty'), 'empty state back');
  });
});
