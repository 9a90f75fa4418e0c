/**
 * Entry point of `npm start`: read the environment, serve the project this file belongs to, and shut down
 * cleanly on Ctrl-C or a container stop so open streams end and the port is released.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';
import { startChatServer } from './chat-server.js';
import { redactRedisUrl } from './create-run-store.js';

/** The nearest directory at or above `start` holding a package.json (works from src/ and from dist/node/src/). */
export function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json found above ${start}.`);
    dir = parent;
  }
  return dir;
}

export async function main(): Promise<void> {
  const config = loadConfig();
  const rootDir = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
  const running = await startChatServer({ config, rootDir });
  console.log(`ai-chat demo server: ${running.url}`);
  // Which store holds runs decides whether a resume may land on another instance: say it at start.
  console.log(`ai-chat runs: ${config.redisUrl ? `Redis at ${redactRedisUrl(config.redisUrl)}` : 'in memory'}`);
  // Which model answers (never the key): a wrong base URL is then visible before the first question.
  console.log(
    `ai-chat answers: ${config.llm ? `model ${config.llm.model} at ${config.llm.baseUrl}` : 'the demo responder (docs only)'}`,
  );
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  // A bad setting or a busy port: one readable line, no stack, non-zero exit.
  console.error(`ai-chat demo server: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
