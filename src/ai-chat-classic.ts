/**
 * Entry of the classic-script bundle: `<script src="ai-chat.js" data-endpoint="/chat/stream"></script>` registers the
 * element and, when `data-endpoint` is present, mounts a launcher with every `data-*` attribute as an attribute:
 * `data-heading`, `data-lang`, `data-theme="dark"`, `data-launcher-position="start"`, `data-open`, and even
 * `data-style="--ai-chat-accent: #7c3aed; --ai-chat-launcher-offset-y: 80px"` for the custom properties.
 * The script may come from another origin than the page; `data-endpoint` then needs an absolute URL (a relative one
 * resolves against the page) and that server must allow the page's origin (CORS).
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
