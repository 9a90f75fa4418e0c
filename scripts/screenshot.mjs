// `node scripts/screenshot.mjs`: starts the built companion server on a free loopback port, opens the theming gallery
// (demo/theming.html) in headless Chromium and writes docs/images/theming-gallery.png (the README shows it).
// Needs `npm run build` first (the server from dist/node, the element from dist/ai-chat.js).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './chromium.mjs';

const rootDir = fileURLToPath(new URL('../', import.meta.url));
const out = new URL('../docs/images/theming-gallery.png', import.meta.url);
const { loadConfig } = await import(new URL('../dist/node/src/server/config.js', import.meta.url).href);
const { startChatServer } = await import(new URL('../dist/node/src/server/chat-server.js', import.meta.url).href);

const server = await startChatServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1' }), rootDir });
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
try {
  // The gallery's own light page; the widgets' themes are set per element. No animation mid-frame.
  const page = await browser.newPage({
    viewport: { width: 1288, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL('/demo/theming.html', server.url).href);
  // Every inline chat shows its code block and source; the launcher's real answer has finished (badge shown).
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('.gallery ai-chat:not([mode="launcher"])')].every(
        (c) => c.shadowRoot?.querySelector('[part~="code-block"]') && c.shadowRoot.querySelector('[part~="source"]'),
      ) && document.body.hasAttribute('data-launcher-answered'),
    null,
    { timeout: 30_000 },
  );
  await page.evaluate(() => document.fonts.ready);
  if (errors.length) throw new Error(`the gallery page threw: ${errors.join('; ')}`);
  mkdirSync(new URL('./', out), { recursive: true });
  await page.screenshot({ path: fileURLToPath(out), fullPage: true });
  console.log(`screenshot: ${fileURLToPath(out)}`);
} finally {
  await browser.close();
  await server.close();
}
