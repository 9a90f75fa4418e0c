import { createApp } from 'vue';
import { ChatPage } from './chat-page.js';

const app = createApp(ChatPage);
// <ai-chat> is a custom element, not a Vue component: the template compiler must not try to resolve it.
// (With single-file components, put the same function in `vue({ template: { compilerOptions } })` of vite.config.)
app.config.compilerOptions.isCustomElement = (tag) => tag === 'ai-chat';
app.mount('#app');
