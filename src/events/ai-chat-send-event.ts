/** Detail of {@link AiChatSendEvent}. */
export interface AiChatSendEventDetail {
  /** The text the user is about to send. */
  message: string;
}

/**
 * Fired before a message is sent. Cancelable: `preventDefault()` keeps the message from being sent at all, so a host
 * page can validate, rate-limit or route the text elsewhere.
 */
export class AiChatSendEvent extends Event {
  static readonly eventName = 'ai-chat-send';
  readonly detail: AiChatSendEventDetail;

  constructor(detail: AiChatSendEventDetail) {
    super(AiChatSendEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-send': AiChatSendEvent;
  }
}
