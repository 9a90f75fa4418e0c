/**
 * Vue 3 typings for `<ai-chat>` in templates (types only; nothing runs), read by Vue's language tools (vue-tsc,
 * Volar). Enable them once, in any file of the app: `import type {} from 'ai-chat-element/vue';`
 *
 * Vue sets a binding as a DOM property when the element has a property of that name (`:headers`, `:strings`,
 * `:messages`), otherwise as an attribute; `@ai-chat-done` listens to the event of that exact name. Tell Vue's
 * template compiler the tag is a custom element (`compilerOptions.isCustomElement: (tag) => tag === 'ai-chat'`).
 * The shape follows Vue's guide, "Vue and Web Components", section "Web Components and TypeScript".
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { AiChat } from '../components/ai-chat/ai-chat.component.js';
import type { AiChatEventMap, AiChatProperties } from './ai-chat-properties.js';

/** `onAiChatDone`, `onAiChatError`, …: the props Vue compiles `@ai-chat-done` and friends into. */
export type AiChatVueEventProps = {
  [K in keyof AiChatEventMap as `on${KebabToPascal<K>}`]?: (event: AiChatEventMap[K]) => void;
};

type KebabToPascal<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${KebabToPascal<Tail>}`
  : Capitalize<S>;

/** The component type Vue's tools see for `<ai-chat>`: the element itself, plus the props a template may bind. */
export type AiChatVueComponent = new () => AiChat & {
  /** @deprecated For template type checking only; a template ref to `<ai-chat>` is the element itself. */
  $props: HTMLAttributes & AiChatProperties & AiChatVueEventProps & PublicProps;
  /** @deprecated For template type checking only. */
  $emit: EmitFn<{ [K in keyof AiChatEventMap]: (event: AiChatEventMap[K]) => void }>;
};

declare module 'vue' {
  interface GlobalComponents {
    'ai-chat': AiChatVueComponent;
  }
}
