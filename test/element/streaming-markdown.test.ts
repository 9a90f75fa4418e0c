import '../../src/ai-chat.js';
import { enhanceMarkdown, stripEnhancements } from '../../src/markdown/enhance-markdown.js';
import { renderMarkdown } from '../../src/markdown/render-markdown.js';
import { StreamingMarkdown } from '../../src/markdown/streaming-markdown.js';
import { cleanup, expectEqual, expectTrue, fixture, part, waitFor } from './helpers.js';

const strings = () => ({ copyCode: 'Copy code', copied: 'Copied' });

const DOCS = [
  '# Title\n\nSome **bold** and *em* and `code` text.\n\n- one\n- two\n\n  continued\n- three\n\n1. a\n2. b\n',
  'Intro with a [link](https://example.com/a_b) and ![img](/x.png).\n\n```js\nconst a = 1 < 2;\n\nlet b = `x`;\n```\n\nAfter code.\n\n~~~\ntilde fence\n~~~\n',
  '| a | b |\n|---|:-:|\n| 1 | **2** |\n| 3 | `4` |\n\nText under the table.\n\n> quote\n> more\n\n---\n\nSetext\n======\n\nend',
  'Refs: [one][1] and [two].\n\n[1]: https://example.com/1\n[two]: https://example.com/2\n',
  'Raw <b>html</b> inline\n\n<div>block\n\nhtml</div>\n\n* star list\n* second\n\n    indented code\n\ndone_with_underscores and snake_case_word.',
  'Line one  \nline two\\\nline three\n\n- [ ] task\n- [x] done\n\nCRLF\r\nline\r\n\r\npara',
  '```python\ndef f():\n    return 1\n',
];

/** A deterministic pseudo-random token split of 1–4 characters. */
function tokens(text: string, seed = 1): string[] {
  const out: string[] = [];
  let s = seed;
  for (let i = 0; i < text.length;) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % 4);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function oneShot(text: string): string {
  const div = document.createElement('div');
  div.innerHTML = renderMarkdown(text);
  return div.innerHTML;
}

function stream(container: Element, text: string, seed = 1, options = {}): StreamingMarkdown {
  const md = new StreamingMarkdown(container, options);
  let so = '';
  for (const t of tokens(text, seed)) md.update((so += t));
  return md;
}

describe('StreamingMarkdown', () => {
  afterEach(cleanup);

  it('ends with exactly the DOM of a one-shot render, for documents streamed in 1–4 character tokens', () => {
    for (const [i, doc] of DOCS.entries()) {
      for (const seed of [1, 7, 42]) {
        const div = document.createElement('div');
        stream(div, doc, seed).finish();
        expectEqual(div.innerHTML, oneShot(doc), `doc ${i} seed ${seed}`);
      }
    }
  });

  it('with enhancements, equals the one-shot render once code-block and table wrappers are removed', () => {
    for (const [i, doc] of DOCS.entries()) {
      const div = document.createElement('div');
      stream(div, doc, 3, { enhance: (f: DocumentFragment) => enhanceMarkdown(f, strings) }).finish();
      stripEnhancements(div);
      expectEqual(div.innerHTML, oneShot(doc), `doc ${i}`);
    }
  });

  it('keeps the DOM nodes of finished blocks while later tokens arrive', () => {
    const div = document.createElement('div');
    document.body.append(div);
    const md = new StreamingMarkdown(div);
    md.update('# Heading\n\nFirst paragraph.\n\nSecond');
    const heading = div.querySelector('h1')!;
    const first = div.querySelector('p')!;
    expectEqual(first.textContent, 'First paragraph.', 'first paragraph rendered');
    let text = '# Heading\n\nFirst paragraph.\n\nSecond';
    for (const t of tokens(' paragraph grows **a lot**.\n\n- and a list\n- of items\n\nThe end.', 5))
      md.update((text += t));
    md.finish();
    expectTrue(heading.isConnected && div.querySelector('h1') === heading, 'same <h1> node');
    expectTrue(first.isConnected && div.querySelector('p') === first, 'same first <p> node');
    expectEqual(div.innerHTML, oneShot(text), 'final DOM');
    div.remove();
  });

  it('keeps a selection inside an earlier block', () => {
    const div = document.createElement('div');
    document.body.append(div);
    try {
      const md = new StreamingMarkdown(div);
      let text = 'Select these words please.\n\nNext';
      md.update(text);
      const textNode = div.querySelector('p')!.firstChild!;
      const range = document.createRange();
      range.setStart(textNode, 7);
      range.setEnd(textNode, 18);
      const selection = getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      for (const t of tokens(' block streams on and on.\n\nAnother one.', 2)) md.update((text += t));
      md.finish();
      expectEqual(selection.toString(), 'these words', 'selection text');
      expectTrue(selection.rangeCount === 1 && selection.getRangeAt(0).startContainer === textNode, 'same range');
    } finally {
      getSelection()?.removeAllRanges();
      div.remove();
    }
  });

  it('renders an unclosed code fence as code while streaming, without a partial closing fence', () => {
    const div = document.createElement('div');
    const md = new StreamingMarkdown(div);
    md.update('Look:\n\n```ts\nconst x = 1;\nconst y');
    expectEqual(div.querySelector('pre code')?.textContent, 'const x = 1;\nconst y\n', 'code while open');
    expectEqual(div.querySelector('pre code')?.className, 'language-ts', 'language');
    md.update('Look:\n\n```ts\nconst x = 1;\nconst y = 2;\n``');
    expectEqual(div.querySelector('pre code')?.textContent, 'const x = 1;\nconst y = 2;\n', 'no partial fence');
    md.update('Look:\n\n```ts\nconst x = 1;\nconst y = 2;\n```\n\nAfter');
    md.finish();
    expectEqual(div.innerHTML, oneShot(md.text), 'final');
  });

  it('does not flash unterminated inline markers', () => {
    const div = document.createElement('div');
    const md = new StreamingMarkdown(div);
    const cases: [string, string][] = [
      ['Some **bol', 'Some bol'],
      ['Some **', 'Some'],
      ['Use `co', 'Use co'],
      ['See [link](htt', 'See link'],
      ['See [lin', 'See lin'],
      ['An ![image](https://exa', 'An'],
      ['Mixed *em and **strong', 'Mixed em and strong'],
      ['Raw <sp', 'Raw'],
      ['snake_case_na', 'snake_case_na'],
    ];
    for (const [text, shown] of cases) {
      md.update(text);
      expectEqual(div.textContent?.trim(), shown, `text of ${JSON.stringify(text)}`);
      expectEqual(div.querySelector('img'), null, `no image for ${JSON.stringify(text)}`);
    }
    md.update('Some **bol');
    expectEqual(div.querySelector('strong')?.textContent, 'bol', 'open bold renders bold');
  });

  it('keeps the chrome and copy button of a code block while its fence streams, and when it closes', () => {
    const div = document.createElement('div');
    const md = new StreamingMarkdown(div, { enhance: (f: DocumentFragment) => enhanceMarkdown(f, strings) });
    let text = 'Intro.\n\n- item\n\n  ```js\n  nested';
    md.update((text += ''));
    text = 'Intro.\n\n```ts\nconst a = 1;';
    md.update(text);
    const block = div.querySelector('[part~="code-block"]')!;
    const button = block.querySelector('[part~="copy-button"]')!;
    for (const t of tokens('\nconst b = 2;\nconst c = 3;\n', 4)) {
      md.update((text += t));
      expectTrue(div.querySelector('[part~="copy-button"]') === button, `same button after ${JSON.stringify(text)}`);
      expectEqual(div.querySelectorAll('[part~="copy-button"]').length, 1, 'one button');
    }
    expectEqual(block.querySelector('pre code')?.textContent, 'const a = 1;\nconst b = 2;\nconst c = 3;\n', 'code');
    expectEqual(block.querySelector('[part~="code-language"]')?.textContent, 'ts', 'label');
    // The fence closes and the block becomes a finished one: still the same chrome.
    md.update((text += '```\n\nAfter the code.'));
    expectTrue(div.querySelector('[part~="copy-button"]') === button && div.contains(block), 'kept when finished');
    md.update((text += ' More.'));
    md.finish();
    expectTrue(div.querySelector('[part~="copy-button"]') === button, 'kept after finish');
    stripEnhancements(div);
    expectEqual(div.innerHTML, oneShot(text), 'final DOM');
  });

  it('keeps the copy buttons of code blocks nested in a streaming list', () => {
    const div = document.createElement('div');
    const md = new StreamingMarkdown(div, { enhance: (f: DocumentFragment) => enhanceMarkdown(f, strings) });
    let text = '- step one:\n\n  ```sh\n  npm i';
    md.update(text);
    const button = div.querySelector('[part~="copy-button"]')!;
    for (const t of tokens('nstall\n  npm test\n', 9)) {
      md.update((text += t));
      expectTrue(div.querySelector('[part~="copy-button"]') === button, `same button after ${JSON.stringify(text)}`);
    }
    expectEqual(div.querySelector('pre code')?.textContent, 'npm install\nnpm test\n', 'code');
  });

  it('starts over when the text is not an append (restart, replaced history)', () => {
    const div = document.createElement('div');
    const md = stream(div, 'First answer.\n\nWith two blocks.');
    const p = div.querySelector('p')!;
    md.update('Second');
    expectEqual(div.textContent?.trim(), 'Second', 'reset');
    expectTrue(!p.isConnected, 'old nodes gone');
    md.finish('Second answer');
    expectEqual(div.innerHTML, oneShot('Second answer'), 'final');
  });
});

describe('<ai-chat> streaming markdown', () => {
  afterEach(cleanup);

  it('code blocks get a label and a working "Copy code" button; tables scroll', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    el.messages = [
      {
        id: 'a',
        role: 'assistant',
        content: '```js\nconsole.log(1);\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |',
        status: 'completed',
      },
    ];
    await el.updateComplete;
    const bubble = part(el, 'assistant')!;
    const block = bubble.querySelector('[part~="code-block"]')!;
    expectTrue(block, 'code-block part');
    expectEqual(block.querySelector('[part~="code-language"]')?.textContent, 'js', 'language label');
    const button = block.querySelector<HTMLButtonElement>('[part~="copy-button"]')!;
    expectEqual(button.textContent, 'Copy code', 'accessible name');
    expectEqual(getComputedStyle(bubble.querySelector('[part~="table"]')!).overflowX, 'auto', 'table scrolls');
    button.focus();
    button.click();
    await waitFor(() => button.dataset.state, 2000, 'copy result');
    if (button.dataset.state === 'copied') {
      expectEqual(button.textContent, 'Copied', 'copied state');
      expectEqual(await navigator.clipboard.readText(), 'console.log(1);\n', 'clipboard text');
    } else {
      // Headless Chromium may deny clipboard access: the button then reports the failure instead.
      expectEqual(button.dataset.state, 'failed', 'failure state');
    }
  });

  it('a click on the copy button of a code block still streaming is not lost between frames', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    let content = 'Here:\n\n```js\nconst a = 1;\n';
    el.messages = [{ id: 'a', role: 'assistant', content, status: 'streaming' }];
    const bubble = await waitFor(
      () => part(el, 'assistant')?.querySelector('[part~="copy-button"]') && part(el, 'assistant'),
    );
    const button = bubble.querySelector<HTMLButtonElement>('[part~="copy-button"]')!;
    const internal = el.messages;
    const push = async (more: string) => {
      internal[0] = { ...internal[0], content: (content += more) };
      el.requestUpdate();
      await el.updateComplete;
    };
    // A token arrives (its render waits for the next frame), the user clicks before that frame, more frames follow.
    await push('const b = 2;\n');
    button.click();
    for (let i = 0; i < 5; i++) {
      await push(`const c${i} = ${i};\n`);
      await new Promise(requestAnimationFrame);
    }
    await waitFor(() => bubble.textContent?.includes('const c4 = 4;'), 2000, 'streamed code rendered');
    const state = await waitFor(() => button.dataset.state, 2000, 'copy result on the clicked button');
    expectTrue(button.isConnected, 'the clicked button is still in the bubble');
    expectTrue(bubble.querySelector('[part~="copy-button"]') === button, 'the block still shows the same button');
    // Headless Chromium may refuse clipboard writes: the button then shows the failure instead of "Copied".
    expectTrue(state === 'copied' || state === 'failed', `state ${state}`);
    if (state === 'copied') expectEqual(button.textContent, 'Copied', 'label');
    internal[0] = { ...internal[0], content: content + '```\n', status: 'completed' };
    el.requestUpdate();
    await el.updateComplete;
    expectTrue(bubble.querySelector('[part~="copy-button"]') === button, 'same button once the answer is complete');
  });

  it('streams an answer without re-creating finished blocks', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    el.messages = [{ id: 'a', role: 'assistant', content: 'First block.\n\nSec', status: 'streaming' }];
    const bubble = await waitFor(() => part(el, 'assistant')?.querySelector('p') && part(el, 'assistant'));
    const first = bubble.querySelector('p')!;
    await waitFor(() => bubble.textContent?.includes('Sec'), 1000, 'tail rendered');
    // Simulate tokens through the public `messages` property (as a streaming controller update does).
    const internal = el.messages;
    internal[0] = { ...internal[0], content: 'First block.\n\nSecond block **bo' };
    el.requestUpdate();
    await waitFor(() => bubble.querySelector('strong')?.textContent === 'bo', 1000, 'open bold');
    expectTrue(!bubble.textContent?.includes('**'), 'no raw markers');
    internal[0] = { ...internal[0], content: 'First block.\n\nSecond block **bold**.', status: 'completed' };
    el.requestUpdate();
    await el.updateComplete;
    expectTrue(first.isConnected && bubble.querySelector('p') === first, 'first block kept');
    expectEqual(bubble.innerHTML, oneShot(el.messages[0].content), 'final DOM');
  });
});
