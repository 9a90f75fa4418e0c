/**
 * Chrome added to sanitised markdown: a language label and a copy button on code blocks, a scroll box around tables.
 * Everything is built as DOM nodes after sanitising; model text only ever lands in `textContent`.
 */

export interface EnhanceStrings {
  /** Accessible name and text of the copy button. */
  copyCode: string;
  /** Shown on the button for a moment after copying. */
  copied: string;
}

const COPIED_MS = 1500;
const CODE_BLOCK = '[part~="code-block"]';

/** Wraps each `<pre><code>` in `part="code-block"` with a label and copy button, and each table in a scroll box. */
export function enhanceMarkdown(root: DocumentFragment | Element, strings: () => EnhanceStrings): void {
  for (const pre of root.querySelectorAll('pre')) {
    const code = pre.querySelector('code');
    if (!code || pre.parentElement?.matches(CODE_BLOCK)) continue;
    const doc = pre.ownerDocument;
    const block = doc.createElement('div');
    block.setAttribute('part', 'code-block');
    const header = doc.createElement('div');
    header.className = 'code-header';
    const language = /(?:^|\s)language-(\S+)/.exec(code.className)?.[1];
    const label = doc.createElement('span');
    label.setAttribute('part', 'code-language');
    label.textContent = language ?? '';
    const button = doc.createElement('button');
    button.type = 'button';
    button.setAttribute('part', 'copy-button');
    button.textContent = strings().copyCode;
    // The code is looked up on click: a streaming block's `<pre>` is replaced while its chrome stays (below).
    button.addEventListener('click', () => void copy(button, block, strings));
    header.append(label, button);
    pre.replaceWith(block);
    block.append(header, pre);
  }
  for (const table of root.querySelectorAll('table')) {
    if (table.parentElement?.classList.contains('table-scroll')) continue;
    const box = table.ownerDocument.createElement('div');
    box.className = 'table-scroll';
    box.setAttribute('part', 'table');
    table.replaceWith(box);
    box.append(table);
  }
}

/**
 * Keeps the chrome of code blocks across re-renders of a streaming tail: the n-th code block in `fresh` takes the
 * place of the n-th one among `old` nodes (which move into `fresh`), with the fresh `<pre>` and language label moved
 * into it. The copy button, its listener and its state survive; the code shown is the fresh, sanitised render.
 */
export function adoptCodeBlocks(old: readonly Node[], fresh: DocumentFragment): void {
  const kept = old.flatMap((node) =>
    node instanceof Element ? [...(node.matches(CODE_BLOCK) ? [node] : []), ...node.querySelectorAll(CODE_BLOCK)] : [],
  );
  const blocks = fresh.querySelectorAll(CODE_BLOCK);
  for (let i = 0; i < blocks.length && i < kept.length; i++) {
    const block = kept[i];
    const next = blocks[i];
    // The label is the only <span> in our chrome, and it comes before the <pre>.
    block.querySelector('span')!.textContent = next.querySelector('span')!.textContent;
    block.querySelector('pre')!.replaceWith(next.querySelector('pre')!);
    next.replaceWith(block);
  }
}

async function copy(button: HTMLButtonElement, block: Element, strings: () => EnhanceStrings): Promise<void> {
  try {
    await navigator.clipboard.writeText(block.querySelector('pre')?.textContent ?? '');
  } catch {
    button.dataset.state = 'failed';
    return;
  }
  button.dataset.state = 'copied';
  button.textContent = strings().copied;
  setTimeout(() => {
    delete button.dataset.state;
    button.textContent = strings().copyCode;
  }, COPIED_MS);
}

/** Undoes {@link enhanceMarkdown}: what a plain render of the same markdown produces (for comparisons and tests). */
export function stripEnhancements(root: Element | DocumentFragment): void {
  for (const block of root.querySelectorAll('[part~="code-block"]')) {
    const pre = block.querySelector('pre');
    if (pre) block.replaceWith(pre);
  }
  for (const box of root.querySelectorAll('.table-scroll')) {
    const table = box.querySelector('table');
    if (table) box.replaceWith(table);
  }
}
