/** Detail of {@link AiChatOpenEvent}. */
export interface AiChatOpenEventDetail {
  /** Unread answers the launcher's badge showed when the panel opened (the badge is cleared now). */
  unread: number;
}

/** Fired when the launcher's panel opens: from the launcher button, or by setting `open`. */
export class AiChatOpenEvent extends Event {
  static readonly eventName = 'ai-chat-open';
  readonly detail: AiChatOpenEventDetail;

  constructor(detail: AiChatOpenEventDetail) {
    super(AiChatOpenEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-open': AiChatOpenEvent;
  }
}
