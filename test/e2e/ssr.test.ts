// Server-side rendering frameworks (Next.js, Nuxt, Astro, SvelteKit, Vite SSR) import an app's modules in Node, where
// there is no `window`, `document` or `customElements`. Importing the package there must not throw. Each check runs
// in a fresh Node process, so nothing this test runner loaded (or any other test) can hide a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rootDir = fileURLToPath(new URL('../../../../', import.meta.url)); // dist/node/test/e2e → repo root

/** Runs `code` as an ES module in a new `node` whose working directory is the package root; returns its JSON output. */
function runInNode(code: string): { status: number | null; stderr: string; result: Record<string, unknown> } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: rootDir,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, stderr: r.stderr, result: last ? (JSON.parse(last) as Record<string, unknown>) : {} };
}

/** Reports what a module exports (name → typeof) and whether a DOM appeared. */
const probe = (specifier: string) => `
  const mod = await import(${JSON.stringify(specifier)});
  console.log(JSON.stringify({
    exports: Object.fromEntries(Object.entries(mod).map(([k, v]) => [k, typeof v])),
    document: typeof globalThis.document,
    window: typeof globalThis.window,
  }));
`;

test('import("ai-chat-element") in plain Node exits cleanly and exports the element, its events and the protocol', () => {
  // By the package's own name, resolved through package.json "exports" like an app's SSR server resolves it.
  const { status, stderr, result } = runInNode(probe('ai-chat-element'));
  assert.equal(status, 0, `node exited with ${status}:\n${stderr}`);
  const exports = result.exports as Record<string, string>;
  for (const name of [
    'AiChat',
    'defineAiChat',
    'AiChatSendEvent',
    'AiChatTokenEvent',
    'AiChatDoneEvent',
    'AiChatErrorEvent',
    'AiChatRetryEvent',
    'AiChatStateEvent',
  ]) {
    assert.equal(exports[name], 'function', `export ${name}`);
  }
  for (const name of ['EventName', 'ErrorCode', 'Route', 'Limits', 'defaultStrings']) {
    assert.equal(exports[name], 'object', `export ${name}`);
  }
  // Nothing installed a fake DOM on the way (Lit's Node build brings only a customElements shim of its own).
  assert.equal(result.document, 'undefined');
  assert.equal(result.window, 'undefined');
});

test('the built entry file imported by path, and the protocol subpath, load in plain Node', () => {
  const entry = runInNode(probe(new URL('dist/index.js', `file://${rootDir}/`).href));
  assert.equal(entry.status, 0, entry.stderr);
  assert.equal((entry.result.exports as Record<string, string>).AiChat, 'function');

  const protocol = runInNode(probe('ai-chat-element/protocol'));
  assert.equal(protocol.status, 0, protocol.stderr);
  assert.equal((protocol.result.exports as Record<string, string>).Route, 'object');
});

test('defineAiChat() in Node registers once and never throws when called again (the Lit shim throws on a re-define)', () => {
  const { status, stderr, result } = runInNode(`
    const { defineAiChat, AiChat } = await import('ai-chat-element');
    defineAiChat();
    defineAiChat();
    console.log(JSON.stringify({ name: AiChat.name, tag: typeof customElements === 'undefined' ? 'none' : customElements.get('ai-chat') === AiChat ? 'ai-chat' : 'other' }));
  `);
  assert.equal(status, 0, stderr);
  assert.equal(result.name, 'AiChat');
  // Lit's Node build installs a customElements shim whose define() throws on a second definition of a name (outside
  // NODE_ENV=development); the guarded defineAiChat() registered the class once and skipped the repeats.
  assert.equal(result.tag, 'ai-chat');
});
