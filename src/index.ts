/** The npm ESM entry: registers `<ai-chat>` and exports its class, events and wire types. */
import { defineAiChat } from './ai-chat.js';

defineAiChat();

export { defineAiChat };

export { AiChat } from './components/ai-chat/ai-chat.component.js';
export type { AiChatHeaders } from './components/ai-chat/ai-chat.component.js';
export type { AiChatStrings } from './components/ai-chat/default-strings.js';
export { defaultStrings } from './components/ai-chat/default-strings.js';
export { ChatState } from './controllers/chat-stream-controller.js';
export type { ChatStreamError } from './client/sse-client.js';
export type { MessageStatus, ChatMessage } from './types/chat-message.js';
export { AiChatSendEvent } from './events/ai-chat-send-event.js';
export type { AiChatSendEventDetail } from './events/ai-chat-send-event.js';
export { AiChatTokenEvent } from './events/ai-chat-token-event.js';
export type { AiChatTokenEventDetail } from './events/ai-chat-token-event.js';
export { AiChatDoneEvent } from './events/ai-chat-done-event.js';
export type { AiChatDoneEventDetail } from './events/ai-chat-done-event.js';
export { AiChatErrorEvent } from './events/ai-chat-error-event.js';
export type { AiChatErrorEventDetail } from './events/ai-chat-error-event.js';
export { AiChatRetryEvent } from './events/ai-chat-retry-event.js';
export type { AiChatRetryEventDetail } from './events/ai-chat-retry-event.js';
export { AiChatStateEvent } from './events/ai-chat-state-event.js';
export type { AiChatStateEventDetail } from './events/ai-chat-state-event.js';
export { AiChatOpenEvent } from './events/ai-chat-open-event.js';
export type { AiChatOpenEventDetail } from './events/ai-chat-open-event.js';
export { AiChatCloseEvent } from './events/ai-chat-close-event.js';
export { EventName, ErrorCode, Route, Limits } from './protocol.js';
export type {
  ChatRequest,
  DoneData,
  ErrorBody,
  ErrorData,
  EventDataMap,
  Source,
  SourcesData,
  StopRequest,
  ThinkingData,
  TokenData,
} from './protocol.js';
