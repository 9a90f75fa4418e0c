// <ai-chat> against the built companion server configured with LLM_* in front of a loopback fake OpenAI upstream
// (test/fixtures/companion.mjs): what a reader sees of a model's streamed answer, its sources, a model failure, a
// follow-up carrying the conversation, and that Stop reaches the model server's socket.
import '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, lastAnswer, part, parts, waitFor } from './helpers.js';

interface UpstreamRequest {
  body: { model: string; messages: { role: string; content: string }[] };
  authorization: string | null;
  closed: boolean;
  completed: boolean;
  tokensWritten: number;
}

const info = (await (await fetch('/companion/info')).json()) as { model: string };

async function upstreamRequests(): Promise<UpstreamRequest[]> {
  return (await fetch('/companion/upstream')).json() as Promise<UpstreamRequest[]>;
}

async function enqueue(reply: unknown): Promise<void> {
  await fetch(`/companion/upstream/enqueue?reply=${encodeURIComponent(JSON.stringify(reply))}`);
}

describe('<ai-chat> answered by a model', () => {
  afterEach(cleanup);

  it('shows the streamed model answer as markdown, with the sources, and sends the conversation on', async () => {
    const el = await fixture(`<ai-chat endpoint="${info.model}/chat/stream" max-retries="0"></ai-chat>`);
    await enqueue({ kind: 'stream', tokens: ['Use **', 'custom properties', '**.'], tokenDelayMs: 10 });
    const before = (await upstreamRequests()).length;
    await el.send('How do I theme the widget?');
    await el.updateComplete;
    expectEqual(lastAnswer(el), 'Use custom properties.');
    expectEqual(parts(el, 'assistant').at(-1)?.querySelector('strong')?.textContent, 'custom properties');
    expectTrue(parts(el, 'source').length > 0, 'sources are listed under the answer');

    await enqueue({ kind: 'stream', tokens: ['Yes.'] });
    await el.send('Also the dark mode?');
    await el.updateComplete;
    expectEqual(lastAnswer(el), 'Yes.');
    const sent = (await upstreamRequests()).slice(before);
    expectEqual(sent.length, 2);
    expectEqual(sent[1].authorization, 'Bearer sk-browser-test-key');
    expectEqual(sent[1].body.model, 'fake-model');
    expectEqual(sent[1].body.messages.slice(1), [
      { role: 'user', content: 'How do I theme the widget?' },
      { role: 'assistant', content: 'Use **custom properties**.' },
      { role: 'user', content: 'Also the dark mode?' },
    ]);
  });

  it('a rate-limited model shows plain words, and the widget stays usable', async () => {
    const el = await fixture(`<ai-chat endpoint="${info.model}/chat/stream" max-retries="0"></ai-chat>`);
    await enqueue({ kind: 'status', status: 429, headers: { 'Retry-After': '20' } });
    await el.send('How do I theme the widget?');
    await el.updateComplete;
    const error = await waitFor(() => part(el, 'error'), 4000, 'the error');
    expectTrue(
      error.textContent!.includes('The model service is busy. Please try again in 20 seconds.'),
      `error text: ${error.textContent}`,
    );
    expectTrue(!el.shadowRoot!.textContent!.includes('UPSTREAM-ERROR-BODY-DETAIL'), 'the upstream body never shows');

    await enqueue({ kind: 'stream', tokens: ['Back.'] });
    await el.send('Again?');
    await el.updateComplete;
    expectEqual(lastAnswer(el), 'Back.');
  });

  it('Stop closes the connection to the model server', async () => {
    const el = await fixture(`<ai-chat endpoint="${info.model}/chat/stream" max-retries="0"></ai-chat>`);
    const tokens = Array.from({ length: 500 }, (_, i) => `w${i} `);
    await enqueue({ kind: 'stream', tokens, tokenDelayMs: 20 });
    const answered = el.send('Tell me everything.');
    await waitFor(() => (lastAnswer(el) ?? '').includes('w2'), 4000, 'the first tokens');
    const index = (await upstreamRequests()).length - 1;
    part(el, 'stop')!.click();
    await answered;
    const request = await waitFor(
      async () => {
        const r = (await upstreamRequests())[index];
        return r.closed ? r : undefined;
      },
      4000,
      'the model server to see its socket closed',
    );
    expectTrue(request.tokensWritten < tokens.length, `the model stopped after ${request.tokensWritten} tokens`);
    expectEqual(el.messages.at(-1)?.status, 'stopped');
  });
});
