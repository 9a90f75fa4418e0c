import type { ChatMessage } from '../types/chat-message.js';

/** Detail of {@link AiChatDoneEvent}. */
export interface AiChatDoneEventDetail {
  /** The finished assistant message (`status` is `completed` or `stopped`). */
  message: ChatMessage;
}

/** Fired when an answer ends, completed by the server or stopped by the user. */
export class AiChatDoneEvent extends Event {
  static readonly eventName = 'ai-chat-done';
  readonly detail: AiChatDoneEventDetail;

  constructor(detail: AiChatDoneEventDetail) {
    super(AiChatDoneEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-done': AiChatDoneEvent;
  }
}
