import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AiChatStrings } from '../components/ai-chat/default-strings.js';
import { stringsForLang } from './strings-for-lang.js';

/**
 * The language of `el` as HTML defines it: its own `lang`, else the nearest ancestor's, crossing shadow roots to their
 * hosts (an `<ai-chat>` inside another component's shadow tree still follows the page). `lang=""` means "unknown" and
 * stops the inheritance (HTML §3.2.6.2), which yields `''`, i.e. English. No `lang` anywhere also yields `''`.
 */
export function resolveLang(el: Element): string {
  for (let node: Node | null = el; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) {
    const lang = (node as Element).getAttribute?.('lang');
    if (lang != null) return lang.trim();
  }
  return '';
}

/**
 * Gives the host the built-in strings for its language and re-renders it when a `lang` attribute changes on it or on
 * any ancestor in the document (the page's `<html lang>` included), e.g. a site's language switcher. Touches the DOM
 * only while connected, so importing in Node (SSR) is harmless.
 */
export class LangController implements ReactiveController {
  readonly #host: ReactiveControllerHost & Element;
  #observer: MutationObserver | undefined;

  constructor(host: ReactiveControllerHost & Element) {
    this.#host = host;
    host.addController(this);
  }

  /** The built-in table for the host's current language (resolved on each call: cheap, and never stale). */
  get strings(): AiChatStrings {
    return stringsForLang(resolveLang(this.#host));
  }

  hostConnected(): void {
    this.#observer ??= new MutationObserver(() => this.#host.requestUpdate());
    const options = { attributes: true, attributeFilter: ['lang'] };
    // The host itself, for hosts inside a shadow tree (a document-wide subtree observer does not see into those).
    this.#observer.observe(this.#host, options);
    this.#observer.observe(this.#host.ownerDocument.documentElement, { ...options, subtree: true });
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
  }
}
