// Theming from the host page, as a designer does it: `::part()` rules and `--ai-chat-*` properties in the page's CSS,
// the `theme` attribute and the visitor's colour scheme; and the three slots.
import { emulateMedia } from '@web/test-runner-commands';
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, resetFixtureLog, waitFor } from './helpers.js';

function pageStyle(text: string): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = text;
  document.head.append(style);
  return style;
}

const css = (node: Element | null, prop: string) => getComputedStyle(node!).getPropertyValue(prop);

/** The colours a reader sees first: panel background, text, send button. */
function scheme(el: AiChat): string[] {
  return [css(part(el, 'panel'), 'background-color'), css(part(el, 'panel'), 'color'), css(part(el, 'send'), 'color')];
}
const LIGHT = ['rgb(255, 255, 255)', 'rgb(15, 23, 42)', 'rgb(255, 255, 255)'];
const DARK = ['rgb(15, 23, 42)', 'rgb(226, 232, 240)', 'rgb(15, 23, 42)'];

describe('<ai-chat> theming', () => {
  const styles: HTMLStyleElement[] = [];
  beforeEach(resetFixtureLog);
  afterEach(async () => {
    cleanup();
    for (const style of styles.splice(0)) style.remove();
    await emulateMedia({ colorScheme: 'light' });
  });

  it('parts are styled from the host page', async () => {
    styles.push(
      pageStyle(`
        ai-chat::part(send) { background: rgb(1, 2, 3); }
        ai-chat::part(message user) { border: 3px solid rgb(4, 5, 6); }
        ai-chat::part(header) { padding: 21px; }
        ai-chat::part(footer) { color: rgb(7, 8, 9); }
      `),
    );
    const el = await fixture(
      '<ai-chat endpoint="/sse/raw/stream"><span slot="footer">AI can be wrong.</span></ai-chat>',
    );
    await el.send('q');
    await el.updateComplete;
    expectEqual(css(part(el, 'send'), 'background-color'), 'rgb(1, 2, 3)', 'send');
    expectEqual(css(part(el, 'user'), 'border-top-color'), 'rgb(4, 5, 6)', 'user bubble (two part names)');
    expectEqual(css(part(el, 'assistant'), 'border-top-width'), '0px', 'assistant bubble untouched');
    expectEqual(css(part(el, 'header'), 'padding-top'), '21px', 'header');
    expectEqual(css(el.querySelector('[slot="footer"]'), 'color'), 'rgb(7, 8, 9)', 'footer text inherits the part');
  });

  it('every --ai-chat-* property reaches what it names', async () => {
    styles.push(
      pageStyle(`
        ai-chat.themed {
          --ai-chat-accent: rgb(10, 0, 1);
          --ai-chat-on-accent: rgb(10, 0, 2);
          --ai-chat-bg: rgb(10, 0, 3);
          --ai-chat-surface: rgb(10, 0, 4);
          --ai-chat-text: rgb(10, 0, 5);
          --ai-chat-muted: rgb(10, 0, 6);
          --ai-chat-border: rgb(10, 0, 7);
          --ai-chat-error: rgb(10, 0, 8);
          --ai-chat-user-bg: rgb(10, 0, 9);
          --ai-chat-assistant-bg: rgb(10, 0, 11);
          --ai-chat-font: Georgia, serif;
          --ai-chat-font-size: 13px;
          --ai-chat-radius: 3px;
          --ai-chat-spacing: 7px;
          --ai-chat-shadow: rgb(10, 0, 13) 1px 2px 3px 0px;
        }
      `),
    );
    const el = await fixture('<ai-chat class="themed" endpoint="/sse/raw/stream"></ai-chat>');
    const panel = part(el, 'panel');
    const got = {
      accent: css(part(el, 'send'), 'background-color'),
      onAccent: css(part(el, 'send'), 'color'),
      bg: css(panel, 'background-color'),
      surface: css(part(el, 'header'), 'background-color'),
      text: css(panel, 'color'),
      muted: css(part(el, 'empty'), 'color'),
      border: css(part(el, 'header'), 'border-bottom-color'),
      font: css(panel, 'font-family'),
      fontSize: css(panel, 'font-size'),
      inputSize: css(part(el, 'input'), 'font-size'),
      radius: css(panel, 'border-top-left-radius'),
      spacing: css(part(el, 'log'), 'padding-top'),
    };
    expectEqual(
      got,
      {
        accent: 'rgb(10, 0, 1)',
        onAccent: 'rgb(10, 0, 2)',
        bg: 'rgb(10, 0, 3)',
        surface: 'rgb(10, 0, 4)',
        text: 'rgb(10, 0, 5)',
        muted: 'rgb(10, 0, 6)',
        border: 'rgb(10, 0, 7)',
        font: 'Georgia, serif',
        fontSize: '13px',
        inputSize: '16px',
        radius: '3px',
        spacing: '7px',
      },
      'panel tokens (the input never goes below 16px)',
    );
    await el.send('q');
    await el.updateComplete;
    expectEqual(
      [css(part(el, 'user'), 'background-color'), css(part(el, 'assistant'), 'background-color')],
      ['rgb(10, 0, 9)', 'rgb(10, 0, 11)'],
      'bubble tokens',
    );
    el.endpoint = '/sse/busy/stream';
    await el.send('q');
    await el.updateComplete;
    expectEqual(css(part(el, 'error'), 'color'), 'rgb(10, 0, 8)', 'error token');
    el.mode = 'launcher';
    await el.updateComplete;
    expectEqual(css(part(el, 'launcher'), 'box-shadow'), 'rgb(10, 0, 13) 1px 2px 3px 0px', 'shadow token');
  });

  it('light by default, dark when the visitor prefers it, and theme="light|dark" forces either', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    expectEqual(scheme(el), LIGHT, 'light default');
    await emulateMedia({ colorScheme: 'dark' });
    expectEqual(scheme(el), DARK, 'follows prefers-color-scheme: dark');
    el.setAttribute('theme', 'light');
    expectEqual(scheme(el), LIGHT, 'theme="light" wins over a dark system');
    await emulateMedia({ colorScheme: 'light' });
    el.setAttribute('theme', 'dark');
    expectEqual(scheme(el), DARK, 'theme="dark" wins over a light system');
    el.style.setProperty('--ai-chat-bg', 'rgb(9, 9, 9)');
    expectEqual(scheme(el)[0], 'rgb(9, 9, 9)', 'a set property wins over the dark default');
    expectEqual(css(part(el, 'panel'), 'color-scheme'), 'dark', 'scrollbars and controls follow the theme');
  });

  it('slots: header, footer, and an empty-state welcome whose suggestions send on click', async () => {
    const el = await fixture(`
      <ai-chat endpoint="/sse/raw/stream">
        <button slot="header" type="button" id="extra">Help</button>
        <div slot="empty">
          <p>Hi! Try one of these:</p>
          <button type="button" data-suggestion="How do I install it?">Install</button>
          <button type="button" data-suggestion><b>What does it cost?</b></button>
        </div>
        <small slot="footer">Answers can be wrong.</small>
      </ai-chat>`);
    const assigned = (name: string) =>
      el.shadowRoot!.querySelector<HTMLSlotElement>(`slot[name="${name}"]`)!.assignedElements()[0];
    expectEqual(assigned('header')?.id, 'extra', 'header slot');
    expectTrue(part(el, 'header')!.contains(el.shadowRoot!.querySelector('slot[name="header"]')), 'in the header');
    expectEqual(assigned('footer')?.textContent, 'Answers can be wrong.', 'footer slot');
    expectTrue(part(el, 'footer')!.contains(el.shadowRoot!.querySelector('slot[name="footer"]')), 'in part footer');
    expectTrue(part(el, 'empty')!.contains(el.shadowRoot!.querySelector('slot[name="empty"]')), 'in part empty');
    expectTrue(el.querySelector('[slot="empty"] p')!.checkVisibility(), 'welcome shown');

    const install = el.querySelector<HTMLElement>('[data-suggestion="How do I install it?"]')!;
    install.focus();
    install.click();
    await el.updateComplete;
    expectEqual(el.shadowRoot!.activeElement, el.shadowRoot!.querySelector('textarea'), 'focus stays in the widget');
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, 'How do I install it?', 'the value is sent');
    expectEqual(part(el, 'empty'), null, 'welcome gone after the first message');

    el.clear();
    await el.updateComplete;
    el.querySelector('[data-suggestion] b')!.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, 'What does it cost?', 'without a value, the text is sent');

    el.clear();
    await el.updateComplete;
    (el.querySelector('[slot="empty"] p') as HTMLElement).click();
    await new Promise((r) => setTimeout(r, 50));
    expectEqual(el.messages.length, 0, 'a click elsewhere in the welcome sends nothing');
  });
});
