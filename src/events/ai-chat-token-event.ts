/** Detail of {@link AiChatTokenEvent}. */
export interface AiChatTokenEventDetail {
  /** The text appended to the answer. */
  token: string;
  /** Id of the assistant message the token belongs to. */
  messageId: string;
}

/** Fired for every token appended to the streaming answer (a `{tokens:[...]}` batch fires one per token). */
export class AiChatTokenEvent extends Event {
  static readonly eventName = 'ai-chat-token';
  readonly detail: AiChatTokenEventDetail;

  constructor(detail: AiChatTokenEventDetail) {
    super(AiChatTokenEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'ai-chat-token': AiChatTokenEvent;
  }
}
