import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
// Registers <ai-chat>. It must run before React renders the tag: React 19 sets a prop as a property only when the
// element already has that property, otherwise as an attribute (a string).
import 'ai-chat-element';
import type { AiChat, AiChatStrings, ChatMessage } from 'ai-chat-element';
// The JSX typings of <ai-chat> (props, `ref`, `onai-chat-*` events); types only.
import type {} from 'ai-chat-element/react';

// Module-level constants keep the same object across renders. That matters for `messages`: setting it replaces the
// conversation, so an inline array literal would wipe the chat on every re-render.
const welcome: ChatMessage[] = [
  { id: 'welcome', role: 'assistant', content: 'Hi! Ask me about **theming** or **events**.', status: 'completed' },
];
const headers = { 'X-Example': 'react' };
const strings: Partial<AiChatStrings> = { send: 'Ask' };

export function ChatPage() {
  const chat = useRef<AiChat>(null);
  const [status, setStatus] = useState('No answer yet.');

  function ask(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const question = String(new FormData(form).get('question') ?? '');
    form.reset();
    void chat.current?.send(question);
  }

  return (
    <main>
      <h1>React 19</h1>
      <form onSubmit={ask}>
        <input name="question" aria-label="Question" />
        <button>Ask from React</button>
      </form>
      <p id="status" role="status">
        {status}
      </p>
      <ai-chat
        ref={chat}
        endpoint="/chat/stream"
        heading="React"
        headers={headers}
        strings={strings}
        messages={welcome}
        onai-chat-done={(e) => setStatus(`done: ${e.detail.message.content.length} chars`)}
        onai-chat-error={(e) => setStatus(`error: ${e.detail.error}`)}
      />
    </main>
  );
}
