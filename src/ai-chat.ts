/**
 * Registers `<ai-chat>`. Guarded instead of `@customElement` so loading two copies (ESM and classic bundle, or a
 * double script tag) does not throw, and so importing in Node, where `customElements` is absent, is harmless.
 */
import { AiChat } from './components/ai-chat/ai-chat.component.js';

/**
 * Defines `<ai-chat>` once. Entries also call it explicitly: bundlers honouring `sideEffects` may drop a bare
 * `import './ai-chat.js'`, and a used export cannot be dropped.
 */
export function defineAiChat(): void {
  if (typeof customElements !== 'undefined' && !customElements.get('ai-chat')) {
    customElements.define('ai-chat', AiChat);
  }
}

defineAiChat();

export { AiChat };

declare global {
  interface HTMLElementTagNameMap {
    'ai-chat': AiChat;
  }
}
