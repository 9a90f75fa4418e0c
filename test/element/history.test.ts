// The conversation so far travels with each question (`history` in the request body), so a stateless, model-backed
// server can answer follow-ups: completed turns only, newest kept, within the server's limits. Read from the request
// bodies the fixture server logged, i.e. exactly what the browser sent.
import '../../src/ai-chat.js';
import { Limits } from '../../src/protocol.js';
import type { ChatMessage } from '../../src/types/chat-message.js';
import { cleanup, expectEqual, expectTrue, fixture, resetFixtureLog, waitFor, waitForLog, part } from './helpers.js';

type Body = { message: string; history?: { role: string; content: string }[] };

async function bodies(count: number): Promise<Body[]> {
  const log = await waitForLog((l) => l.requests.length >= count, `${count} requests`);
  return log.requests.map((r) => r.body as Body);
}

describe('<ai-chat> history', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('sends the earlier completed turns with each question, and none with the first', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/echo/stream" max-retries="0"></ai-chat>');
    await el.send('What is SSE?');
    await el.send('And WebSocket?');
    await el.send('Which one for chat?');
    const [first, second, third] = await bodies(3);
    expectEqual(first.history, undefined, 'first question');
    expectEqual(second.history, [
      { role: 'user', content: 'What is SSE?' },
      { role: 'assistant', content: 'What is SSE?' },
    ]);
    expectEqual(third.message, 'Which one for chat?');
    expectEqual(third.history, [
      { role: 'user', content: 'What is SSE?' },
      { role: 'assistant', content: 'What is SSE?' },
      { role: 'user', content: 'And WebSocket?' },
      { role: 'assistant', content: 'And WebSocket?' },
    ]);
  });

  it('leaves out answers that failed or were stopped (their questions stay)', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/echo/stream" max-retries="0"></ai-chat>');
    await el.send('one');
    el.endpoint = '/sse/malformed/stream';
    await el.send('two');
    expectEqual(el.messages.at(-1)?.status, 'error', 'the partial answer is marked failed');
    el.endpoint = '/sse/slow/stream';
    const slow = el.send('three');
    await waitFor(() => el.messages.at(-1)?.content !== '', 4000, 'a first slow token');
    part(el, 'stop')!.click();
    await slow;
    expectEqual(el.messages.at(-1)?.status, 'stopped', 'the partial answer is marked stopped');
    el.endpoint = '/sse/echo/stream';
    await el.send('four');
    const bodiesSent = await bodies(4);
    expectEqual(bodiesSent[3].history, [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'one' },
      { role: 'user', content: 'two' },
      { role: 'user', content: 'three' },
    ]);
  });

  it('a long conversation sends its newest turns within the turn, character and body-size limits', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/echo/stream" max-retries="0"></ai-chat>');
    const turns = (n: number, text: (i: number) => string): ChatMessage[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `m${i}`,
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: text(i),
        status: 'completed',
      }));

    // Short turns: the count limit binds, and the newest 20 go.
    el.messages = turns(30, (i) => `turn ${i}`);
    await el.send('q1');
    // Latin turns of 3000 characters: the 32000-character limit binds first (10 turns).
    el.messages = turns(30, (i) => `${i} `.padEnd(3000, 'a'));
    await el.send('q2');
    // CJK turns of 1500 characters (4500 bytes in UTF-8): the 64 KB body limit binds first.
    el.messages = turns(30, (i) => `${i} `.padEnd(1500, '中'));
    await el.send('q3');

    const [short, latin, cjk] = await bodies(3);
    expectEqual(
      short.history?.map((t) => t.content),
      Array.from({ length: 20 }, (_, i) => `turn ${i + 10}`),
      'the newest 20 turns',
    );
    expectEqual(latin.history?.length, 10, 'turns within 32000 characters');
    expectEqual(latin.history?.at(-1)?.content.startsWith('29 '), true, 'ends with the newest turn');
    expectEqual(latin.history?.[0].content.startsWith('20 '), true, 'a contiguous stretch');
    const cjkHistory = cjk.history ?? [];
    const size = new TextEncoder().encode(JSON.stringify(cjk)).length;
    expectTrue(size <= Limits.maxBodyBytes, `body of ${size} bytes fits ${Limits.maxBodyBytes}`);
    expectTrue(cjkHistory.length >= 10 && cjkHistory.length < 20, `${cjkHistory.length} CJK turns`);
    expectEqual(cjkHistory.at(-1)?.content.startsWith('29 '), true, 'ends with the newest turn');
  });
});
