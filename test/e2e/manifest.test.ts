// custom-elements.json is what IDEs, Storybook and framework wrappers read, and docs/theming.md is what designers
// read. Both are checked here against the code itself: the part names the templates set, the `--ai-chat-*`
// properties the styles read, the slots the template renders, the event classes, and (in Chromium) the default
// values the element really uses in light and dark.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningChatServer } from '../../src/server/chat-server.js';
import { launchChromium, rootDir, startDemoServer } from './harness.js';

const read = (path: string) => readFileSync(join(rootDir, path), 'utf8');

interface Named {
  name: string;
  description?: string;
  type?: { text: string };
  default?: string;
}
interface Member extends Named {
  kind: 'field' | 'method';
  privacy?: string;
  static?: boolean;
  readonly?: boolean;
  parameters?: Named[];
  return?: { type?: { text: string } };
}
interface Declaration {
  tagName?: string;
  attributes?: (Named & { fieldName?: string })[];
  members?: Member[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
  slots?: Named[];
}

function aiChatDeclaration(): Declaration {
  const manifest = JSON.parse(read('dist/custom-elements.json')) as { modules: { declarations?: Declaration[] }[] };
  const decl = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'ai-chat');
  assert.ok(decl, 'dist/custom-elements.json declares <ai-chat>');
  return decl;
}
const decl = aiChatDeclaration();
const names = (list: Named[] | undefined) => (list ?? []).map((x) => x.name).sort();

/** `.ts` files under `dir` (recursively), as repo-relative paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(rootDir, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}
/** Source text without comments, so a name mentioned in a comment is neither used nor documented. */
const code = (path: string) =>
  read(path)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
/** The string literals inside a `${…}` expression (`${open ? 'a' : 'b'}` → a, b). */
const literals = (expr: string) =>
  [...expr.matchAll(/'([^']*)'|"([^"]*)"|`([^`$]*)`/g)].map((m) => m[1] ?? m[2] ?? m[3]);

/** Where the element's markup is written: its component folder and the markdown enhancer (code blocks, tables). */
const markupFiles = [...sourceFiles('src/components'), ...sourceFiles('src/markdown')].filter(
  (f) => !f.endsWith('.styles.ts'),
);
const styleFiles = [...sourceFiles('src/components'), ...sourceFiles('src/markdown')];

/** Every part name set in markup: `part="a b"`, `part="a ${x ? 'b' : 'c'}"`, `part=${…}`, `setAttribute('part', …)`. */
function partsInSource(): { parts: Set<string>; opaque: string[] } {
  const parts = new Set<string>();
  const opaque: string[] = [];
  for (const file of markupFiles) {
    const text = code(file);
    for (const m of text.matchAll(/\bpart=(?:"([^"]*)"|'([^']*)'|(\$\{[^}]*\}))/g)) {
      const value = m[1] ?? m[2] ?? m[3];
      const expressions = [...value.matchAll(/\$\{([^}]*)\}/g)].map((e) => e[1]);
      if (expressions.some((e) => literals(e).length === 0)) opaque.push(`${file}: part=${value}`);
      const words = value.replace(/\$\{([^}]*)\}/g, (_, e: string) => ` ${literals(e).join(' ')} `);
      for (const w of words.split(/\s+/)) if (w) parts.add(w);
    }
    for (const m of text.matchAll(/setAttribute\(\s*['"]part['"]\s*,\s*([^)]*)\)|\.part\.add\(([^)]*)\)/g)) {
      const args = m[1] ?? m[2];
      if (literals(args).length === 0) opaque.push(`${file}: ${m[0]}`);
      for (const lit of literals(args)) for (const w of lit.split(/\s+/)) if (w) parts.add(w);
    }
  }
  return { parts, opaque };
}

test('attributes: every one has a type and a description', () => {
  const attributes = decl.attributes ?? [];
  for (const name of ['endpoint', 'conversation-id', 'heading', 'mode', 'open', 'max-retries', 'state', 'theme']) {
    assert.ok(names(attributes).includes(name), `attribute ${name}`);
  }
  for (const a of attributes) {
    assert.ok(a.type?.text, `attribute ${a.name} has a type`);
    assert.ok(a.description?.trim(), `attribute ${a.name} has a description`);
  }
});

test('properties and methods: every public one is described; headers, strings, messages and send/stop/clear/retry are there', () => {
  const members = (decl.members ?? []).filter((m) => !m.static && (m.privacy ?? 'public') === 'public');
  for (const m of members) assert.ok(m.description?.trim(), `public ${m.kind} ${m.name} has a description`);
  const fields = new Map(members.filter((m) => m.kind === 'field').map((m) => [m.name, m]));
  for (const name of ['headers', 'strings', 'messages', 'endpoint', 'imageOrigins']) {
    assert.ok(fields.get(name)?.type?.text, `property ${name} has a type`);
  }
  const methods = new Map(members.filter((m) => m.kind === 'method').map((m) => [m.name, m]));
  for (const name of ['send', 'stop', 'clear', 'retry']) assert.ok(methods.has(name), `method ${name}()`);
  assert.deepEqual(
    methods.get('send')?.parameters?.map((p) => [p.name, p.type?.text]),
    [['text', 'string']],
  );
  // Nothing private leaks into the public contract.
  for (const m of decl.members ?? []) {
    if (m.name.startsWith('#') || m.name.startsWith('handle')) assert.notEqual(m.privacy ?? 'public', 'public', m.name);
  }
});

test('events: exactly the ai-chat-* Event classes in src/events, each with its type and a description', () => {
  const fromSource = new Map<string, string>();
  for (const file of sourceFiles('src/events')) {
    const text = code(file);
    const cls = /export class (\w+) extends Event\b/.exec(text)?.[1];
    const name = /static readonly eventName = '([^']+)'/.exec(text)?.[1];
    assert.ok(cls && name, `${file} declares one Event subclass with its eventName`);
    fromSource.set(name, cls);
  }
  const events = decl.events ?? [];
  assert.deepEqual(new Map(events.map((e) => [e.name, e.type?.text])), fromSource);
  for (const e of events) {
    assert.match(e.name, /^ai-chat-[a-z-]+$/);
    assert.ok(e.description?.trim(), `event ${e.name} has a description`);
  }
});

test('parts: the JSDoc @csspart list is exactly the part names the markup sets', () => {
  const { parts, opaque } = partsInSource();
  assert.deepEqual(opaque, [], 'part names are written out in the source, so they can be checked here');
  for (const p of decl.cssParts ?? []) assert.ok(p.description?.trim(), `part ${p.name} has a description`);
  const documented = names(decl.cssParts);
  const used = [...parts].sort();
  assert.deepEqual(
    { undocumented: used.filter((p) => !documented.includes(p)), unused: documented.filter((p) => !used.includes(p)) },
    { undocumented: [], unused: [] },
  );
  // The contract's names stay (issue #2 and #5).
  for (const p of ['panel', 'header', 'log', 'message', 'user', 'assistant', 'composer', 'input', 'send', 'launcher']) {
    assert.ok(documented.includes(p), `part ${p}`);
  }
});

test('CSS properties: every --ai-chat-* the styles read is documented with a default, and every documented one is read', () => {
  const used = new Set<string>();
  for (const file of styleFiles) for (const m of code(file).matchAll(/--ai-chat-[a-z0-9-]+/g)) used.add(m[0]);
  for (const p of decl.cssProperties ?? []) {
    assert.ok(p.default?.trim(), `${p.name} has a default`);
    assert.ok(p.description?.trim(), `${p.name} has a description`);
  }
  const documented = names(decl.cssProperties);
  assert.deepEqual(
    {
      undocumented: [...used].sort().filter((p) => !documented.includes(p)),
      unused: documented.filter((p) => !used.has(p)),
    },
    { undocumented: [], unused: [] },
  );
});

test('slots: the JSDoc @slot list is exactly the slots the template renders', () => {
  const used = new Set<string>();
  for (const file of markupFiles) {
    for (const m of code(file).matchAll(/<slot\b([^>]*)>/g)) used.add(/\bname="([^"]*)"/.exec(m[1])?.[1] ?? '');
  }
  for (const s of decl.slots ?? []) assert.ok(s.description?.trim(), `slot ${s.name || '(default)'} has a description`);
  assert.deepEqual(names(decl.slots), [...used].sort());
  for (const s of ['header', 'empty', 'footer']) assert.ok(used.has(s), `slot ${s}`);
});

/** The rows of the first table under `## heading` in docs/theming.md: the cells of each row, backticks removed. */
function docTable(heading: string): string[][] {
  const doc = read('docs/theming.md');
  const start = doc.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `docs/theming.md has a "## ${heading}" section`);
  const section = doc.slice(start + 1).split(/\n## /)[0];
  const rows = section
    .split('\n')
    .filter((l) => /^\|\s*`/.test(l))
    .map((l) =>
      l
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/^`(.*)`$/, '$1')),
    );
  assert.ok(rows.length > 0, `docs/theming.md "## ${heading}" has a table`);
  return rows;
}

test('docs/theming.md lists exactly the manifest parts, CSS properties (with the same defaults) and slots', () => {
  assert.deepEqual(
    docTable('Parts')
      .map((r) => r[0])
      .sort(),
    names(decl.cssParts),
  );
  assert.deepEqual(
    docTable('Slots')
      .map((r) => r[0])
      .sort(),
    names(decl.slots),
  );
  const props = docTable('Custom properties');
  assert.deepEqual(props.map((r) => r[0]).sort(), names(decl.cssProperties));
  for (const [name, light, dark] of props) {
    const documented = decl.cssProperties?.find((p) => p.name === name);
    assert.equal(light, documented?.default, `${name}: the light default in the docs is the manifest's`);
    // The JSDoc gives dark defaults as "(dark: value)" in the description.
    const jsdocDark = /\(dark: ([^)]*\)?)\)/.exec(documented?.description ?? '')?.[1];
    if (jsdocDark) assert.equal(dark, jsdocDark, `${name}: the dark default in the docs is the JSDoc's`);
  }
});

test('the three themes in docs/theming.md are the CSS of the gallery, and use only --ai-chat-* properties and ::part()', () => {
  const doc = read('docs/theming.md');
  const themes = doc.slice(doc.indexOf('\n## Three themes\n'));
  const blocks = [...themes.matchAll(/```css\n([\s\S]*?)```/g)].map((m) => m[1].trim());
  assert.equal(blocks.length, 3, 'three themes');
  const gallery = read('demo/theming.css');
  for (const block of blocks) {
    assert.ok(gallery.includes(block), `demo/theming.css holds this theme verbatim:\n${block.slice(0, 80)}`);
    for (const rule of block.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
      const selectors = rule[1].split(',').map((x) => x.trim());
      const declarations = rule[2]
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean);
      for (const selector of selectors) {
        // The host itself may only receive custom properties; everything inside is reached through ::part().
        if (/^ai-chat\.[\w-]+$/.test(selector)) {
          for (const d of declarations) {
            const name = /^(--ai-chat-[a-z-]+):/.exec(d)?.[1];
            assert.ok(
              name && names(decl.cssProperties).includes(name),
              `${selector} sets only documented --ai-chat-*: ${d}`,
            );
          }
        } else {
          assert.match(selector, /^ai-chat\.[\w-]+::part\([\w\s-]+\)(::?[\w-]+)?$/, `${selector} is a ::part() rule`);
        }
      }
    }
  }
});

let browser: Browser;
let server: RunningChatServer;

before(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Both themes and both modes, each as a pair of identical widgets: `a` is left alone, `b` gets the property set. */
const THEMES = ['light', 'dark'] as const;
const MODES = ['inline', 'launcher'] as const;

/**
 * A page with the built element and the four pairs, each showing most parts: a markdown list, code block and table,
 * sources, a stopped answer, and the error of a question the server refused (over its length limit, 400).
 */
async function pairsPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(new URL('/healthz', server.url).href);
  await page.setContent('<!doctype html><html lang="en"><body></body></html>');
  await page.addScriptTag({ url: '/ai-chat.js' });
  await page.waitForFunction(() => customElements.get('ai-chat') !== undefined);
  await page.evaluate(
    async ({ themes, modes, tooLong }) => {
      type Chat = HTMLElement & {
        messages: unknown[];
        send(text: string): Promise<void>;
        updateComplete: Promise<unknown>;
      };
      const make = async (theme: string, mode: string, id: string) => {
        const el = document.createElement('ai-chat') as Chat;
        el.id = id;
        // Same box for every copy: resolved values such as `top` of positioned nodes depend on where the box is.
        el.style.cssText = 'position: absolute; top: 0; left: 0; width: 420px; height: 640px';
        el.setAttribute('theme', theme);
        el.setAttribute('mode', mode);
        if (mode === 'launcher') el.setAttribute('open', '');
        el.messages = [
          { id: 'u', role: 'user', content: 'How do I theme it?', status: 'completed' },
          {
            id: 'a',
            role: 'assistant',
            status: 'completed',
            content:
              'Use **parts**:\n\n- one\n- [two](https://example.com)\n\n```css\na { b: c }\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |',
            sources: [{ id: 's', title: 'Theming', url: '/docs/theming.md' }],
          },
          { id: 'b', role: 'assistant', status: 'stopped', content: 'Partial `code`' },
        ];
        document.body.append(el);
        await el.send(tooLong);
        await el.updateComplete;
      };
      for (const theme of themes) {
        for (const mode of modes) {
          await make(theme, mode, `${theme}-${mode}-a`);
          await make(theme, mode, `${theme}-${mode}-b`);
        }
      }
    },
    { themes: [...THEMES], modes: [...MODES], tooLong: 'x'.repeat(9000) },
  );
  return page;
}

/**
 * Sets `--name: value` on the `b` widgets of `theme` and returns the computed styles (every property, every node of
 * the shadow trees) that then differ from the untouched `a` widgets. A documented default that is the real one
 * changes nothing.
 */
async function differencesWhenSet(page: Page, theme: string, name: string, value: string): Promise<string[]> {
  return page.evaluate(
    ({ theme, name, value, modes }) => {
      const dump = (el: Element) =>
        [el, ...Array.from(el.shadowRoot!.querySelectorAll('*'))].map((n) => {
          const cs = getComputedStyle(n);
          const out: Record<string, string> = {};
          for (let i = 0; i < cs.length; i++) if (!cs[i].startsWith('--')) out[cs[i]] = cs.getPropertyValue(cs[i]);
          return [n.getAttribute('part') ?? n.localName, out] as const;
        });
      const diffs: string[] = [];
      for (const mode of modes) {
        const a = document.getElementById(`${theme}-${mode}-a`)!;
        const b = document.getElementById(`${theme}-${mode}-b`)!;
        if (name) b.style.setProperty(name, value);
        const da = dump(a);
        const db = dump(b);
        b.style.removeProperty(name);
        if (da.length !== db.length) diffs.push(`${mode}: ${da.length} nodes against ${db.length}`);
        else
          da.forEach(([part, styles], i) => {
            for (const [p, v] of Object.entries(styles)) {
              if (db[i][1][p] !== v) diffs.push(`${mode} ${part}: ${p} ${v} → ${db[i][1][p]}`);
            }
          });
      }
      return diffs;
    },
    { theme, name, value, modes: [...MODES] },
  );
}

test('the defaults in the manifest and docs/theming.md (light and dark) are the values the element really uses', async () => {
  const page = await pairsPage();
  // The pairs really show the parts whose colours are checked, and are identical before anything is set.
  for (const part of ['error', 'code-block', 'sources', 'user', 'launcher', 'status']) {
    assert.ok(
      await page.locator(`#light-inline-b [part~="${part}"], #light-launcher-b [part~="${part}"]`).count(),
      part,
    );
  }
  for (const theme of THEMES) assert.deepEqual(await differencesWhenSet(page, theme, '', ''), []);

  const failures: string[] = [];
  for (const [name, light, dark] of docTable('Custom properties')) {
    for (const [theme, value] of [
      ['light', light],
      ['dark', dark === 'same' ? light : dark],
    ] as const) {
      const diffs = await differencesWhenSet(page, theme, name, value);
      if (diffs.length) failures.push(`${name}: ${value} is not the ${theme} default: ${diffs.slice(0, 3).join('; ')}`);
    }
  }
  assert.deepEqual(failures, []);
  // The comparison can see a change: a value that is not the default differs.
  assert.notDeepEqual(await differencesWhenSet(page, 'light', '--ai-chat-accent', '#ff0000'), []);
  await page.close();
});

test('the theming gallery renders every theme with its list, code block and source, styled from the page', async () => {
  const page = await browser.newPage({ viewport: { width: 1288, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The page is served under the demo's strict CSP (no inline script or style): it must not need an exception.
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      ((window as unknown as { violations: string[] }).violations ??= []).push(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    ),
  );
  await page.goto(new URL('/demo/theming.html', server.url).href);
  const chats = page.locator('.gallery ai-chat:not([mode="launcher"])');
  assert.equal(await chats.count(), 5, 'default light, default dark and three themes');
  for (let i = 0; i < 5; i++) {
    const chat = chats.nth(i);
    for (const part of ['user', 'assistant', 'code-block', 'source'])
      await chat.locator(`[part~="${part}"]`).first().waitFor();
    assert.ok(await chat.locator('[part~="assistant"] li').count(), 'a list');
  }
  // Page CSS crossed the shadow boundary through --ai-chat-* and ::part() only.
  const style = (selector: string, part: string, property: string) =>
    page
      .locator(`${selector} [part~="${part}"]`)
      .first()
      .evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
  assert.match(await style('.theme-paper', 'panel', 'font-family'), /Georgia/);
  assert.equal(await style('.theme-paper', 'heading', 'font-variant-caps'), 'small-caps');
  assert.match(await style('.theme-terminal', 'panel', 'font-family'), /monospace/);
  assert.equal(await style('.theme-terminal', 'send', 'text-transform'), 'uppercase');
  assert.equal(await style('.theme-candy', 'send', 'border-top-left-radius'), '22px');
  assert.match(await style('.theme-candy', 'header', 'background-image'), /linear-gradient/);
  // The launcher's real answer arrived while its panel was closed: the unread badge shows it.
  await page.locator('#launcher [part~="launcher-badge"]').waitFor({ timeout: 20_000 });
  assert.equal((await page.locator('#launcher [part~="launcher-badge"]').innerText()).trim(), '1');
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? []), []);
  await page.close();
});
