import type { Source } from '../protocol.js';

/** Lifecycle of one message: user messages are always `completed`; assistant answers move through the rest. */
export const MessageStatus = {
  streaming: 'streaming',
  completed: 'completed',
  stopped: 'stopped',
  error: 'error',
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

/** One entry of the conversation, as held in `<ai-chat>.messages`. */
export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  /** Raw markdown for assistant messages, plain text for user messages; never HTML. */
  content: string;
  status?: MessageStatus;
  sources?: Source[];
}
