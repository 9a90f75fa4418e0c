// Phones: below 480px the launcher's panel is a full-screen sheet that follows the visual viewport (the soft keyboard
// shrinks it), clear of notches; fields are 16px or more so iOS Safari does not zoom into them.
import { setViewport } from '@web/test-runner-commands';
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, waitFor } from './helpers.js';

const rect = (node: Element | null) => {
  const r = node!.getBoundingClientRect();
  return [r.left, r.top, r.width, r.height].map(Math.round);
};

async function resize(width: number, height: number): Promise<void> {
  await setViewport({ width, height });
  await waitFor(() => innerWidth === width && visualViewport!.height === height, 2000, `viewport ${width}x${height}`);
}

/** The cssText of every rule in the element's shadow styles, media rules flattened with their condition. */
function shadowRules(el: AiChat): string[] {
  const out: string[] = [];
  const walk = (rules: CSSRuleList, prefix: string) => {
    for (const rule of rules) {
      if (rule instanceof CSSMediaRule) walk(rule.cssRules, `${prefix}@media ${rule.conditionText} `);
      else out.push(prefix + rule.cssText);
    }
  };
  for (const sheet of el.shadowRoot!.adoptedStyleSheets) walk(sheet.cssRules, '');
  return out;
}

describe('<ai-chat> on a narrow screen', () => {
  const initial = { width: innerWidth, height: innerHeight };
  afterEach(async () => {
    cleanup();
    await resize(initial.width, initial.height);
  });

  it('below 480px the open launcher panel fills the screen; from 480px it floats', async () => {
    await resize(375, 667);
    const el = await fixture('<ai-chat mode="launcher" open></ai-chat>');
    const panel = part(el, 'panel')!;
    expectEqual(rect(panel), [0, 0, 375, 667], 'full-screen sheet');
    expectEqual(getComputedStyle(panel).borderTopLeftRadius, '0px', 'square corners');
    for (const name of ['input', 'send', 'close']) {
      expectTrue(parseFloat(getComputedStyle(part(el, name)!).fontSize) >= 16, `${name} is 16px or more`);
    }
    await resize(479, 667);
    expectEqual(rect(panel), [0, 0, 479, 667], 'still a sheet at 479px');
    await resize(480, 667);
    const floating = rect(panel);
    expectTrue(floating[2] < 480 && floating[3] < 667, `floats at 480px (${floating.join(',')})`);
  });

  it('the sheet follows the visual viewport when the soft keyboard takes the bottom of the screen', async () => {
    await resize(390, 700);
    const el = await fixture('<ai-chat mode="launcher"></ai-chat>');
    part(el, 'launcher')!.click();
    await el.updateComplete;
    expectEqual(rect(part(el, 'panel')), [0, 0, 390, 700], 'sheet');
    // A keyboard opening shrinks the visual viewport; here the window itself shrinks, which fires the same event.
    await resize(390, 280);
    const panel = part(el, 'panel')!;
    await waitFor(() => panel.style.getPropertyValue('--_vvh') === '280px', 2000, 'the height from visualViewport');
    expectEqual(rect(panel), [0, 0, 390, 280], 'the sheet now ends where the keyboard starts');
    const input = part(el, 'input')!.getBoundingClientRect();
    expectTrue(input.bottom <= 280, 'the input stays above the keyboard');
    await resize(390, 700);
    await waitFor(() => rect(panel)[3] === 700, 2000, 'full height again once the keyboard is gone');
  });

  it('keeps clear of notches and home bars with safe-area insets', async () => {
    const el = await fixture('<ai-chat mode="launcher" open></ai-chat>');
    const sheet = shadowRules(el).find((rule) => rule.startsWith('@media (max-width: 479.98px)'));
    expectTrue(sheet, 'a narrow-screen rule');
    for (const side of ['top', 'right', 'bottom', 'left']) {
      expectTrue(sheet!.includes(`env(safe-area-inset-${side})`), `padding for the ${side} safe area`);
    }
    expectTrue(sheet!.includes('100dvh'), 'dynamic viewport height, not 100vh');
  });
});
