/**
 * The types framework typings are built from: what a framework may set on `<ai-chat>` and which events it may
 * listen to. Both are derived from the element class and from `GlobalEventHandlersEventMap`, so a new property or a
 * new `ai-chat-*` event is typed for React and Vue without editing this file.
 */
import type { LitElement } from 'lit';
import type { AiChat } from '../components/ai-chat/ai-chat.component.js';

/** Properties the element sets itself and reflects for reading (`state`); setting them from a framework is a bug. */
type ReadOnlyProperties = 'state';

/**
 * Every public property of `<ai-chat>` that is not a method, not read-only and not inherited from
 * `LitElement`/`HTMLElement` (those are already typed by each framework's HTML attribute types), all optional.
 */
export type AiChatProperties = {
  [
    K in keyof AiChat as K extends keyof LitElement | ReadOnlyProperties
      ? never
      : AiChat[K] extends (...args: never[]) => unknown
        ? never
        : K
  ]?: AiChat[K];
};

/** Every `ai-chat-*` event, by name, with its `Event` subclass (e.g. `'ai-chat-done'` → `AiChatDoneEvent`). */
export type AiChatEventMap = {
  [K in keyof GlobalEventHandlersEventMap as K extends `ai-chat-${string}` ? K : never]: GlobalEventHandlersEventMap[K];
};
