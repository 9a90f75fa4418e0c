/**
 * The only path from model text to HTML. Model output is untrusted (prompt injection can make it emit anything), so
 * everything marked produces is sanitised here, on every render, before the element puts it into the DOM.
 *
 * See docs/security.md for the threat model, the allowlists and the CSP / Trusted Types a site owner needs.
 */
import { Marked } from 'marked';
import type { Token, TokensList } from 'marked';
import DOMPurify from 'dompurify';
import type { Config, DOMPurify as Purifier } from 'dompurify';

export interface RenderOptions {
  /**
   * Origins (`https://cdn.example.com`) whose images may load. An image anywhere else, including a relative URL when
   * the page's own origin is not listed, becomes a link to the image instead, so rendering an answer never makes a
   * request the model chose. The keyword `self` stands for the page's origin. Default: none (no remote image loads).
   */
  imageOrigins?: readonly string[];
}

/**
 * http, https, mailto and relative URLs; everything else (javascript:, vbscript:, data:, unknown schemes) is dropped.
 * DOMPurify tests it after the HTML parser has decoded entities and after removing all whitespace and control
 * characters, so `jav&#x09;ascript:`, ` javascript:` and `java\0script:` are tested as `javascript:`. A value is
 * relative when it does not start with `scheme:` (a letter, then letters, digits, `+`, `-`, `.`, then a colon).
 */
const SAFE_URI = /^(?:(?:https?|mailto):|[^a-z]|[a-z][a-z\d+.-]*(?:[^a-z\d+.\-:]|$))/i;

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * Raw HTML that marked passes through is defused before the browser parses it: tags the sanitiser forbids and that a
 * CSP polices (`<script>` → `<x-blocked-script>`) and event-handler / style attributes (`onerror=` → `x-onerror=`).
 * Not a security boundary (DOMPurify is, and removes what these become): browsers report a CSP violation as soon as
 * such markup is *parsed*, even in DOMPurify's inert document, so without this every hostile answer would fill a
 * site's CSP reports with `script-src-attr`, `style-src-elem` and `base-uri` noise.
 */
const CSP_TAG = /<(\/?)(script|style|base|link|meta|iframe|frame|object|embed)(?=[\s/>]|$)/gi;
const CSP_ATTR = /([\s"'/])((?:on[a-z]+|style)\s*=)/gi;
const BLOCKED_PREFIX = 'x-blocked-';
/**
 * The renamed container tags' content is dropped with them (a script's body is not shown as text). The renamed void
 * tags (link, meta, base, frame, embed) are no longer void, so whatever follows ends up inside them: that is kept.
 */
const BLOCKED_TAGS = ['script', 'style', 'iframe', 'object'].map((tag) => BLOCKED_PREFIX + tag);

function defuseHtml(html: string): string {
  return html.replace(CSP_TAG, `<$1${BLOCKED_PREFIX}$2`).replace(CSP_ATTR, '$1x-$2');
}

const CHAT_CONFIG: Config = {
  // HTML only: SVG and MathML are namespace-confusion (mutation XSS) surface and never needed in a chat answer.
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    // Styles and page structure: could restyle the widget, exfiltrate via CSS or retarget relative URLs.
    'style',
    'link',
    'meta',
    'base',
    'title',
    // Forms: phishing inside a trusted-looking widget.
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'option',
    'optgroup',
    'datalist',
    'fieldset',
    'output',
    // Embeds and frames.
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    // Media that load on render (`<img>` is handled by the image policy below).
    'audio',
    'video',
    'source',
    'track',
    'picture',
    'map',
    'area',
    // Foreign content, raw-text and inert containers: mutation-XSS classics.
    'svg',
    'math',
    'noscript',
    'noembed',
    'noframes',
    'xmp',
    'plaintext',
    'template',
    // A <slot> inside our shadow root would project the host page's light DOM into an answer.
    'slot',
  ],
  FORBID_ATTR: [
    'style',
    // Resource loads outside the image policy.
    'srcset',
    'sizes',
    'background',
    'poster',
    'ping',
    'formaction',
    'action',
    'download',
    // Shadow DOM styling hooks and slotting: an answer must not dress up as the element's own UI.
    'part',
    'exportparts',
    'slot',
    // Customised built-ins registered by the host page.
    'is',
  ],
  ADD_FORBID_CONTENTS: BLOCKED_TAGS,
  ALLOWED_URI_REGEXP: SAFE_URI,
  // Drop id/name that clobber document or form properties, and prefix the rest with `user-content-`.
  SANITIZE_DOM: true,
  SANITIZE_NAMED_PROPS: true,
};

/** A private marked instance: a host page's `marked.use(...)` must not change (or unsanitise) our output. */
const markdown = new Marked({
  async: false,
  gfm: true,
  walkTokens(token) {
    if (token.type === 'html' && typeof token.text === 'string') token.text = defuseHtml(token.text);
  },
});

/** Whether `url` resolves (against the page) to http, https or mailto. */
function isSafeUrl(url: string, base: string): boolean {
  try {
    return SAFE_PROTOCOLS.has(new URL(url, base).protocol);
  } catch {
    return false;
  }
}

/** The origins of `entries` (`self` → the page's), ignoring anything that is not an http(s) URL. */
function originsOf(entries: readonly string[] | undefined, pageOrigin: string): Set<string> {
  const origins = new Set<string>();
  for (const entry of entries ?? []) {
    const trimmed = entry.trim();
    if (/^(self|'self')$/i.test(trimmed)) {
      origins.add(pageOrigin);
      continue;
    }
    try {
      const url = new URL(trimmed);
      if (/^https?:$/.test(url.protocol)) origins.add(url.origin);
    } catch {
      // Not a URL: ignored.
    }
  }
  return origins;
}

/** Per-call state the hooks read; set around each sanitize call (sanitising is synchronous). */
let allowedImageOrigins = new Set<string>();

let purifier: Purifier | undefined;

/**
 * A private DOMPurify instance (its hooks must not leak into a host page that also uses DOMPurify), created on first
 * use so importing this module touches no DOM (safe under SSR and in Node). Its Trusted Types policy `dompurify` is
 * created here, once. The config is set once too: given a config, every `sanitize` call parses it again, cloning
 * each allowlist (about 25 µs and as much garbage per call in the render benchmark, at every streamed frame).
 */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  purifier = DOMPurify(window);
  purifier.setConfig({ ...CHAT_CONFIG, RETURN_DOM_FRAGMENT: true });
  purifier.addHook('afterSanitizeAttributes', (node) => {
    const base = document.baseURI;
    // Anything that survived the regexp is checked once more as the browser will resolve it.
    for (const name of ['href', 'src', 'cite']) {
      const value = node.getAttribute(name);
      if (value !== null && !isSafeUrl(value, base)) node.removeAttribute(name);
    }
    if (node.tagName === 'IMG') {
      sanitizeImage(node, base);
      return;
    }
    // Links leave the chat: open them in a new tab without giving the target page a handle on ours.
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  return purifier;
}

/**
 * Runs in DOMPurify's inert document, before any node reaches the page: an image from an allowed origin stays (lazy,
 * no referrer); any other becomes a link to it (or its alt text when the URL is not a safe link either).
 */
function sanitizeImage(img: Element, base: string): void {
  const src = img.getAttribute('src');
  let origin: string | undefined;
  try {
    if (src) origin = new URL(src, base).origin;
  } catch {
    origin = undefined;
  }
  if (src && origin && allowedImageOrigins.has(origin)) {
    img.setAttribute('loading', 'lazy');
    img.setAttribute('referrerpolicy', 'no-referrer');
    img.setAttribute('decoding', 'async');
    return;
  }
  const doc = img.ownerDocument;
  const text = img.getAttribute('alt') || src || '';
  let replacement: Node;
  if (src && isSafeUrl(src, base)) {
    const link = doc.createElement('a');
    link.setAttribute('href', src);
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
    link.setAttribute('data-blocked-image', '');
    link.textContent = text;
    replacement = link;
  } else {
    replacement = doc.createTextNode(text);
  }
  img.replaceWith(replacement);
}

function withImageOrigins<T>(options: RenderOptions | undefined, run: (p: Purifier) => T): T {
  const p = getPurifier();
  allowedImageOrigins = originsOf(options?.imageOrigins, new URL(document.baseURI).origin);
  try {
    return run(p);
  } finally {
    allowedImageOrigins = new Set();
  }
}

/**
 * Splits markdown into block tokens with the same private instance (and options) that renders it, so a host page's
 * `marked.use(...)` cannot make the streaming renderer split blocks differently from how they render. `walk`, when
 * given, sees every token, nested ones included.
 */
export function lexMarkdown(text: string, walk?: (token: Token) => void): TokensList {
  const tokens = markdown.lexer(text);
  if (walk) markdown.walkTokens(tokens, walk);
  return tokens;
}

/**
 * Renders markdown (GFM) to sanitised HTML. The string is meant only for Lit's `unsafeHTML`, which parses it through
 * Lit's own `lit-html` Trusted Types policy; never assign it to `innerHTML` yourself.
 */
export function renderMarkdown(text: string, options?: RenderOptions): string {
  // DOMPurify's own string output is this same serialisation of its sanitised DOM (`body.innerHTML`).
  const box = document.createElement('div');
  box.append(renderMarkdownFragment(text, options));
  return box.innerHTML;
}

/**
 * The same render as {@link renderMarkdown}, returned as nodes: DOMPurify parses (through its `dompurify` Trusted
 * Types policy, into an inert document) and sanitises, and our code never assigns an HTML string to the DOM.
 */
export function renderMarkdownFragment(text: string, options?: RenderOptions): DocumentFragment {
  const html = markdown.parse(text) as string;
  const fragment = withImageOrigins(options, (p) => p.sanitize(html) as unknown as DocumentFragment | null);
  // DOMPurify returns null when the parse yields no <body> (e.g. a leading `<frameset>`): show the text as text.
  if (fragment) return fragment;
  const fallback = document.createDocumentFragment();
  fallback.append(text);
  return fallback;
}
