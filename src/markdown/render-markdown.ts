/**
 * The only path from model text to HTML. Model output is untrusted (prompt injection can make it emit anything), so
 * everything marked produces is sanitised here before the element puts it into the DOM with `unsafeHTML`.
 */
import { marked } from 'marked';
import DOMPurify from 'dompurify';
import type { Config, DOMPurify as Purifier } from 'dompurify';

/** http, https, mailto and relative URLs; everything else (javascript:, vbscript:, data: links…) is dropped. */
const SAFE_URI = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const CHAT_CONFIG: Config = {
  // Chat answers never need page structure, forms or embeds; each of these could restyle or phish inside the widget.
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'iframe', 'base', 'meta', 'object', 'embed', 'textarea', 'select'],
  FORBID_ATTR: ['style', 'formaction'],
  ALLOWED_URI_REGEXP: SAFE_URI,
};

let purifier: Purifier | undefined;

/** Created on first use so importing this module touches no DOM (safe under SSR and in Node). */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  purifier = DOMPurify(window);
  purifier.addHook('afterSanitizeAttributes', (node) => {
    // Links leave the chat: open them in a new tab without giving the target page a handle on ours.
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  return purifier;
}

/** Renders markdown (GFM) to sanitised HTML, safe to insert as-is. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true });
  return getPurifier().sanitize(html, CHAT_CONFIG);
}

/**
 * The same render as {@link renderMarkdown}, returned as nodes: DOMPurify parses and sanitises, and our code never
 * assigns an HTML string to the DOM (nothing to trip Trusted Types, nothing to re-parse).
 */
export function renderMarkdownFragment(text: string): DocumentFragment {
  const html = marked.parse(text, { async: false, gfm: true });
  return getPurifier().sanitize(html, { ...CHAT_CONFIG, RETURN_DOM_FRAGMENT: true });
}
