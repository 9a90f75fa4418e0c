// Resume against the real companion server: a TCP proxy cuts the stream at every kind of place and the final text
// must equal the uncut answer exactly; Stop and removal end the server's generation.
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, waitFor } from './helpers.js';

interface Info {
  direct: string;
  proxied: string;
  slow: string;
}
const info: Info = await (await fetch('/companion/info')).json();
const QUESTION = 'How do I theme the widget?';

async function answerVia(base: string, attrs = ''): Promise<AiChat> {
  const el = await fixture(`<ai-chat retry-delay="10" ${attrs} endpoint="${base}/chat/stream"></ai-chat>`);
  await el.send(QUESTION);
  return el;
}

async function activeStreams(base: string): Promise<number> {
  return ((await (await fetch(`${base}/healthz`)).json()) as { active_streams: number }).active_streams;
}

describe('<ai-chat> resume through a cutting proxy (companion server)', () => {
  afterEach(cleanup);

  let uncut = '';
  before(async () => {
    const el = await answerVia(info.direct);
    uncut = el.messages.at(-1)!.content;
    expectTrue(uncut.length > 100, 'the uncut answer is long enough to cut');
    cleanup();
  });

  for (const mode of ['before-first-event', 'after-id', 'inside-data', 'between-events']) {
    it(`cut ${mode}: the final text equals the uncut answer exactly`, async () => {
      const cutsBefore: string[] = await (await fetch('/companion/cuts')).json();
      await fetch(`/companion/arm?mode=${mode}&nth=5`, { method: 'POST' });
      const el = await answerVia(info.proxied);
      const cuts: string[] = await (await fetch('/companion/cuts')).json();
      expectEqual(cuts.length, cutsBefore.length + 1, 'the proxy cut the stream');
      expectEqual(el.messages.at(-1)!.content, uncut, 'exact answer, nothing lost or repeated');
      expectEqual(el.messages.at(-1)!.status, 'completed', 'completed');
      expectEqual(el.messages.filter((m) => m.role === 'user').length, 1, 'question shown once');
      expectEqual(el.getAttribute('state'), 'idle', 'idle');

      // Exact text alone could also come from a restart; prove the server continued the run instead.
      const streams: { lastEventId: string | null; firstId: string | null }[] = await (
        await fetch('/companion/streams')
      ).json();
      const resumed = streams.at(-1)!;
      const runId = el.messages.at(-1)!.id;
      if (mode === 'before-first-event') {
        expectEqual(resumed.lastEventId, null, 'nothing was applied, so nothing to resume from');
      } else {
        const sent = resumed.lastEventId?.match(/^(.+)\.(\d+)$/);
        expectTrue(sent && sent[1] === runId, `resume sent Last-Event-ID of this run: ${resumed.lastEventId}`);
        const first = resumed.firstId?.match(/^(.+)\.(\d+)$/);
        expectTrue(
          first && first[1] === runId && Number(first[2]) > Number(sent![2]),
          `the server continued after ${resumed.lastEventId}, answering from ${resumed.firstId}`,
        );
      }
    });
  }

  it('a stalled stream is retried after heartbeat-timeout and completes exactly once', async () => {
    await fetch('/companion/arm?mode=stall&nth=5', { method: 'POST' });
    const retries: Event[] = [];
    const el = await fixture(
      `<ai-chat retry-delay="10" heartbeat-timeout="500" endpoint="${info.proxied}/chat/stream"></ai-chat>`,
    );
    el.addEventListener('ai-chat-retry', (e) => retries.push(e));
    await el.send(QUESTION);
    expectEqual(retries.length, 1, 'one retry after the stall');
    expectEqual(el.messages.at(-1)!.content, uncut, 'exact answer');
  });

  it("Stop ends the server's generation within 1 s", async () => {
    const el = await fixture(`<ai-chat endpoint="${info.slow}/chat/stream"></ai-chat>`);
    const done = el.send(QUESTION);
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 5000, 'first tokens');
    expectEqual(await activeStreams(info.slow), 1, 'one run generating');
    el.stop();
    await done;
    const t0 = performance.now();
    await waitFor(async () => (await activeStreams(info.slow)) === 0, 1000, 'active_streams back to 0');
    expectTrue(performance.now() - t0 <= 1000, 'within 1 s');
    expectEqual(el.messages.at(-1)!.status, 'stopped', 'partial answer kept, marked stopped');
  });

  it("removing the element ends the server's generation within 1 s", async () => {
    const el = await fixture(`<ai-chat endpoint="${info.slow}/chat/stream"></ai-chat>`);
    void el.send(QUESTION);
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 5000, 'first tokens');
    el.remove();
    await waitFor(async () => (await activeStreams(info.slow)) === 0, 1000, 'active_streams back to 0');
  });
});
