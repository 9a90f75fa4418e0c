import { sendKeys } from '@web/test-runner-commands';
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { AiChatCloseEvent } from '../../src/events/ai-chat-close-event.js';
import { AiChatOpenEvent } from '../../src/events/ai-chat-open-event.js';
import { cleanup, expectEqual, expectTrue, fixture, part, record, waitFor } from './helpers.js';

const shown = (node: HTMLElement | null) => !!node?.checkVisibility();
const focused = (el: AiChat) => el.shadowRoot!.activeElement;

describe('<ai-chat mode="launcher">', () => {
  afterEach(cleanup);

  it('opens from the floating button, focuses the input, and closes on Escape and the close button', async () => {
    const el = await fixture('<ai-chat mode="launcher"></ai-chat>');
    const events = record(el, ['ai-chat-open', 'ai-chat-close']);
    const launcher = part(el, 'launcher')!;
    expectEqual(getComputedStyle(launcher).position, 'fixed', 'launcher floats');
    expectEqual(launcher.getAttribute('aria-expanded'), 'false', 'collapsed');
    expectEqual(launcher.getAttribute('aria-label'), 'Open chat', 'launcher named');
    expectEqual(shown(part(el, 'panel')), false, 'panel hidden while closed');

    launcher.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expectEqual([el.open, el.hasAttribute('open')], [true, true], 'open, reflected');
    expectEqual(launcher.getAttribute('aria-expanded'), 'true', 'expanded');
    expectEqual(launcher.getAttribute('aria-label'), 'Close chat', 'launcher now closes');
    expectTrue(shown(part(el, 'panel')), 'panel shown');
    expectEqual(part(el, 'panel')!.getAttribute('role'), 'dialog', 'the panel is a dialog');
    expectEqual(focused(el), part(el, 'input'), 'focus moved into the panel, on the input');

    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expectEqual(el.open, false, 'Escape closes');
    expectEqual(shown(part(el, 'panel')), false, 'panel hidden again');
    expectEqual(focused(el), launcher, 'focus back on the launcher');

    launcher.click();
    await el.updateComplete;
    expectEqual(focused(el), part(el, 'input'), 'focus in the panel again');
    part(el, 'close')!.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expectEqual(el.open, false, 'close button closes');
    expectEqual(focused(el), launcher, 'focus back on the launcher after the close button');

    launcher.click();
    await el.updateComplete;
    launcher.click();
    await el.updateComplete;
    expectEqual(
      events.map((e) => e.type),
      ['ai-chat-open', 'ai-chat-close', 'ai-chat-open', 'ai-chat-close', 'ai-chat-open', 'ai-chat-close'],
      'open/close events: Escape, close button, launcher button',
    );
    expectTrue(
      events.every((e, i) => (i % 2 ? e instanceof AiChatCloseEvent : e instanceof AiChatOpenEvent)),
      'typed events',
    );
    expectTrue(
      events.every((e) => e.bubbles && e.composed),
      'events bubble out of the shadow root',
    );
  });

  it('keeps a draft across close and open; a script closing it does not steal the page focus', async () => {
    const outside = document.createElement('button');
    outside.textContent = 'page button';
    document.body.append(outside);
    try {
      const el = await fixture('<ai-chat mode="launcher" open></ai-chat>');
      const events = record(el, ['ai-chat-open', 'ai-chat-close']);
      expectTrue(shown(part(el, 'panel')), 'the open attribute opens it');
      expectTrue(focused(el) === null, 'starting open does not take focus from the page');
      (part(el, 'input') as HTMLTextAreaElement).value = 'half a question';
      outside.focus();
      el.open = false;
      await el.updateComplete;
      expectEqual(document.activeElement, outside, 'focus stays where the user is');
      expectEqual(
        events.map((e) => e.type),
        ['ai-chat-close'],
        'close by script',
      );
      el.open = true;
      await el.updateComplete;
      expectEqual((part(el, 'input') as HTMLTextAreaElement).value, 'half a question', 'draft kept');
    } finally {
      outside.remove();
    }
  });

  it('Escape stops a streaming answer first, and closes the panel when idle', async () => {
    const el = await fixture('<ai-chat mode="launcher" endpoint="/sse/slow/stream"></ai-chat>');
    part(el, 'launcher')!.click();
    await el.updateComplete;
    const sending = el.send('long');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 3000, 'tokens');
    await sendKeys({ press: 'Escape' });
    await sending;
    await el.updateComplete;
    expectEqual([el.messages.at(-1)?.status, el.open], ['stopped', true], 'stopped, still open');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expectEqual(el.open, false, 'second Escape closes');
  });

  it('shows an unread badge when answers finish while closed, and clears it on open', async () => {
    const el = await fixture('<ai-chat mode="launcher" endpoint="/sse/raw/stream"></ai-chat>');
    const opens = record(el, ['ai-chat-open']) as AiChatOpenEvent[];
    const launcher = part(el, 'launcher')!;
    expectEqual(part(el, 'launcher-badge'), null, 'no badge at first');
    await el.send('one');
    await el.updateComplete;
    const badge = part(el, 'launcher-badge')!;
    expectTrue(shown(badge), 'badge shown');
    expectEqual(badge.textContent, '1', 'one unread');
    expectEqual(launcher.getAttribute('aria-label'), 'Open chat, 1 new answer', 'the count is in the name');
    await el.send('two');
    await el.updateComplete;
    expectEqual(part(el, 'launcher-badge')!.textContent, '2', 'two unread');
    expectEqual(launcher.getAttribute('aria-label'), 'Open chat, 2 new answers', 'plural');
    const badgeBox = part(el, 'launcher-badge')!.getBoundingClientRect();
    const box = launcher.getBoundingClientRect();
    expectTrue(badgeBox.top < box.top + 8 && badgeBox.right > box.right - 8, 'badge on the top end corner');

    launcher.click();
    await el.updateComplete;
    expectEqual(part(el, 'launcher-badge'), null, 'badge cleared on open');
    expectEqual(opens.at(-1)?.detail.unread, 2, 'open event says how many were unread');
    await el.send('three, while open');
    el.open = false;
    await el.updateComplete;
    expectEqual(part(el, 'launcher-badge'), null, 'an answer read while open does not count');
  });

  it('sits at the inline end by default; side and offset are configurable', async () => {
    const el = await fixture('<ai-chat mode="launcher" open></ai-chat>');
    const launcher = part(el, 'launcher')!;
    const panel = part(el, 'panel')!;
    const width = document.documentElement.clientWidth;
    const height = document.documentElement.clientHeight;
    let box = launcher.getBoundingClientRect();
    expectEqual([Math.round(width - box.right), Math.round(height - box.bottom)], [20, 20], 'bottom right, 20px');
    let panelBox = panel.getBoundingClientRect();
    expectEqual(Math.round(width - panelBox.right), 20, 'panel aligned with the launcher');
    expectTrue(panelBox.bottom <= box.top, 'panel above the launcher');

    el.style.setProperty('--ai-chat-launcher-offset-x', '40px');
    el.style.setProperty('--ai-chat-launcher-offset-y', '30px');
    box = launcher.getBoundingClientRect();
    expectEqual([Math.round(width - box.right), Math.round(height - box.bottom)], [40, 30], 'offsets from properties');
    panelBox = panel.getBoundingClientRect();
    expectEqual(Math.round(width - panelBox.right), 40, 'panel follows the offset');
    expectTrue(panelBox.bottom <= box.top, 'panel still above the launcher');

    el.setAttribute('launcher-position', 'start');
    box = launcher.getBoundingClientRect();
    panelBox = panel.getBoundingClientRect();
    expectEqual([Math.round(box.left), Math.round(panelBox.left)], [40, 40], 'launcher-position="start": the left');
  });

  it('stacks by --ai-chat-z-index', async () => {
    const el = await fixture('<ai-chat mode="launcher" open style="--ai-chat-z-index: 7"></ai-chat>');
    expectEqual(getComputedStyle(part(el, 'launcher')!).zIndex, '7', 'launcher');
    expectEqual(getComputedStyle(part(el, 'panel')!).zIndex, '7', 'panel');
  });

  it('inline mode has no launcher and no close button', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    expectEqual(part(el, 'launcher'), null, 'no launcher');
    expectEqual(part(el, 'close'), null, 'no close');
    expectTrue(shown(part(el, 'panel')), 'panel shown');
    expectEqual(part(el, 'panel')!.getAttribute('role'), 'region', 'a region, not a dialog');
  });
});
