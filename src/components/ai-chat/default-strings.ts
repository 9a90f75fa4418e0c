/** Every piece of UI text the element shows, so hosts can translate or reword it through the `strings` property. */
export interface AiChatStrings {
  inputLabel: string;
  placeholder: string;
  send: string;
  stop: string;
  close: string;
  openChat: string;
  closeChat: string;
  thinking: string;
  sources: string;
  stopped: string;
  failed: string;
  empty: string;
  you: string;
  assistant: string;
  reconnecting: string;
  retry: string;
  copyCode: string;
  copied: string;
}

/** English defaults; `strings` overrides are merged over these. */
export const defaultStrings: AiChatStrings = {
  inputLabel: 'Message',
  placeholder: 'Ask a question…',
  send: 'Send',
  stop: 'Stop',
  close: 'Close',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  thinking: 'Thinking…',
  sources: 'Sources',
  stopped: 'Stopped',
  failed: 'This answer is incomplete.',
  empty: 'Ask anything about the docs.',
  you: 'You',
  assistant: 'Assistant',
  reconnecting: 'Reconnecting…',
  retry: 'Retry',
  copyCode: 'Copy code',
  copied: 'Copied',
};
