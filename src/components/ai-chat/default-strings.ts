/** Every piece of UI text the element shows, so hosts can translate or reword it through the `strings` property. */
export interface AiChatStrings {
  /** The panel title when the `heading` attribute is not set. */
  heading: string;
  inputLabel: string;
  placeholder: string;
  send: string;
  stop: string;
  close: string;
  openChat: string;
  closeChat: string;
  thinking: string;
  sources: string;
  stopped: string;
  failed: string;
  empty: string;
  you: string;
  assistant: string;
  reconnecting: string;
  retry: string;
  copyCode: string;
  copied: string;
  /** Announced (status region, never shown) while an answer streams. */
  generating: string;
  /** Announced when an answer has finished. */
  answerComplete: string;
  /** The launcher's name while its badge shows one unread answer (a whole phrase, so each language words it). */
  openChatNewAnswer: string;
  /** The same for several; `{n}` is replaced by the count. */
  openChatNewAnswers: string;
  // The widget's own error texts, shown when the server gave no words of its own (its text is shown as sent).
  /** The request never reached the server (offline, DNS, refused connection, CORS). */
  errorNetwork: string;
  /** The stream ended without `done` (and retries, if any, ran out). */
  errorPrematureClose: string;
  /** No byte for `heartbeat-timeout` ms, before the first byte or mid-answer. */
  errorStalled: string;
  /** A 200 that is not `text/event-stream` (a login page, a wrong route). */
  errorNotEventStream: string;
  /** An event whose JSON could not be read. */
  errorMalformed: string;
  /** 429, 503, or code `busy` / `rate_limited` / `upstream_rate_limited`. */
  errorBusy: string;
  /** 401, 403. */
  errorAuth: string;
  /** 400, 413. */
  errorRejected: string;
  /** Other 5xx, or an `error` event without a message. */
  errorServer: string;
  /** Anything else (another 4xx, a `headers` function that threw). */
  errorGeneric: string;
}

/** English, the table for every language without its own (see `src/i18n/strings-for-lang.ts`). */
export const defaultStrings: AiChatStrings = {
  heading: 'Ask the docs',
  inputLabel: 'Message',
  placeholder: 'Ask a question…',
  send: 'Send',
  stop: 'Stop',
  close: 'Close',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  thinking: 'Thinking…',
  sources: 'Sources',
  stopped: 'Stopped',
  failed: 'This answer is incomplete.',
  empty: 'Ask anything about the docs.',
  you: 'You',
  assistant: 'Assistant',
  reconnecting: 'Reconnecting…',
  retry: 'Retry',
  copyCode: 'Copy code',
  copied: 'Copied',
  generating: 'Generating answer',
  answerComplete: 'Answer complete',
  openChatNewAnswer: 'Open chat, 1 new answer',
  openChatNewAnswers: 'Open chat, {n} new answers',
  errorNetwork: 'Could not reach the server. Check your connection.',
  errorPrematureClose: 'The answer was cut off.',
  errorStalled: 'The server stopped responding. Please try again.',
  errorNotEventStream: 'The server did not answer with a stream.',
  errorMalformed: 'The server sent a malformed event.',
  errorBusy: 'The server is busy. Please try again in a moment.',
  errorAuth: 'Not authorised. Please sign in and try again.',
  errorRejected: 'That message could not be sent. It may be too long.',
  errorServer: 'The server had a problem. Please try again.',
  errorGeneric: 'Something went wrong. Please try again.',
};
