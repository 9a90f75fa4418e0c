import '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part } from './helpers.js';

describe('<ai-chat mode="launcher">', () => {
  afterEach(cleanup);

  it('toggles the panel from the floating button and closes on Escape and the close button', async () => {
    const el = await fixture('<ai-chat mode="launcher"></ai-chat>');
    const launcher = part(el, 'launcher')!;
    expectTrue(launcher, 'launcher part');
    expectEqual(getComputedStyle(launcher).position, 'fixed', 'launcher floats');
    expectEqual(launcher.getAttribute('aria-expanded'), 'false', 'collapsed');
    expectTrue(launcher.getAttribute('aria-label'), 'launcher labelled');
    expectEqual(part(el, 'panel'), null, 'panel hidden while closed');

    launcher.click();
    await el.updateComplete;
    expectEqual(el.open, true, 'open');
    expectTrue(el.hasAttribute('open'), 'open reflects');
    expectEqual(launcher.getAttribute('aria-expanded'), 'true', 'expanded');
    expectTrue(part(el, 'panel'), 'panel shown');
    expectTrue(part(el, 'close'), 'close button in launcher mode');
    await el.updateComplete;
    expectEqual(el.shadowRoot!.activeElement, part(el, 'input'), 'input focused on open');

    part(el, 'input')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await el.updateComplete;
    expectEqual(el.open, false, 'Escape closes');
    expectEqual(part(el, 'panel'), null, 'panel hidden again');

    el.open = true;
    await el.updateComplete;
    part(el, 'close')!.click();
    await el.updateComplete;
    expectEqual(el.open, false, 'close button closes');
  });

  it('inline mode has no launcher and no close button', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    expectEqual(part(el, 'launcher'), null, 'no launcher');
    expectEqual(part(el, 'close'), null, 'no close');
    expectTrue(part(el, 'panel'), 'panel shown');
  });
});
