import type { ChatState } from '../controllers/chat-stream-controller.js';

/** Detail of {@link AiChatStateEvent}. */
export interface AiChatStateEventDetail {
  /** The new connection state, also reflected as the element's `state` attribute. */
  state: ChatState;
}

/** Fired whenever the connection state changes. */
export class AiChatStateEvent extends Event {
  static readonly eventName = 'ai-chat-state';
  readonly detail: AiChatStateEventDetail;

  constructor(detail: AiChatStateEventDetail) {
    super(AiChatStateEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-state': AiChatStateEvent;
  }
}
