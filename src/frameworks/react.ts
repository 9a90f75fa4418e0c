/**
 * React 19 JSX typings for `<ai-chat>` (types only; nothing runs). Enable them once, in any file of the app:
 * `import type {} from 'ai-chat-element/react';`
 *
 * React 19 sets a prop as a property when the element has a property of that name (`headers`, `strings`,
 * `messages`, …), otherwise as an attribute, and a function prop named `on` + event name (`onai-chat-done`) becomes
 * an `addEventListener` for that exact event name (react-dom 19 `setPropOnCustomElement`). These types mirror that:
 * properties by their camelCase names, events as `onai-chat-*` props typed with their `Event` subclass.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { AiChat } from '../components/ai-chat/ai-chat.component.js';
import type { AiChatEventMap, AiChatProperties } from './ai-chat-properties.js';

/** `onai-chat-done`, `onai-chat-error`, …: each listener gets the event's own class. */
export type AiChatReactEventProps = {
  [K in keyof AiChatEventMap as `on${K}`]?: (event: AiChatEventMap[K]) => void;
};

/** Everything `<ai-chat>` accepts in React JSX: HTML attributes, `ref`, the element's properties and its events. */
export type AiChatReactProps = DetailedHTMLProps<HTMLAttributes<AiChat>, AiChat> &
  AiChatProperties &
  AiChatReactEventProps;

declare module 'react' {
  // Module augmentation of React's own JSX namespace: ambient and type-only, nothing is emitted.
  // eslint-disable-next-line @typescript-eslint/no-namespace, no-restricted-syntax
  namespace JSX {
    interface IntrinsicElements {
      'ai-chat': AiChatReactProps;
    }
  }
}
