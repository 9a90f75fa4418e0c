/**
 * Response headers that make what the server serves safe to expose: the demo page, the bundle and docs, JSON
 * answers and SSE streams each get the set that fits them.
 */

/**
 * The demo page's Content Security Policy (`docs/security.md`; the real demo page is checked under it in
 * `test/e2e/demo-csp.test.ts`): no inline script or style, everything from this origin only, and no framing
 * (`frame-ancestors` is the CSP form of `X-Frame-Options`, which older browsers still need).
 */
export const DEMO_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Trusted Types on the demo page, report-only: the widget is clean under enforcement (`test/element/csp.test.html`
 * enforces it), and reporting here lets the demo test prove it on the real page, while developer tools and test
 * harnesses that inject a `<script src>` (a Trusted Types sink) keep working on a page that is only a demo.
 */
export const DEMO_PAGE_CSP_REPORT_ONLY = "require-trusted-types-for 'script'; trusted-types lit-html dompurify";

/** What a served file is, which decides its headers. */
export type StaticKind = 'page' | 'script' | 'asset';

/**
 * Headers for a static file. Every one is served as its declared type only (`nosniff`, so a `.md` can never run as
 * script or render as HTML) and never leaks its URL to other sites beyond the origin. HTML pages carry the CSP and
 * refuse framing (clickjacking). `Cross-Origin-Resource-Policy` is `cross-origin` for the bundle only, because site
 * owners load `ai-chat.js` from their own pages with a no-cors `<script src>` and a `same-origin` CORP would block
 * it (Fetch §"Cross-Origin-Resource-Policy header"); everything else is `same-origin`.
 */
export function staticHeaders(kind: StaticKind): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Resource-Policy': kind === 'script' ? 'cross-origin' : 'same-origin',
  };
  if (kind === 'page') {
    headers['Content-Security-Policy'] = DEMO_PAGE_CSP;
    headers['Content-Security-Policy-Report-Only'] = DEMO_PAGE_CSP_REPORT_ONLY;
    headers['X-Frame-Options'] = 'DENY';
  }
  return headers;
}

/**
 * Headers of an SSE response. `no-transform` forbids proxies and CDNs to recompress or rewrite the stream (RFC 9111
 * §5.2.2.6), which would buffer it; `X-Accel-Buffering: no` turns off nginx's response buffering for this response
 * even where `proxy_buffering` is on (nginx docs, `proxy_buffering`).
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
};
