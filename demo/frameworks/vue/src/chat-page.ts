import { defineComponent, ref, useTemplateRef } from 'vue';
// Registers <ai-chat> before Vue mounts it, so `:headers` and friends are set as properties (Vue sets a binding as a
// DOM property when the element has one of that name, otherwise as an attribute).
import 'ai-chat-element';
import type { AiChat, AiChatDoneEvent, AiChatErrorEvent, AiChatStrings, ChatMessage } from 'ai-chat-element';
// Template typings of <ai-chat> for vue-tsc / Volar; types only.
import type {} from 'ai-chat-element/vue';

// Plain constants, not refs: setting `messages` replaces the conversation, so it must not change on re-render.
const welcome: ChatMessage[] = [
  { id: 'welcome', role: 'assistant', content: 'Hi! Ask me about **theming** or **events**.', status: 'completed' },
];
const headers = { 'X-Example': 'vue' };
const strings: Partial<AiChatStrings> = { send: 'Ask' };

export const ChatPage = defineComponent({
  setup() {
    const chat = useTemplateRef<AiChat>('chat');
    const question = ref('');
    const status = ref('No answer yet.');
    function ask() {
      void chat.value?.send(question.value);
      question.value = '';
    }
    const onDone = (e: AiChatDoneEvent) => (status.value = `done: ${e.detail.message.content.length} chars`);
    const onError = (e: AiChatErrorEvent) => (status.value = `error: ${e.detail.error}`);
    return { question, status, ask, onDone, onError, welcome, headers, strings };
  },
  template: `
    <main>
      <h1>Vue 3</h1>
      <form @submit.prevent="ask">
        <input v-model="question" aria-label="Question" />
        <button>Ask from Vue</button>
      </form>
      <p id="status" role="status">{{ status }}</p>
      <ai-chat
        ref="chat"
        endpoint="/chat/stream"
        heading="Vue"
        :headers="headers"
        :strings="strings"
        :messages="welcome"
        @ai-chat-done="onDone"
        @ai-chat-error="onError"
      ></ai-chat>
    </main>
  `,
});
