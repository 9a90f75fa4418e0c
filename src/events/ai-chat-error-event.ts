import type { ChatStreamError } from '../client/sse-client.js';

/** Detail of {@link AiChatErrorEvent}. */
export interface AiChatErrorEventDetail {
  /**
   * The text the widget shows for it, in the widget's language when the event fires: the server's own message as
   * sent, else the widget's string for the situation (`strings.errorNetwork`, `errorBusy`, …).
   */
  error: string;
  /** `true` when the answer was given up on (no retry follows). */
  fatal: boolean;
  /**
   * The failure as data, for logs and decisions: `kind` (`network`, `premature-close`, `stalled`,
   * `not-event-stream`, `malformed`, `server`, `status`; `undefined` when the `headers` function threw, its error
   * being `cause.cause`), `status` (HTTP), `code` (the server's `ErrorCode`), `fromServer`, and `message`: the
   * server's text when `fromServer`, else a short English tag for logs (`network`, `HTTP 503`, …).
   */
  cause: ChatStreamError;
}

/** Fired when a request or stream fails. The widget stays usable; the next send starts afresh. */
export class AiChatErrorEvent extends Event {
  static readonly eventName = 'ai-chat-error';
  readonly detail: AiChatErrorEventDetail;

  constructor(detail: AiChatErrorEventDetail) {
    super(AiChatErrorEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-error': AiChatErrorEvent;
  }
}
