/**
 * What the end-to-end tests share: the repository root, the project's one list of Chromium flags, and the real
 * companion server started on a free loopback port. These files run compiled from dist/node/test/e2e, so paths are
 * resolved from there and `scripts/chromium.mjs` is loaded at run time (a static import path would not hold in both
 * places).
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/server/config.js';
import { startChatServer, type RunningChatServer } from '../../src/server/chat-server.js';

export const rootUrl = new URL('../../../../', import.meta.url); // dist/node/test/e2e → repo root
export const rootDir = fileURLToPath(rootUrl);

const { chromiumArgs, chromiumPath } = (await import(new URL('scripts/chromium.mjs', rootUrl).href)) as {
  chromiumArgs: string[];
  chromiumPath: string;
};

/** Debian's Chromium, headless, with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** The built companion server serving this checkout, on 127.0.0.1 and a free port; `env` adds settings. */
export function startDemoServer(env: Record<string, string> = {}): Promise<RunningChatServer> {
  return startChatServer({ config: loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env }), rootDir });
}
