/** Detail of {@link AiChatRetryEvent}. */
export interface AiChatRetryEventDetail {
  /** 1 for the first retry. */
  attempt: number;
  /** Milliseconds until the retry starts. */
  delay: number;
}

/** Fired when the widget schedules a reconnect after a transient failure. */
export class AiChatRetryEvent extends Event {
  static readonly eventName = 'ai-chat-retry';
  readonly detail: AiChatRetryEventDetail;

  constructor(detail: AiChatRetryEventDetail) {
    super(AiChatRetryEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-retry': AiChatRetryEvent;
  }
}
