// The demo page under the security headers the companion server sends it: real server, real built bundle, Debian's
// Chromium. A question gets its streamed, sourced answer with not one CSP violation, neither of the enforced policy
// nor of the report-only Trusted Types policy. A page that broke under its own CSP would fail here, not in a
// visitor's console.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import { DEMO_PAGE_CSP } from '../../src/server/security-headers.js';
import { launchChromium, startDemoServer } from './harness.js';

let browser: Browser;
let server: RunningChatServer;

before(async () => {
  server = await startDemoServer({ TOKEN_DELAY_MS: '2', LOG_LEVEL: 'off' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the demo page answers a question with no CSP or Trusted Types violation', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Registered before any page script, so a violation during start-up is caught too.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.disposition} ${e.effectiveDirective} ${e.blockedURI} ${e.sample}`),
    );
  });
  const response = await page.goto(server.url);
  assert.equal(response?.headers()['content-security-policy'], DEMO_PAGE_CSP);
  await page.waitForFunction(() => customElements.get('ai-chat') !== undefined);

  const chat = page.locator('#inline-chat');
  const input = chat.locator('[part~="input"]');
  await input.fill('How do I theme the widget?');
  await input.press('Enter');
  await page.waitForFunction(
    () =>
      document.querySelector('#inline-chat')?.getAttribute('state') === 'idle' &&
      document.querySelector('#inline-chat')!.shadowRoot!.querySelectorAll('[part~="assistant"]').length > 0,
    null,
    { timeout: 30_000 },
  );
  const answer = (await chat.locator('[part~="message"][part~="assistant"]').last().textContent()) ?? '';
  assert.match(answer, /custom propert|::part/i, answer.slice(0, 200));
  assert.ok((await chat.locator('[part~="sources"] a').count()) > 0, 'sources are listed');
  // The launcher the script tag mounted opens under the same policy.
  await page.locator('ai-chat[mode="launcher"]').locator('[part~="launcher"]').click();
  await page.locator('ai-chat[mode="launcher"]').locator('[part~="input"]').waitFor({ state: 'visible' });

  assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), []);
  assert.deepEqual(errors, []);
  await page.close();
});
