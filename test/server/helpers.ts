// Shared by the server tests: a small temp project root (so answers do not move when the real docs change), a
// server on a loopback port 0, and a raw SSE frame parser (tests compare bytes, not a client's interpretation).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/server/config.js';
import { startChatServer, type RunningChatServer } from '../../src/server/chat-server.js';
import type { Responder } from '../../src/server/responder.js';

export const THEMING_MD = `# Theming the widget

You theme the widget with CSS custom properties and the \`::part()\` selector.

## Custom properties

Set \`--ai-chat-accent\` on the element to change the accent colour.

## Parts

Style \`ai-chat::part(input)\` to change the input.
`;

export const README_MD = `# Project

An embeddable chat widget.

## Install

Run the build, then start the server.
`;

export const PROTOCOL_MD = `# Protocol

The server sends thinking, sources, token, done and error events over Server-Sent Events.
`;

/** A throwaway project root with README, two docs, the demo page and (optionally) a built bundle. */
export function makeRoot(options: { bundle?: boolean } = {}): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ai-chat-server-'));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'demo'));
  writeFileSync(join(dir, 'README.md'), README_MD);
  writeFileSync(join(dir, 'docs', 'theming.md'), THEMING_MD);
  writeFileSync(join(dir, 'docs', 'protocol.md'), PROTOCOL_MD);
  writeFileSync(join(dir, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  writeFileSync(join(dir, 'demo', 'demo.css'), 'body { margin: 0; }');
  writeFileSync(join(dir, 'secret.txt'), 'not served');
  if (options.bundle) {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'ai-chat.js'), 'export {};');
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startServer(
  env: Record<string, string>,
  rootDir: string,
  responder?: Responder,
): Promise<RunningChatServer> {
  return startChatServer({
    // No rate limit and no log lines unless a test asks: suites fire thousands of requests from one address.
    config: loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      TOKEN_DELAY_MS: '1',
      RATE_LIMIT: '0',
      LOG_LEVEL: 'off',
      // Per-turn writes, so tests that read exact frames do not depend on how busy the machine is (FLUSH_MS=auto
      // batches once the loop is over 75 % busy; flush-window.test.ts and run-connection.test.ts cover that).
      FLUSH_MS: '0',
      ...env,
    }),
    rootDir,
    responder,
  });
}

export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export interface Frame {
  raw: string;
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Splits a raw SSE body into frames (the server only ever writes `\n` line ends). */
export function parseFrames(body: string): Frame[] {
  return body
    .split('\n\n')
    .filter((f) => f !== '')
    .map((block) => {
      const frame: Frame = { raw: `${block}\n\n` };
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === '') frame.comment = value;
        else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
        else if (field === 'id' || field === 'event') frame[field] = value;
      }
      return frame;
    });
}

/** Reads a streaming body incrementally: `until` stops once a condition holds, `rest` reads to the end. */
export class BodyReader {
  text = '';
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();

  constructor(res: Response) {
    this.#reader = res.body!.getReader();
  }

  /** Reads until `done(textSoFar)` is true or the stream ends; returns everything read so far. */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text)) {
      const chunk = await this.#reader.read();
      if (chunk.done) break;
      this.text += this.#decoder.decode(chunk.value, { stream: true });
    }
    return this.text;
  }

  /** Reads to the end of the stream; returns the whole body. */
  rest(): Promise<string> {
    return this.until(() => false);
  }
}

/** Polls until `check()` is true, failing after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function activeStreams(url: string): Promise<number> {
  const res = await fetch(new URL('/healthz', url));
  return ((await res.json()) as { active_streams: number }).active_streams;
}
