/**
 * Retrieval over the project's own documentation, so the demo answers real questions without a model or network.
 *
 * `README.md` and `docs/*.md` are split into passages at each markdown heading (headings inside code fences do not
 * count), each passage is indexed with MiniSearch, and `search` returns the best passages with a plain-text snippet.
 * Ordering is deterministic (score, then title, then url) so the same question always gets the same answer.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';

export interface Passage {
  /** `File › Heading`, e.g. `theming.md › Custom properties`. */
  title: string;
  /** Where the companion server serves it: `/docs/<file>.md#<slug>` or `/README.md#<slug>`. */
  url: string;
  /** The section's markdown, heading line excluded. */
  text: string;
  /** The first ~200 characters of the section as plain text. */
  snippet: string;
}

export interface DocIndex {
  /** Number of passages indexed. */
  readonly size: number;
  /** The `n` best passages for `query`, best first; `[]` when nothing matches. */
  search(query: string, n?: number): Passage[];
}

const SNIPPET_LENGTH = 200;

// Words that carry no topic: without this, "how do I ..." would match every passage equally.
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in into is it its me my of on or our so ' +
    'that the their them then there these they this to up us was we what when where which who why will with you your'
  ).split(' '),
);

/** GitHub-style heading anchor: lowercase, punctuation dropped, spaces to hyphens. */
export function slugify(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Markdown to plain text, good enough for a snippet (not a renderer). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/^\s*(```|~~~).*$/gm, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s*\|?\s*:?-{3,}.*$/gm, ' ')
    .replace(/^\s*>/gm, ' ')
    .replace(/[`*#|]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function snippetOf(markdown: string): string {
  const text = plainText(markdown);
  if (text.length <= SNIPPET_LENGTH) return text;
  const cut = text.slice(0, SNIPPET_LENGTH);
  const space = cut.lastIndexOf(' ');
  return (space > SNIPPET_LENGTH / 2 ? cut.slice(0, space) : cut) + '…';
}

/** Splits one markdown file into passages, one per heading (text before the first heading is its own passage). */
export function splitMarkdown(fileName: string, urlPath: string, markdown: string): Passage[] {
  const passages: Passage[] = [];
  const seenSlugs = new Map<string, number>();
  let heading: string | undefined;
  let lines: string[] = [];
  let fence: string | undefined;

  const flush = () => {
    const text = lines.join('\n').trim();
    lines = [];
    if (text === '') return;
    let url = urlPath;
    let title = fileName;
    if (heading !== undefined) {
      const base = slugify(heading);
      const seen = seenSlugs.get(base) ?? 0;
      seenSlugs.set(base, seen + 1);
      url += `#${seen === 0 ? base : `${base}-${seen}`}`;
      title += ` › ${plainText(heading)}`;
    }
    passages.push({ title, url, text, snippet: snippetOf(text) });
  };

  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (fence === fenceMatch[1]) fence = undefined;
    }
    const headingMatch = fence === undefined ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (headingMatch) {
      flush();
      heading = headingMatch[1];
    } else {
      lines.push(line);
    }
  }
  flush();
  return passages;
}

/** Lowercase, drop stop words, strip common English suffixes so "theme", "themes" and "theming" meet. */
function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  if (t.length < 2 || STOP_WORDS.has(t)) return null;
  for (const suffix of ['ing', 'ed', 'es', 's', 'e']) {
    if (t.endsWith(suffix) && t.length - suffix.length >= 3) return t.slice(0, -suffix.length);
  }
  return t;
}

/** Reads `README.md` and `docs/*.md` (sorted by name) under `rootDir`; missing files are simply absent. */
export function loadDocs(rootDir: string): Passage[] {
  const passages: Passage[] = [];
  const readme = join(rootDir, 'README.md');
  if (existsSync(readme)) passages.push(...splitMarkdown('README.md', '/README.md', readFileSync(readme, 'utf8')));
  const docsDir = join(rootDir, 'docs');
  if (existsSync(docsDir)) {
    for (const name of readdirSync(docsDir)
      .filter((n) => n.endsWith('.md'))
      .sort()) {
      passages.push(...splitMarkdown(name, `/docs/${name}`, readFileSync(join(docsDir, name), 'utf8')));
    }
  }
  return passages;
}

/** Builds the index from passages (see {@link loadDocs}). */
export function createDocIndex(passages: readonly Passage[]): DocIndex {
  const byId = new Map<number, Passage>();
  const mini = new MiniSearch<{ id: number; title: string; text: string }>({
    fields: ['title', 'text'],
    processTerm,
    searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2, combineWith: 'OR' },
  });
  passages.forEach((p, id) => byId.set(id, p));
  mini.addAll(passages.map((p, id) => ({ id, title: p.title, text: p.text })));

  return {
    size: passages.length,
    search(query: string, n = 3): Passage[] {
      return mini
        .search(query)
        .map((r) => ({ score: r.score, passage: byId.get(r.id as number)! }))
        .sort(
          (a, b) =>
            b.score - a.score ||
            a.passage.title.localeCompare(b.passage.title, 'en') ||
            a.passage.url.localeCompare(b.passage.url, 'en'),
        )
        .slice(0, Math.max(0, n))
        .map((r) => r.passage);
    },
  };
}
