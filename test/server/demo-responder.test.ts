import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDocIndex, loadDocs } from '../../src/server/doc-index.js';
import { NO_MATCH_ANSWER, buildAnswer, demoResponder, tokenize } from '../../src/server/demo-responder.js';
import type { ResponderEvent } from '../../src/server/responder.js';
import { makeRoot } from './helpers.js';

const root = makeRoot();
const index = createDocIndex(loadDocs(root.dir));
root.remove();

async function collect(question: string, signal = new AbortController().signal): Promise<ResponderEvent[]> {
  const events: ResponderEvent[] = [];
  for await (const e of demoResponder(question, { index, signal, tokenDelayMs: 0 })) events.push(e);
  return events;
}

const tokenText = (events: ResponderEvent[]) =>
  events.map((e) => (e.event === 'token' && 'token' in e.data ? e.data.token : '')).join('');

test('tokens keep their whitespace so they join back to the text exactly', () => {
  const text = '  lead\n\n## Head\n\n- a\n- b  \ttrail  ';
  assert.deepEqual(tokenize('a b'), ['a', ' b']);
  assert.equal(tokenize(text).join(''), text);
  assert.deepEqual(tokenize(''), []);
});

test('thinking, sources, tokens, done: in that order, tokens joining to the answer', async () => {
  const events = await collect('How do I theme the widget?');
  assert.deepEqual(events[0], {
    event: 'thinking',
    data: { status: 'retrieving', message: 'Searching the docs…' },
  });
  assert.equal(events[1].event, 'sources');
  const sources = events[1].data as { count: number; sources: { title: string; url: string; snippet: string }[] };
  assert.equal(sources.count, 3);
  assert.deepEqual(sources.sources[0], {
    title: 'theming.md › Theming the widget',
    url: '/docs/theming.md#theming-the-widget',
    snippet: 'You theme the widget with CSS custom properties and the ::part() selector.',
  });
  assert.deepEqual(events.at(-1), { event: 'done', data: { status: 'completed' } });
  assert.ok(events.slice(2, -1).every((e) => e.event === 'token'));
  const answer = buildAnswer(index, 'How do I theme the widget?');
  assert.equal(
    answer,
    'From **theming.md › Theming the widget**:\n\nYou theme the widget with CSS custom properties and the `::part()` selector.',
  );
  assert.equal(tokenText(events), answer);
});

test('the same question gives the same events', async () => {
  assert.deepEqual(
    await collect('What events does the server send?'),
    await collect('What events does the server send?'),
  );
});

test('no matching passage: no sources and the fixed polite answer', async () => {
  const events = await collect('zzqx');
  assert.deepEqual(events[1], { event: 'sources', data: { count: 0, sources: [] } });
  assert.equal(tokenText(events), NO_MATCH_ANSWER);
});

test('abort stops the stream at once, mid-answer, without done', async () => {
  const ctrl = new AbortController();
  const seen: ResponderEvent[] = [];
  const started = Date.now();
  for await (const e of demoResponder('theme widget', { index, signal: ctrl.signal, tokenDelayMs: 10_000 })) {
    seen.push(e);
    if (e.event === 'sources') setTimeout(() => ctrl.abort(), 20);
  }
  assert.deepEqual(
    seen.map((e) => e.event),
    ['thinking', 'sources'],
  );
  assert.ok(Date.now() - started < 1000, 'a 10 s token delay was cut short by the abort');
});
