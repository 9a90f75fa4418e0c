/** Detail of {@link AiChatErrorEvent}. */
export interface AiChatErrorEventDetail {
  /** A human-readable message, the same text the widget shows. */
  error: string;
  /** `true` when the answer was given up on (no retry follows). */
  fatal: boolean;
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
