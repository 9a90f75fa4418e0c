// Accessibility: axe-core (the real library, run in the page, descending into the open shadow root) in every mode and
// theme, idle and after answers; the one polite status region and what it says; keyboard order and visible focus;
// reduced motion.
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, resetFixtureLog, waitFor } from './helpers.js';

interface AxeResult {
  violations: { id: string; impact: string; nodes: { target: unknown; failureSummary: string }[] }[];
}
declare global {
  interface Window {
    axe?: { run: (context: Element, options: object) => Promise<AxeResult> };
  }
}

async function loadAxe(): Promise<void> {
  if (window.axe) return;
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  });
}

/** Every WCAG 2.x A/AA rule and axe's best practices, on the element only (page-level landmark rules left out). */
async function expectNoViolations(el: Element, what: string): Promise<void> {
  const result = await window.axe!.run(el, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    rules: { region: { enabled: false } },
    resultTypes: ['violations'],
  });
  const found = result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary}`).join(' | ')}`,
  );
  expectEqual(found, [], `axe violations, ${what}`);
}

/** A conversation with every kind of content: a stopped answer, code, a table, a link, sources, an error + Retry. */
async function converse(el: AiChat): Promise<void> {
  el.maxRetries = 0;
  el.endpoint = '/sse/slow/stream';
  const sending = el.send('A long one');
  await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 3000, 'tokens');
  el.stop();
  await sending;
  el.endpoint = '/sse/echo/stream';
  await el.send(
    'See [the guide](https://example.com/guide).\n\n```js\nlet a = 1;\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |',
  );
  el.endpoint = '/sse/sources/stream';
  await el.send('Sources?');
  el.endpoint = '/sse/cutoff/stream';
  await el.send('This one breaks');
  await el.updateComplete;
  expectTrue(part(el, 'retry') && part(el, 'error') && part(el, 'copy-button') && part(el, 'source'), 'all content');
}

/** The visually hidden polite status region, the widget's one announcer. */
const announcer = (el: AiChat) => el.shadowRoot!.querySelector<HTMLElement>('[role="status"][aria-live="polite"]')!;

/** Records each distinct text the status region takes. */
function watchAnnouncer(el: AiChat): string[] {
  const region = announcer(el);
  const said = [region.textContent!.trim()];
  new MutationObserver(() => {
    const text = region.textContent!.trim();
    if (text !== said.at(-1)) said.push(text);
  }).observe(region, { childList: true, characterData: true, subtree: true });
  return said;
}

describe('<ai-chat> accessibility', () => {
  before(loadAxe);
  beforeEach(resetFixtureLog);
  afterEach(async () => {
    cleanup();
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  });

  for (const theme of ['light', 'dark']) {
    it(`axe finds nothing inline, idle and after answers (${theme} theme)`, async () => {
      const el = await fixture(`<ai-chat theme="${theme}" style="height: 640px"></ai-chat>`);
      await expectNoViolations(el, `inline idle, ${theme}`);
      await converse(el);
      await expectNoViolations(el, `inline after answers, ${theme}`);
    });

    it(`axe finds nothing in launcher mode, closed, open, after answers, with a badge (${theme} theme)`, async () => {
      const el = await fixture(`<ai-chat mode="launcher" theme="${theme}"></ai-chat>`);
      await expectNoViolations(el, `launcher closed, ${theme}`);
      part(el, 'launcher')!.click();
      await el.updateComplete;
      await expectNoViolations(el, `launcher open, ${theme}`);
      await converse(el);
      await expectNoViolations(el, `launcher open after answers, ${theme}`);
      el.open = false;
      el.endpoint = '/sse/raw/stream';
      await el.send('While closed');
      await el.updateComplete;
      expectTrue(part(el, 'launcher-badge'), 'badge shown');
      await expectNoViolations(el, `launcher closed with a badge, ${theme}`);
    });
  }

  it('axe finds nothing with the dark scheme from the system (no theme attribute)', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture('<ai-chat style="height: 640px"></ai-chat>');
    expectEqual(getComputedStyle(part(el, 'panel')!).backgroundColor, 'rgb(15, 23, 42)', 'dark');
    await converse(el);
    await expectNoViolations(el, 'system dark');
  });

  it('announces progress in one polite region, never token by token', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/article/stream"></ai-chat>');
    const region = announcer(el);
    expectTrue(region.checkVisibility() && region.getBoundingClientRect().width <= 1, 'visually hidden, rendered');
    const log = part(el, 'log')!;
    expectEqual([log.getAttribute('role'), log.getAttribute('aria-live')], ['log', 'off'], 'the log itself is silent');
    expectEqual(el.shadowRoot!.querySelectorAll('[aria-live="polite"]').length, 1, 'one polite region');
    const said = watchAnnouncer(el);
    let tokens = 0;
    let busyDuringTokens = true;
    el.addEventListener('ai-chat-token', () => {
      tokens++;
      void el.updateComplete.then(() => (busyDuringTokens &&= log.getAttribute('aria-busy') === 'true'));
    });
    await el.send('q');
    await el.updateComplete;
    expectTrue(tokens > 10, `a streamed answer (${tokens} tokens)`);
    expectTrue(busyDuringTokens, 'the log is aria-busy while tokens arrive');
    expectEqual(log.getAttribute('aria-busy'), 'false', 'not busy after');
    expectEqual(said, ['', 'Generating answer', 'Answer complete'], 'what the region said');
  });

  it('announces reconnects and a stop; an error is spoken once, by its alert', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/flaky/stream" retry-delay="50"></ai-chat>');
    const said = watchAnnouncer(el);
    await el.send('q');
    await el.updateComplete;
    expectEqual(said, ['', 'Generating answer', 'Reconnecting…', 'Generating answer', 'Answer complete'], 'reconnect');

    said.length = 0;
    said.push(announcer(el).textContent!.trim());
    el.endpoint = '/sse/slow/stream';
    const sending = el.send('q');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 3000, 'tokens');
    el.stop();
    await sending;
    await el.updateComplete;
    expectEqual(said, ['Answer complete', 'Generating answer', 'Stopped'], 'stop');

    el.endpoint = '/sse/failing/stream';
    el.maxRetries = 0;
    await el.send('q');
    await el.updateComplete;
    expectEqual(part(el, 'error')!.getAttribute('role'), 'alert', 'the error is an alert');
    expectEqual(announcer(el).textContent!.trim(), '', 'the status region does not repeat it');
  });

  it('Tab walks the controls in reading order, each with a visible focus ring in the accent colour', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.prepend(before);
    try {
      const el = await fixture('<ai-chat endpoint="/sse/echo/stream" style="height: 640px"></ai-chat>');
      await el.send('See [the guide](https://example.com/guide).\n\n```js\nlet a = 1;\n```');
      el.endpoint = '/sse/sources/stream';
      await el.send('Sources?');
      await el.updateComplete;
      before.focus();
      const order: string[] = [];
      const rings: string[] = [];
      for (let i = 0; i < 7; i++) {
        await sendKeys({ press: 'Tab' });
        const active = el.shadowRoot!.activeElement as HTMLElement | null;
        if (!active) break;
        order.push(active.getAttribute('part') ?? active.tagName.toLowerCase());
        const style = getComputedStyle(active);
        if (
          !active.matches(':focus-visible') ||
          style.outlineStyle !== 'solid' ||
          style.outlineColor !== 'rgb(37, 99, 235)'
        )
          rings.push(`${order.at(-1)}: ${style.outlineStyle} ${style.outlineColor}`);
      }
      expectEqual(order, ['log', 'a', 'copy-button', 'source', 'input', 'send'], 'tab order');
      expectEqual(rings, [], 'controls without a visible accent focus ring');
    } finally {
      before.remove();
    }
  });

  it('Tab order in the launcher: launcher, then into the open panel, each with a visible ring', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.prepend(before);
    try {
      const el = await fixture('<ai-chat mode="launcher" theme="dark"></ai-chat>');
      el.open = true;
      await el.updateComplete;
      before.focus();
      const order: string[] = [];
      const rings: string[] = [];
      for (let i = 0; i < 5; i++) {
        await sendKeys({ press: 'Tab' });
        const active = el.shadowRoot!.activeElement;
        order.push(active?.getAttribute('part') ?? 'outside');
        const style = active && getComputedStyle(active);
        if (style?.outlineStyle !== 'solid' || style.outlineColor !== 'rgb(147, 197, 253)') rings.push(order.at(-1)!);
      }
      expectEqual(order, ['launcher', 'close', 'log', 'input', 'send'], 'tab order');
      expectEqual(rings, [], 'controls without a visible accent focus ring (dark theme)');
    } finally {
      before.remove();
    }
  });

  it('prefers-reduced-motion turns the thinking animation off', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/sources/stream"></ai-chat>');
    const sending = el.send('q');
    const thinking = await waitFor(() => part(el, 'thinking'), 3000, 'thinking');
    expectEqual(getComputedStyle(thinking).animationName, 'ai-chat-pulse', 'animated by default');
    await emulateMedia({ reducedMotion: 'reduce' });
    expectEqual(getComputedStyle(thinking).animationName, 'none', 'still with reduced motion');
    await sending;
  });
});
