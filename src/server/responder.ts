/**
 * What the chat server runs for each question: anything that yields protocol events. The demo responder is one;
 * the model-backed one (`openai-responder.ts`, chosen when `LLM_BASE_URL` is set) is another. The server owns ids, framing, heartbeats and the final `done`.
 */
import type { ChatTurn, EventDataMap, EventName } from '../protocol.js';

/** One protocol event, its data typed by its name. */
export type ResponderEvent = { [K in EventName]: { event: K; data: EventDataMap[K] } }[EventName];

export interface ResponderContext {
  /** Aborted when the run is stopped or its client left: stop generating and clear timers at once. */
  signal: AbortSignal;
  /** The conversation before this question, oldest first, as the client sent it (validated, bounded); `[]` if none. */
  history: readonly ChatTurn[];
}

/**
 * Yields the events of one answer. It may omit the final `done` (the server adds `done {status:'completed'}`);
 * a throw becomes an `error` event with plain words, never the thrown message.
 */
export type Responder = (question: string, context: ResponderContext) => AsyncIterable<ResponderEvent>;
