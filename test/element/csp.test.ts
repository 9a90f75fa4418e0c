// Runs inside csp.test.html, under a strict CSP with Trusted Types enforced (see the meta tag there): hostile
// markdown streams through a real <ai-chat> without a single `securitypolicyviolation`, and still renders.
import { runTests } from '@web/test-runner-mocha';

// Registered before anything else loads, so every violation from here on is seen.
const violations: SecurityPolicyViolationEvent[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e));
const describeViolations = (list: SecurityPolicyViolationEvent[]) =>
  JSON.stringify(list.map((v) => ({ directive: v.effectiveDirective, blocked: v.blockedURI, sample: v.sample })));

void runTests(async () => {
  const { HOSTILE_MARKDOWN, SAFE_MARKDOWN } = await import('../fixtures/hostile-markdown.js');
  const { renderMarkdown, renderMarkdownFragment } = await import('../../src/markdown/render-markdown.js');
  const { expectEqual, expectTrue, parts, waitFor } = await import('./helpers.js');
  await import('../../src/ai-chat.js');
  const { html, render } = await import('lit');
  const { unsafeHTML } = await import('lit/directives/unsafe-html.js');
  type AiChat = import('../../src/ai-chat.js').AiChat;

  type XssWindow = Window & { __xss?: (name?: unknown) => void; __pwned?: unknown };
  const win = window as XssWindow;
  const executed: unknown[] = [];
  win.__xss = (name) => executed.push(name ?? true);

  // helpers.fixture() parses markup with innerHTML, which Trusted Types forbids here: build elements as nodes.
  const mounted: Element[] = [];
  async function mount(endpoint: string): Promise<AiChat> {
    const el = document.createElement('ai-chat') as AiChat;
    el.endpoint = endpoint;
    document.body.append(el);
    mounted.push(el);
    await el.updateComplete;
    return el;
  }
  const cleanup = () => mounted.splice(0).forEach((el) => el.remove());

  describe('<ai-chat> under a strict CSP with Trusted Types', () => {
    let before = 0;
    beforeEach(() => {
      before = violations.length;
    });
    afterEach(cleanup);

    it('enforces Trusted Types on this page', async () => {
      let threw = false;
      try {
        document.createElement('div').innerHTML = '<b>x</b>';
      } catch {
        threw = true;
      }
      expectTrue(threw, 'a plain innerHTML string assignment must throw here');
      // The deliberate violation above is reported asynchronously; it is not the element's.
      await waitFor(() => violations.length > before, 2000, 'the violation report');
      violations.length = before;
    });

    it('streams safe markdown without any policy violation, and renders it', async () => {
      const el = await mount('/sse/echo/stream');
      await el.send(SAFE_MARKDOWN);
      await waitFor(() => el.messages.at(-1)?.status === 'completed', 8000, 'answer completed');
      await el.updateComplete;
      const bubble = parts(el, 'assistant').at(-1)!;
      expectTrue(bubble.querySelector('a[href="mailto:a@example.com"]'), 'safe link rendered');
      expectEqual(bubble.querySelectorAll('td').length, 2, 'table rendered');
      expectTrue(bubble.textContent!.includes('let x ='), 'code rendered');
      expectEqual(describeViolations(violations.slice(before)), '[]', 'no securitypolicyviolation');
    });

    const GROUP = 12;
    for (let start = 0; start < HOSTILE_MARKDOWN.length; start += GROUP) {
      const group = HOSTILE_MARKDOWN.slice(start, start + GROUP);
      it(`streams hostile inputs ${start + 1}-${start + group.length} without any policy violation`, async () => {
        const el = await mount('/sse/echo/stream');
        await el.send(group.map((c) => c.markdown).join('\n\n'));
        await waitFor(() => el.messages.at(-1)?.status === 'completed', 8000, 'answer completed');
        await el.updateComplete;
        await new Promise((r) => setTimeout(r, 100));
        const bubble = parts(el, 'assistant').at(-1)!;
        expectTrue(
          bubble.textContent!.trim().length > 0,
          `something rendered: ${bubble.outerHTML} ${JSON.stringify(el.messages.at(-1))}`,
        );
        expectEqual(
          bubble.querySelectorAll('script, iframe, svg, math, style, form, base, link').length,
          0,
          'sanitised',
        );
        expectEqual(executed, [], 'no payload executed');
        expectEqual(win.__pwned, undefined, 'window.__pwned untouched');
        expectEqual(describeViolations(violations.slice(before)), '[]', 'no securitypolicyviolation');
      });
    }

    it('renderMarkdownFragment and renderMarkdown + unsafeHTML work with Trusted Types enforced', async () => {
      const fragment = renderMarkdownFragment('**bold** <img src=x onerror="window.__xss()">');
      const host = document.createElement('div');
      host.append(fragment);
      expectEqual(host.querySelector('strong')?.textContent, 'bold', 'fragment rendered');
      const litHost = document.createElement('div');
      render(html`${unsafeHTML(renderMarkdown('*em* [x](javascript:window.__xss())'))}`, litHost);
      expectEqual(litHost.querySelector('em')?.textContent, 'em', 'string rendered through Lit');
      expectTrue(!litHost.querySelector('a')?.hasAttribute('href'), 'javascript: link dropped');
      await new Promise((r) => setTimeout(r, 50));
      expectEqual(executed, [], 'no payload executed');
      expectEqual(describeViolations(violations.slice(before)), '[]', 'no securitypolicyviolation');
    });

    it('loads an allowlisted same-origin image within img-src', async () => {
      const host = document.createElement('div');
      host.append(renderMarkdownFragment('![px](/sse/pixel/csp.gif)', { imageOrigins: ['self'] }));
      document.body.append(host);
      try {
        const img = host.querySelector('img')!;
        expectEqual([img.loading, img.referrerPolicy], ['lazy', 'no-referrer'], 'lazy, no referrer');
        await waitFor(() => img.complete && img.naturalWidth === 1, 3000, 'image loaded');
        expectEqual(describeViolations(violations.slice(before)), '[]', 'no securitypolicyviolation');
      } finally {
        host.remove();
      }
    });
  });
});
