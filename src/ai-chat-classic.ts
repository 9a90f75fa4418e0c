/**
 * Entry of the classic-script bundle: `<script src="ai-chat.js" data-endpoint="/chat/stream"></script>` registers the
 * element and, when `data-endpoint` is present, mounts a launcher with every `data-*` attribute as an attribute.
 */
import { defineAiChat } from './ai-chat.js';

defineAiChat();

// `currentScript` is only set while the script's top level runs, so it is captured before anything async.
const script = typeof document !== 'undefined' ? (document.currentScript as HTMLScriptElement | null) : null;
const MOUNTED = Symbol.for('ai-chat.classic-mounted');

function mount(source: HTMLScriptElement): void {
  const globals = globalThis as Record<symbol, unknown>;
  // A page that includes the script twice still gets one widget.
  if (globals[MOUNTED]) return;
  globals[MOUNTED] = true;
  const chat = document.createElement('ai-chat');
  chat.setAttribute('mode', 'launcher');
  for (const [key, value] of Object.entries(source.dataset)) {
    if (value === undefined) continue;
    // dataset keys are camelCase (`conversationId`); element attributes are kebab-case (`conversation-id`).
    chat.setAttribute(
      key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      value,
    );
  }
  document.body.append(chat);
}

if (script?.dataset.endpoint) {
  const source = script;
  if (document.body) mount(source);
  else document.addEventListener('DOMContentLoaded', () => mount(source), { once: true });
}
