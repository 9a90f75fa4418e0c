/**
 * The demo's stand-in for a model: retrieve passages from the docs, then stream an answer built only from them.
 * It is deterministic (same question → same events) so tests and the e2e suite can compare answers exactly, and it
 * stops promptly on abort with its pacing timer cleared, as a real model call must.
 */
import { EventName } from '../protocol.js';
import type { DocIndex } from './doc-index.js';
import type { ResponderEvent } from './responder.js';

export interface DemoResponderOptions {
  index: DocIndex;
  signal: AbortSignal;
  /** Pause before each token, in ms (the `TOKEN_DELAY_MS` setting); 0 still yields to the event loop between tokens. */
  tokenDelayMs: number;
}

/** The answer when no passage matches: fixed, so it is as deterministic as the rest. */
export const NO_MATCH_ANSWER =
  "I couldn't find anything about that in this project's documentation. " +
  'Try asking about embedding the widget, theming it, or the streaming protocol.';

/** How many passages are listed as sources. */
const SOURCE_COUNT = 3;

/**
 * Splits text into word-ish tokens, each word carrying the whitespace before it, so joining the tokens gives the
 * text back exactly (markdown line breaks included).
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** The full answer for a question: a short intro naming the best passage, then that passage's markdown. */
export function buildAnswer(index: DocIndex, question: string): string {
  const [top] = index.search(question, 1);
  if (top === undefined) return NO_MATCH_ANSWER;
  return `From **${top.title}**:\n\n${top.text}`;
}

/** Resolves after `ms`, or early (returning false) when `signal` aborts; the timer never outlives the wait. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function* demoResponder(
  question: string,
  { index, signal, tokenDelayMs }: DemoResponderOptions,
): AsyncGenerator<ResponderEvent> {
  if (signal.aborted) return;
  yield { event: EventName.thinking, data: { status: 'retrieving', message: 'Searching the docs…' } };
  if (signal.aborted) return;

  const passages = index.search(question, SOURCE_COUNT);
  yield {
    event: EventName.sources,
    data: {
      count: passages.length,
      sources: passages.map(({ title, url, snippet }) => ({ title, url, snippet })),
    },
  };

  for (const token of tokenize(buildAnswer(index, question))) {
    // Even at 0 ms the pause goes through a timer, so a stop request or a closed socket is seen between tokens.
    if (!(await pause(tokenDelayMs, signal))) return;
    yield { event: EventName.token, data: { token } };
  }
  if (signal.aborted) return;
  yield { event: EventName.done, data: { status: 'completed' } };
}
