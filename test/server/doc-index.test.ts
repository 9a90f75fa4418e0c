import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDocIndex, loadDocs, plainText, slugify, splitMarkdown } from '../../src/server/doc-index.js';
import { makeRoot } from './helpers.js';

test('markdown splits into one passage per heading, ignoring headings inside code fences', () => {
  const md = '# Title\n\nIntro text.\n\n## Use it\n\n```sh\n# not a heading\nnpm start\n```\n\n## Use it\n\nAgain.\n';
  const passages = splitMarkdown('guide.md', '/docs/guide.md', md);
  assert.deepEqual(
    passages.map((p) => [p.title, p.url]),
    [
      ['guide.md › Title', '/docs/guide.md#title'],
      ['guide.md › Use it', '/docs/guide.md#use-it'],
      ['guide.md › Use it', '/docs/guide.md#use-it-1'],
    ],
  );
  assert.equal(passages[1].text, '```sh\n# not a heading\nnpm start\n```');
  assert.equal(passages[0].snippet, 'Intro text.');
});

test('slugs and plain text follow GitHub anchors and drop markdown syntax', () => {
  assert.equal(slugify('`<ai-chat>` events & ids'), 'ai-chat-events--ids');
  assert.equal(plainText('Use **bold** and [a link](x.md) with `code`.'), 'Use bold and a link with code .');
});

test('snippets are cut near 200 characters on a word boundary', () => {
  const [p] = splitMarkdown('a.md', '/docs/a.md', `# A\n\n${'word '.repeat(100)}`);
  assert.ok(p.snippet.length <= 201, `snippet length ${p.snippet.length}`);
  assert.ok(p.snippet.endsWith('word…'));
});

test('README and docs are loaded, searched, and ranked deterministically', () => {
  const root = makeRoot();
  try {
    const passages = loadDocs(root.dir);
    assert.deepEqual(
      passages.map((p) => p.url),
      [
        '/README.md#project',
        '/README.md#install',
        '/docs/protocol.md#protocol',
        '/docs/theming.md#theming-the-widget',
        '/docs/theming.md#custom-properties',
        '/docs/theming.md#parts',
      ],
    );
    const index = createDocIndex(passages);
    const top = index.search('How do I theme the widget?');
    assert.equal(top.length, 3);
    assert.equal(top[0].url, '/docs/theming.md#theming-the-widget');
    assert.deepEqual(index.search('How do I theme the widget?'), top);
    assert.equal(index.search('custom properties', 1)[0].title, 'theming.md › Custom properties');
    assert.deepEqual(index.search('zzqx unrelated'), []);
  } finally {
    root.remove();
  }
});

test('equal scores are ordered by title', () => {
  const index = createDocIndex([
    { title: 'b.md › Same', url: '/docs/b.md#same', text: 'banana', snippet: 'banana' },
    { title: 'a.md › Same', url: '/docs/a.md#same', text: 'banana', snippet: 'banana' },
  ]);
  assert.deepEqual(
    index.search('banana').map((p) => p.title),
    ['a.md › Same', 'b.md › Same'],
  );
});
