// The npm entry from React 19, Vue 3 and plain TypeScript: each example under demo/frameworks/ is type-checked
// against the package's built typings (resolved by the package's own name through package.json `exports`, exactly as
// an app resolves them), built with vite, and run in Chromium against the built companion server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import ts from 'typescript';
import { build } from 'vite';
import { Limits } from '../../src/protocol.js';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import { launchChromium, rootDir, startDemoServer } from './harness.js';

/** Each example, the label of its own "Ask" button, and the `X-Example` header it sets through `headers`. */
const examples = [
  { name: 'react', button: 'Ask from React' },
  { name: 'vue', button: 'Ask from Vue' },
  { name: 'vanilla-ts', button: 'Ask from TypeScript' },
] as const;
const exampleDir = (name: string) => join(rootDir, 'demo', 'frameworks', name);

/**
 * Type-checks one example with its own tsconfig.json, plus optional extra in-memory files placed in its `src/`.
 * `skipLibCheck` is turned off so the package's shipped `.d.ts` files are checked too, not only their use.
 */
function typeCheck(name: string, extra: Record<string, string> = {}): { errors: string; files: string[] } {
  const configPath = join(exampleDir(name), 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  assert.equal(error, undefined, `${configPath} parses`);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  const options = { ...parsed.options, skipLibCheck: false };
  const virtual = new Map(Object.entries(extra).map(([file, text]) => [join(exampleDir(name), 'src', file), text]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile: hostReadFile } = host;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtual.get(normalize(fileName));
    return text === undefined
      ? getSourceFile.call(host, fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.fileExists = (fileName) => virtual.has(normalize(fileName)) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(normalize(fileName)) ?? hostReadFile.call(host, fileName);
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...virtual.keys()], options, host });
  const errors = ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => rootDir,
    getNewLine: () => '\n',
  });
  return { errors, files: program.getSourceFiles().map((f) => f.fileName) };
}

test('package.json exports the React and Vue typings as types-only subpaths that exist in the build', () => {
  const pkg = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as {
    exports: Record<string, { types?: string } | string>;
  };
  for (const sub of ['react', 'vue']) {
    const entry = pkg.exports[`./${sub}`];
    assert.ok(typeof entry === 'object', `package.json "exports" has "./${sub}": { "types": … }`);
    assert.equal(entry.types, `./dist/types/frameworks/${sub}.d.ts`);
    assert.ok(existsSync(join(rootDir, entry.types)), `${entry.types} is built`);
  }
});

for (const { name } of examples) {
  test(`${name}: the example type-checks against the built package typings`, () => {
    const { errors, files } = typeCheck(name);
    assert.equal(errors, '', `tsc errors in demo/frameworks/${name}`);
    // The types came from the build, through the package name, not from src/.
    const distTypes = join(rootDir, 'dist', 'types') + sep;
    assert.ok(files.some((f) => normalize(f) === join(distTypes, 'index.d.ts')));
    assert.ok(!files.some((f) => normalize(f).startsWith(join(rootDir, 'src') + sep)), 'no file of src/ was read');
  });
}

test('the React JSX typings type every property and event, and reject wrong ones', () => {
  const { errors } = typeCheck('react', {
    'typings-check.tsx': `
      import type {} from 'ai-chat-element/react';
      export const ok = (
        <ai-chat
          endpoint="/chat/stream"
          maxRetries={2}
          imageOrigins={['self']}
          headers={async () => ({ Authorization: 'Bearer t' })}
          strings={{ send: 'Ask' }}
          messages={[{ id: 'a', role: 'user', content: 'hi' }]}
          className="chat"
          onai-chat-token={(e) => e.detail.token.length}
          onai-chat-error={(e) => e.detail.fatal}
          onai-chat-done={(e) => e.detail.message.content}
        >
          <span slot="footer">Answers can be wrong.</span>
        </ai-chat>
      );
      // @ts-expect-error endpoint is a string
      export const a = <ai-chat endpoint={1} />;
      // @ts-expect-error maxRetries is a number
      export const b = <ai-chat maxRetries="3" />;
      // @ts-expect-error ai-chat-done carries the message, not an error flag
      export const c = <ai-chat onai-chat-done={(e) => e.detail.fatal} />;
      // @ts-expect-error state is set by the element, never by the app
      export const e = <ai-chat state="idle" />;
      // @ts-expect-error strings has no such key
      export const d = <ai-chat strings={{ sned: 'typo' }} />;
    `,
  });
  assert.equal(errors, '');
});

test('the Vue GlobalComponents typing types every property and event, and rejects wrong ones', () => {
  const { errors } = typeCheck('vue', {
    'typings-check.ts': `
      import type { GlobalComponents } from 'vue';
      import type {} from 'ai-chat-element/vue';
      type Chat = InstanceType<GlobalComponents['ai-chat']>;
      // What vue-tsc checks a template's bindings against.
      type Props = Chat['$props'];
      export const ok: Props = {
        endpoint: '/chat/stream',
        maxRetries: 2,
        headers: { Authorization: 'Bearer t' },
        strings: { send: 'Ask' },
        class: 'chat',
        onAiChatToken: (e) => e.detail.token.length,
        onAiChatError: (e) => e.detail.fatal,
        onAiChatDone: (e) => e.detail.message.content,
      };
      // A template ref is the element itself.
      export const send: (text: string) => Promise<void> = (text) => (null as unknown as Chat).send(text);
      // @ts-expect-error endpoint is a string
      export const a: Props = { endpoint: 1 };
      // @ts-expect-error maxRetries is a number
      export const b: Props = { maxRetries: '3' };
      // @ts-expect-error ai-chat-done carries the message, not an error flag
      export const c: Props = { onAiChatDone: (e) => e.detail.fatal };
    `,
  });
  assert.equal(errors, '');
});

let browser: Browser;
let server: RunningChatServer;
let outDir: string;

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'ai-chat-frameworks-'));
  // Each example is built the way its app would be (vite, production mode), under /fw/<name>/.
  for (const { name } of examples) {
    const configFile = join(exampleDir(name), 'vite.config.ts');
    await build({
      root: exampleDir(name),
      base: `/fw/${name}/`,
      configFile: existsSync(configFile) ? configFile : false,
      logLevel: 'warn',
      build: { outDir: join(outDir, name), emptyOutDir: true },
    });
  }
  server = await startDemoServer({ TOKEN_DELAY_MS: '2' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

for (const { name, button } of examples) {
  test(`${name}: its properties reach the element, its send() streams an answer, it sees ai-chat-done and ai-chat-error`, async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // The built example is served from the companion server's origin (as an app behind the same host would be);
    // everything else, /chat/stream included, goes to the real server.
    await page.route(new URL('/fw/**', server.url).href, async (route) => {
      const path = new URL(route.request().url()).pathname.slice('/fw/'.length);
      const file = normalize(join(outDir, path.endsWith('/') ? `${path}index.html` : path));
      if (!file.startsWith(outDir + sep) || !existsSync(file)) return route.fulfill({ status: 404 });
      await route.fulfill({ body: await readFile(file), contentType: TYPES[extname(file)] ?? 'text/plain' });
    });
    const sentHeaders: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/chat/stream') sentHeaders.push(r.headers()['x-example']);
    });

    await page.goto(new URL(`/fw/${name}/`, server.url).href);
    const chat = page.locator('ai-chat');
    const status = page.locator('#status');

    // `strings` (an object property) renamed the element's Send button; `messages` put the welcome in its log.
    await chat.getByRole('button', { name: 'Ask', exact: true }).waitFor();
    assert.equal(await chat.getByRole('button', { name: 'Send', exact: true }).count(), 0);
    const assistant = chat.locator('[part~="message"][part~="assistant"]');
    assert.equal(await assistant.first().innerText(), 'Hi! Ask me about theming or events.');
    assert.equal(await assistant.first().locator('strong').first().innerText(), 'theming', 'rendered as markdown');
    assert.equal(await status.innerText(), 'No answer yet.');

    // The framework's own form calls the element's send(); the framework's listener renders the done event.
    await page.getByRole('textbox', { name: 'Question', exact: true }).fill('How do I theme the widget?');
    await page.getByRole('button', { name: button }).click();
    await page.waitForFunction(
      () => /^done: \d+ chars$/.test(document.querySelector('#status')?.textContent ?? ''),
      null,
      {
        timeout: 20_000,
      },
    );
    const messages = await chat.evaluate((el) =>
      (el as unknown as { messages: { role: string; content: string }[] }).messages.map((m) => [m.role, m.content]),
    );
    // The framework's re-render (status text) did not reset the conversation set through `messages`.
    assert.deepEqual(messages.slice(0, 2), [
      ['assistant', 'Hi! Ask me about **theming** or **events**.'],
      ['user', 'How do I theme the widget?'],
    ]);
    assert.equal(messages.length, 3);
    const answer = messages[2][1];
    assert.ok(answer.trim().length > 20, `an answer streamed from the companion server: ${answer}`);
    assert.equal(await status.innerText(), `done: ${answer.length} chars`);
    assert.match(await assistant.last().innerText(), /\S{3}/, 'the answer is shown in the shadow DOM');
    assert.deepEqual(sentHeaders, [name], '`headers` (an object property) went out with the request');

    // A question over the server's length limit is refused (400); the framework's error listener shows the text
    // the widget shows.
    await page.getByRole('textbox', { name: 'Question', exact: true }).fill('x'.repeat(Limits.maxMessageLength + 1));
    await page.getByRole('button', { name: button }).click();
    await page.waitForFunction(() => /^error: /.test(document.querySelector('#status')?.textContent ?? ''), null, {
      timeout: 20_000,
    });
    const shown = await chat.locator('[part~="error"]').innerText();
    assert.ok(shown.length > 0);
    assert.equal(await status.innerText(), `error: ${shown}`);

    assert.deepEqual(pageErrors, []);
    await page.close();
  });
}
