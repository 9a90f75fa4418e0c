// Page side of bench/render.mjs (bundled with esbuild): the streaming renderer and the naive per-token full render,
// fed the same tokens, one update per token (no rAF coalescing), each update its own task. Naive renders the whole
// message through the same marked + DOMPurify function as nodes (no string round trip, which would only slow it).
import { renderMarkdownFragment } from '../src/markdown/render-markdown.js';
import { enhanceMarkdown } from '../src/markdown/enhance-markdown.js';
import { StreamingMarkdown } from '../src/markdown/streaming-markdown.js';

export interface RunResult {
  /** Duration of each update, ms (script: lex, parse, sanitise, DOM mutation; not style/layout). */
  durations: number[];
  /** Offset in the text (characters) after each update. */
  offsets: number[];
  /** With `layout`: time of the forced style and layout after each update, ms (else empty). */
  layouts: number[];
  finishMs: number;
  longTasks: number;
  longestTask: number;
  wallMs: number;
  complete: boolean;
}

const strings = () => ({ copyCode: 'Copy code', copied: 'Copied' });

/** Yields to the event loop without timer clamping, so every update runs as its own task. */
function yieldTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function run(
  tokens: string[],
  step: (text: string) => void,
  finish: (text: string) => void,
  budgetMs: number,
  layout?: HTMLElement,
): Promise<RunResult> {
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  const durations: number[] = [];
  const offsets: number[] = [];
  const layouts: number[] = [];
  const start = performance.now();
  let text = '';
  let complete = true;
  for (const token of tokens) {
    text += token;
    const t0 = performance.now();
    step(text);
    const t1 = performance.now();
    durations.push(t1 - t0);
    if (layout) {
      // What the element's scroll-follow costs per frame: reading scrollHeight forces style and layout.
      void layout.scrollHeight;
      layouts.push(performance.now() - t1);
    }
    offsets.push(text.length);
    await yieldTask();
    if (performance.now() - start > budgetMs) {
      complete = false;
      break;
    }
  }
  const t0 = performance.now();
  if (complete) finish(text);
  const finishMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  return {
    durations,
    offsets,
    layouts,
    finishMs,
    longTasks: longTasks.length,
    longestTask: Math.max(0, ...longTasks),
    wallMs: performance.now() - start,
    complete,
  };
}

function freshContainer(): HTMLElement {
  document.body.replaceChildren();
  const div = document.createElement('div');
  document.body.append(div);
  return div;
}

/** Cost of one naive update (full render of the prefix ending at each given token index), best of `reps`. */
function sampleNaive(tokens: string[], indices: number[], reps = 2): { index: number; chars: number; ms: number }[] {
  const container = freshContainer();
  const prefixes: number[] = [];
  let n = 0;
  for (const t of tokens) prefixes.push((n += t.length));
  const whole = tokens.join('');
  return indices.map((index) => {
    const text = whole.slice(0, prefixes[index]);
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      container.replaceChildren(renderMarkdownFragment(text));
      best = Math.min(best, performance.now() - t0);
    }
    return { index, chars: text.length, ms: best };
  });
}

const api = {
  streaming(tokens: string[]): Promise<RunResult> {
    const md = new StreamingMarkdown(freshContainer(), { enhance: (f) => enhanceMarkdown(f, strings) });
    return run(
      tokens,
      (text) => md.update(text),
      (text) => md.finish(text),
      Infinity,
    );
  },
  /** The streaming renderer in a scrolling box like the element's log, forcing layout after every update. */
  streamingWithLayout(tokens: string[]): Promise<RunResult> {
    const log = freshContainer();
    log.style.cssText = 'height:600px;width:400px;overflow-y:auto;overflow-wrap:anywhere';
    const bubble = document.createElement('div');
    log.append(bubble);
    const md = new StreamingMarkdown(bubble, { enhance: (f) => enhanceMarkdown(f, strings) });
    return run(
      tokens,
      (text) => md.update(text),
      (text) => md.finish(text),
      Infinity,
      log,
    );
  },
  naive(tokens: string[], budgetMs: number): Promise<RunResult> {
    const container = freshContainer();
    const render = (text: string) => {
      container.replaceChildren(renderMarkdownFragment(text));
    };
    return run(tokens, render, render, budgetMs);
  },
  sampleNaive,
};

(window as unknown as { bench: typeof api }).bench = api;
