// The script-tag launcher as a site owner gets it: the classic bundle, served from one origin (127.0.0.1), loaded
// into this page on another (localhost), talking to the real companion server on a third (127.0.0.1, its own port,
// CORS `*`). The element comes from the bundle only; this file never imports it.
import type { AiChat } from '../../src/ai-chat.js';
import { expectEqual, expectTrue, part, parts, typeAndPress, waitFor } from './helpers.js';

const BUNDLE_ORIGIN = `http://127.0.0.1:${location.port}`;

function loadClassic(attrs: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${BUNDLE_ORIGIN}/fixtures/ai-chat-classic.js`;
    for (const [k, v] of Object.entries(attrs)) script.setAttribute(k, v);
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('classic bundle failed to load'));
    document.head.append(script);
  });
}

/** Computed values that would show any page style reaching into the widget. */
const PROPS = [
  'display',
  'position',
  'visibility',
  'font-family',
  'font-size',
  'font-weight',
  'line-height',
  'letter-spacing',
  'text-transform',
  'text-align',
  'color',
  'background-color',
  'border-top-width',
  'border-top-style',
  'padding-top',
  'padding-left',
  'margin-top',
  'box-sizing',
  'cursor',
  'width',
  'height',
];

function styleOf(node: Element): string[] {
  const style = getComputedStyle(node);
  return PROPS.map((p) => `${p}: ${style.getPropertyValue(p)}`);
}

function widgetStyles(chat: AiChat): Record<string, string[]> {
  const names = ['launcher', 'panel', 'header', 'heading', 'close', 'log', 'user', 'assistant', 'composer', 'input'];
  const out: Record<string, string[]> = {};
  for (const name of [...names, 'send']) out[name] = styleOf(part(chat, name)!);
  const box = part(chat, 'launcher')!.getBoundingClientRect();
  out.launcherBox = [box.left, box.top, box.width, box.height].map(String);
  return out;
}

describe('classic script tag on a page of another origin', () => {
  let chat: AiChat;
  let endpoint: string;
  let pageBefore: string[][];
  let sheetsBefore: number[];
  let t0: number;
  const pageP = document.createElement('p');
  const pageButton = document.createElement('button');

  before(async () => {
    expectTrue(new URL(BUNDLE_ORIGIN).origin !== location.origin, 'the bundle comes from another origin');
    pageP.textContent = 'page text';
    pageButton.textContent = 'page button';
    document.body.append(pageP, pageButton);
    pageBefore = [styleOf(pageP), styleOf(pageButton)];
    sheetsBefore = [document.styleSheets.length, document.adoptedStyleSheets.length, document.fonts.size];
    const info = (await (await fetch('/companion/info')).json()) as { direct: string };
    endpoint = `${info.direct}/chat/stream`;
    expectTrue(new URL(endpoint).origin !== location.origin, 'the endpoint is on a third origin');
    t0 = performance.now();
    const attrs = {
      'data-endpoint': endpoint,
      'data-conversation-id': 'conv-42',
      'data-heading': 'Docs help',
      'data-launcher-position': 'start',
      'data-style': '--ai-chat-accent: rgb(1, 2, 3)',
    };
    await loadClassic(attrs);
    await loadClassic(attrs);
    chat = await waitFor(() => document.querySelector('ai-chat'), 3000, 'mounted <ai-chat>');
    await chat.updateComplete;
  });

  it('mounts one launcher from data-* attributes, even when loaded twice', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expectEqual(document.querySelectorAll('ai-chat').length, 1, 'mounted once');
    expectEqual(chat.parentElement, document.body, 'mounted into body');
    expectEqual(
      ['mode', 'endpoint', 'conversation-id', 'heading', 'launcher-position'].map((a) => chat.getAttribute(a)),
      ['launcher', endpoint, 'conv-42', 'Docs help', 'start'],
      'attributes mapped',
    );
    expectEqual(chat.conversationId, 'conv-42', 'property from attribute');
    expectEqual(Math.round(part(chat, 'launcher')!.getBoundingClientRect().left), 20, 'data-launcher-position');
    expectEqual(getComputedStyle(part(chat, 'launcher')!).backgroundColor, 'rgb(1, 2, 3)', 'data-style themes it');
  });

  it('opens, and answers from the companion server on a third origin (CORS)', async () => {
    part(chat, 'launcher')!.click();
    await chat.updateComplete;
    expectEqual(chat.shadowRoot!.activeElement, part(chat, 'input'), 'focus in the input');
    typeAndPress(chat, 'How do I embed the widget?');
    await waitFor(() => chat.messages.at(-1)?.status === 'completed', 8000, 'answer completed');
    await chat.updateComplete;
    expectTrue((parts(chat, 'assistant').at(-1)?.textContent?.trim().length ?? 0) > 20, 'an answer is shown');
    expectEqual(part(chat, 'error'), null, 'no error');
  });

  it('makes no request but to its endpoint: no fonts, images or other assets', () => {
    const requests = performance
      .getEntriesByType('resource')
      .filter((e) => e.startTime >= t0)
      .map((e) => e.name)
      .filter((url) => !url.endsWith('/fixtures/ai-chat-classic.js'));
    expectTrue(requests.length > 0, 'the endpoint request is seen');
    expectEqual(
      requests.filter((url) => url !== endpoint),
      [],
      'requests other than the endpoint',
    );
    expectEqual(document.fonts.size, sheetsBefore[2], 'no font faces added to the page');
  });

  it('leaks no style into the page', () => {
    expectEqual([styleOf(pageP), styleOf(pageButton)], pageBefore, 'page elements styled as before');
    expectEqual(
      [document.styleSheets.length, document.adoptedStyleSheets.length],
      sheetsBefore.slice(0, 2),
      'no style sheet added to the document',
    );
  });

  it('takes no style from a hostile page', async () => {
    const before = widgetStyles(chat);
    const hostile = document.createElement('style');
    hostile.textContent = `
      :root { font-size: 40px !important; }
      * {
        all: unset;
        font: italic 700 40px/3 serif !important;
        color: red !important;
        background: yellow !important;
        letter-spacing: 3px !important;
        text-transform: uppercase !important;
        text-align: right !important;
        cursor: crosshair !important;
        visibility: hidden !important;
        box-sizing: content-box !important;
        padding: 9px !important;
      }
      button, textarea, section, div { display: none !important; margin: 30px !important; }
    `;
    document.head.append(hostile);
    try {
      expectEqual(getComputedStyle(pageButton).display, 'none', 'the hostile CSS applies to the page');
      expectEqual(widgetStyles(chat), before, 'widget computed styles unchanged');
    } finally {
      hostile.remove();
    }
  });
});
