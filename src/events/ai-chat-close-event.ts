/**
 * Fired when the launcher's panel closes: Escape, the close button, the launcher button, or a script setting `open`.
 * It has no detail; `ai-chat-open` carries the unread count.
 */
export class AiChatCloseEvent extends Event {
  static readonly eventName = 'ai-chat-close';

  constructor() {
    super(AiChatCloseEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-close': AiChatCloseEvent;
  }
}
