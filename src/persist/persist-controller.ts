import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatMessage } from '../types/chat-message.js';
import {
  GENERATED_ID_KEY,
  browserStorage,
  conversationKey,
  forget,
  keptConversationId,
  loadConversation,
  saveConversation,
} from './conversation-storage.js';

/** What the controller reads from its element. */
export interface PersistHost extends ReactiveControllerHost, HTMLElement {
  persist: boolean;
  conversationId: string | undefined;
  messages: ChatMessage[];
}

/**
 * `persist` for an element: restores the kept conversation before the first render (no flash of an empty log), and
 * saves it when a question is sent, when an answer ends however it ends (`ai-chat-done`, `ai-chat-error`; a widget
 * removed mid-answer stops it, which ends it), and on `pagehide`, so an answer cut by leaving the page comes back
 * marked stopped. With `persist` off it neither reads nor writes anything.
 */
export class PersistController implements ReactiveController {
  readonly #host: PersistHost;
  readonly #storage = browserStorage();
  #generatedId: string | undefined;
  /** The conversation last restored (`undefined`: none, or `persist` off), so a new `conversation-id` loads its own. */
  #restored: string | undefined;

  constructor(host: PersistHost) {
    this.#host = host;
    host.addController(this);
    // On the host itself, and never removed: a removal mid-answer fires `ai-chat-done` during disconnection.
    host.addEventListener('ai-chat-done', this.#save);
    host.addEventListener('ai-chat-error', this.#save);
    // `ai-chat-send` fires just before the question is appended (synchronously, in the same task).
    host.addEventListener('ai-chat-send', () => queueMicrotask(this.#save));
  }

  /** The `conversation_id` to send: the attribute, else a generated id, kept across loads while `persist` is on. */
  get conversationId(): string {
    return (
      this.#host.conversationId ||
      (this.#generatedId ??= this.#host.persist
        ? keptConversationId(this.#storage, () => crypto.randomUUID())
        : crypto.randomUUID())
    );
  }

  hostConnected(): void {
    addEventListener('pagehide', this.#save);
    addEventListener('storage', this.#onStorage);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.#save);
    removeEventListener('storage', this.#onStorage);
  }

  /**
   * Another tab saved (or cleared) this conversation: show its version, so this tab's next save (`pagehide` at the
   * latest) does not overwrite it with an older one. Not while an answer streams here: that answer's save wins.
   */
  #onStorage = (event: StorageEvent): void => {
    const host = this.#host;
    if (!host.persist || event.key !== conversationKey(this.conversationId)) return;
    if (host.messages.at(-1)?.status === 'streaming') return;
    host.messages = loadConversation(this.#storage, this.conversationId);
  };

  hostUpdate(): void {
    const id = this.#host.persist ? this.conversationId : undefined;
    if (id === this.#restored) return;
    const previous = this.#restored;
    this.#restored = id;
    const saved = id === undefined ? [] : loadConversation(this.#storage, id);
    // On first load an empty record must not wipe messages the app set; a switch to another conversation must show
    // that conversation, even an empty one, or the old turns would be sent and then saved under the new id.
    if (saved.length || (previous !== undefined && id !== undefined)) this.#host.messages = saved;
  }

  /** Forgets the kept conversation, and a generated id with it, so what follows is a new conversation. */
  clear(): void {
    if (!this.#host.persist) return;
    forget(this.#storage, conversationKey(this.conversationId));
    if (!this.#host.conversationId) {
      forget(this.#storage, GENERATED_ID_KEY);
      this.#generatedId = undefined;
    }
  }

  #save = (): void => {
    if (this.#host.persist) saveConversation(this.#storage, this.conversationId, this.#host.messages);
  };
}
