// End to end: the real companion server on loopback, the real built bundle, Debian's Chromium driven by
// playwright-core. This is what a newcomer sees after `npm install && npm start`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import { launchChromium, startDemoServer } from './harness.js';

let browser: Browser;
let server: RunningChatServer;

before(async () => {
  server = await startDemoServer({ TOKEN_DELAY_MS: '2' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openDemo(): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => customElements.get('ai-chat') !== undefined);
  assert.deepEqual(errors, []);
  return page;
}

test('asking how to theme the widget streams a sourced answer drawn from the docs', async () => {
  const page = await openDemo();
  const chat = page.locator('#inline-chat');
  const input = chat.locator('[part~="input"]');
  await input.fill('How do I theme the widget?');
  await input.press('Enter');

  // The user's question is in the log at once; the answer streams in token by token.
  await chat.locator('[part~="message"][part~="user"]').getByText('How do I theme the widget?').waitFor();
  const answer = chat.locator('[part~="message"][part~="assistant"]').last();
  await answer.waitFor();
  await page.waitForFunction(() => document.querySelector('#inline-chat')?.getAttribute('state') === 'idle', null, {
    timeout: 20_000,
  });

  const text = (await answer.textContent()) ?? '';
  assert.match(text, /custom propert|::part/i, `answer should come from the theming doc, got: ${text.slice(0, 200)}`);
  const sourceLinks = await chat
    .locator('[part~="sources"] a')
    .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
  assert.ok(sourceLinks.length > 0, 'sources are listed under the answer');
  assert.ok(
    sourceLinks.some((href) => href.includes('/docs/theming.md')),
    `a source links the theming doc: ${sourceLinks.join(', ')}`,
  );
  // The source link is served by the companion server.
  const res = await fetch(
    new URL(
      sourceLinks.find((h) => h.includes('theming'))!,
      server.url,
    ),
  );
  assert.equal(res.status, 200);
  assert.match(await res.text(), /# Theming the widget/);
  await page.close();
});

test('the same question asked twice gets the same answer (deterministic demo responder)', async () => {
  const page = await openDemo();
  const chat = page.locator('#inline-chat');
  const input = chat.locator('[part~="input"]');
  const ask = async () => {
    await input.fill('What events does the server send?');
    await input.press('Enter');
    await page.waitForFunction(
      () =>
        document.querySelector('#inline-chat')?.getAttribute('state') === 'idle' &&
        document.querySelector('#inline-chat')!.shadowRoot!.querySelectorAll('[part~="assistant"]').length > 0,
    );
  };
  await ask();
  await ask();
  const answers = await chat.locator('[part~="message"][part~="assistant"]').allTextContents();
  assert.equal(answers.length, 2);
  assert.ok(answers[0].trim().length > 20);
  assert.equal(answers[1], answers[0]);
  await page.close();
});

test('the script tag mounts a launcher whose panel opens and answers', async () => {
  const page = await openDemo();
  const launcherChat = page.locator('ai-chat[mode="launcher"]');
  assert.equal(await launcherChat.count(), 1, 'exactly one launcher is mounted');
  assert.equal(await launcherChat.getAttribute('endpoint'), '/chat/stream');
  await launcherChat.locator('[part~="launcher"]').click();
  const input = launcherChat.locator('[part~="input"]');
  await input.waitFor({ state: 'visible' });
  await input.fill('How do I embed it with a script tag?');
  await input.press('Enter');
  await page.waitForFunction(
    () =>
      document.querySelector('ai-chat[mode="launcher"]')?.getAttribute('state') === 'idle' &&
      document.querySelector('ai-chat[mode="launcher"]')!.shadowRoot!.querySelectorAll('[part~="assistant"]').length >
        0,
  );
  const text = await launcherChat.locator('[part~="assistant"]').last().textContent();
  assert.ok((text ?? '').trim().length > 20, 'the launcher panel shows an answer');
  // Loading the script a second time is harmless: no error, still one element definition and one launcher.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addScriptTag({ url: '/ai-chat.js' });
  assert.deepEqual(errors, []);
  assert.equal(await page.locator('ai-chat[mode="launcher"]').count(), 1);
  await page.close();
});
