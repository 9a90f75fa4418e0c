// `node bench/render.mjs`: streaming markdown renderer vs the naive approach (re-parse and re-sanitise the whole
// message on every token) in headless Chromium. One update per token, rAF coalescing bypassed (worst case: every
// token renders). Times are script time per update (lex, parse, sanitise, DOM mutation), not style/layout.
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';

const NAIVE_BUDGET_MS = 12_000;
const NAIVE_SAMPLES = 40;

/** Deterministic pseudo-random numbers (LCG). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS =
  'stream token server event chat answer render block parse sanitise browser element shadow component markdown code table list value request response retry buffer frame layout'.split(
    ' ',
  );

/** A markdown answer of exactly `length` characters: headings, paragraphs, lists, code fences, tables. */
export function generate(length, seed = 1) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  const sentence = () => {
    const words = Array.from({ length: int(6, 14) }, () => pick(WORDS));
    const i = int(0, words.length - 1);
    const kind = int(0, 4);
    if (kind === 0) words[i] = `**${words[i]}**`;
    else if (kind === 1) words[i] = `\`${words[i]}()\``;
    else if (kind === 2) words[i] = `[${words[i]}](https://example.com/docs/${words[i]})`;
    else if (kind === 3) words[i] = `*${words[i]}*`;
    const s = words.join(' ');
    return s[0].toUpperCase() + s.slice(1) + '.';
  };
  const blocks = [];
  let size = 0;
  let n = 0;
  while (size < length) {
    let block;
    const kind = n++ % 6;
    if (kind === 0) block = `## ${sentence().slice(0, -1)}`;
    else if (kind === 1 || kind === 4) block = Array.from({ length: int(2, 5) }, sentence).join(' ');
    else if (kind === 2)
      block = Array.from({ length: int(3, 6) }, (_, i) => (r() < 0.5 ? '- ' : `${i + 1}. `) + sentence())
        .map((l, _, a) => (a[0].startsWith('- ') ? '- ' + l.replace(/^(- |\d+\. )/, '') : l))
        .join('\n');
    else if (kind === 3) {
      const lines = Array.from(
        { length: int(6, 18) },
        (_, i) => `${'  '.repeat(i % 3)}const ${pick(WORDS)}${i} = ${pick(WORDS)}(${int(0, 99)}); // ${pick(WORDS)}`,
      );
      block = '```' + pick(['js', 'ts', 'python', 'bash']) + '\n' + lines.join('\n') + '\n```';
    } else {
      const rows = Array.from({ length: int(3, 8) }, () => `| ${pick(WORDS)} | ${int(0, 9999)} | ${sentence()} |`);
      block = ['| Name | Value | Notes |', '|---|---:|---|', ...rows].join('\n');
    }
    blocks.push(block);
    size += block.length + 2;
  }
  return blocks.join('\n\n').slice(0, length);
}

/** Splits text into 2–4 character tokens, deterministically. */
export function tokenize(text, seed = 7) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < text.length;) {
    const n = 2 + Math.floor(r() * 3);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

const sum = (a) => a.reduce((x, y) => x + y, 0);
const mean = (a) => (a.length ? sum(a) / a.length : 0);
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** Mean update cost (or, with `key`, another per-update series) of the tokens whose end offset lies in [lo, hi). */
function windowCost(result, lo, hi, key = 'durations') {
  const d = result[key].filter((_, i) => result.offsets[i] >= lo && result.offsets[i] < hi);
  return mean(d);
}

/** Total naive cost over all tokens, by linear interpolation between sampled update costs. */
function extrapolate(samples) {
  let total = 0;
  for (let k = 0; k < samples.length - 1; k++) {
    const a = samples[k];
    const b = samples[k + 1];
    total += ((a.ms + b.ms) / 2) * (b.index - a.index);
  }
  return total + samples[0].ms * (samples[0].index + 1);
}

async function main() {
  const started = Date.now();
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./render-page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });

    const small = tokenize(generate(6_000));
    const large = tokenize(generate(60_000));
    const runs = {};
    runs.s6 = await page.evaluate((t) => window.bench.streaming(t), small);
    runs.n6 = await page.evaluate((t) => window.bench.naive(t, Infinity), small);
    runs.s60 = await page.evaluate((t) => window.bench.streaming(t), large);
    runs.n60 = await page.evaluate(([t, b]) => window.bench.naive(t, b), [large, NAIVE_BUDGET_MS]);
    const indices = Array.from({ length: NAIVE_SAMPLES }, (_, k) =>
      Math.round(((k + 1) / NAIVE_SAMPLES) * (large.length - 1)),
    );
    const samples = await page.evaluate(([t, i]) => window.bench.sampleNaive(t, i), [large, indices]);
    runs.l60 = await page.evaluate((t) => window.bench.streamingWithLayout(t), large);

    const row = (name, r, tokens, totalOverride) => {
      const total = totalOverride ?? sum(r.durations) + r.finishMs;
      const longest = Math.max(...r.durations, r.finishMs);
      return {
        name,
        tokens,
        total,
        longest,
        longTasks: r.longTasks,
        longestTask: r.longestTask,
        tps: tokens / (total / 1000),
      };
    };
    const naive60Total = extrapolate(samples);
    const rows = [
      row('streaming 6k', runs.s6, small.length),
      row('naive 6k', runs.n6, small.length),
      row('streaming 60k', runs.s60, large.length),
      {
        ...row(`naive 60k (extrapolated*)`, runs.n60, large.length, naive60Total),
        longest: Math.max(...samples.map((s) => s.ms), ...runs.n60.durations),
        longTasks: `${runs.n60.longTasks} in first ${runs.n60.durations.length} tok`,
      },
    ];
    const pad = (s, n) => String(s).padEnd(n);
    console.log(
      `Streaming markdown render benchmark (headless Chromium, one update per token, rAF coalescing bypassed)`,
    );
    console.log(`tokens: 6k doc ${small.length} tokens, 60k doc ${large.length} tokens (2–4 chars each)\n`);
    console.log(
      pad('run', 28) +
        pad('tokens', 8) +
        pad('main-thread ms', 16) +
        pad('longest update ms', 19) +
        pad('longtasks(>50ms)', 30) +
        'tokens/s',
    );
    for (const r of rows) {
      console.log(
        pad(r.name, 28) +
          pad(r.tokens, 8) +
          pad(f(r.total), 16) +
          pad(f(r.longest, 2), 19) +
          pad(r.longTasks, 30) +
          f(r.tps, 0),
      );
    }
    const ratio = (a, b) => f(a / b, 1) + '×';
    console.log('\nratios (naive / streaming):');
    console.log(
      `  6k : main-thread ${ratio(rows[1].total, rows[0].total)}, longest update ${ratio(rows[1].longest, rows[0].longest)}`,
    );
    console.log(
      `  60k: main-thread ${ratio(rows[3].total, rows[2].total)}, longest update ${ratio(rows[3].longest, rows[2].longest)}`,
    );
    // Windows of 6k characters, so the mix of block types (paragraph, list, code, table) under the tail is similar.
    const at6 = windowCost(runs.s60, 3_000, 9_000);
    const at60 = windowCost(runs.s60, 54_000, 60_001);
    console.log('\nstreaming cost per token (60k run, mean update time):');
    console.log(`  around 6k chars (3k–9k):    ${f(at6 * 1000, 0)} µs`);
    console.log(`  around 60k chars (54k–60k): ${f(at60 * 1000, 0)} µs   → ratio ${f(at60 / at6, 2)} (target ≤ 2)`);
    console.log(
      `  whole-run mean: 6k doc ${f((rows[0].total / small.length) * 1000, 0)} µs, 60k doc ${f((rows[2].total / large.length) * 1000, 0)} µs`,
    );
    console.log(`  finish(): 6k ${f(runs.s6.finishMs, 2)} ms, 60k ${f(runs.s60.finishMs, 2)} ms`);
    // Not part of the targets (which are about script time): style + layout forced after each update in a 600 px
    // scrolling box, as the element's scroll-follow does once per frame. Growth here would be a layout cost.
    const l6 = windowCost(runs.l60, 3_000, 9_000, 'layouts');
    const l60 = windowCost(runs.l60, 54_000, 60_001, 'layouts');
    console.log(
      `  forced layout after each update (separate run, in a scrolling box): around 6k ${f(l6 * 1000, 0)} µs,` +
        ` around 60k ${f(l60 * 1000, 0)} µs (ratio ${f(l60 / l6, 2)}); script in that run ${f(windowCost(runs.l60, 3_000, 9_000) * 1000, 0)} → ${f(windowCost(runs.l60, 54_000, 60_001) * 1000, 0)} µs`,
    );
    const n60Measured = sum(runs.n60.durations);
    console.log(
      `\n* naive 60k: measured ${runs.n60.durations.length}/${large.length} tokens for real (${f(n60Measured)} ms, capped at ${NAIVE_BUDGET_MS / 1000} s wall),` +
        `\n  total extrapolated from ${NAIVE_SAMPLES} sampled full renders spread over the document (cost is linear in length,` +
        `\n  interpolated per token); "longest update" is the largest of the sampled and the measured updates.` +
        `\n  Measured per-token cost in the capped real run: ${f((n60Measured / runs.n60.durations.length) * 1000, 0)} µs over the first ${runs.n60.offsets.at(-1)} chars.`,
    );
    const targets = [
      [`≥10× less main-thread time than naive (60k)`, rows[3].total / rows[2].total >= 10],
      [`no streaming task over 50 ms`, rows[0].longTasks === 0 && rows[2].longTasks === 0 && rows[2].longest < 50],
      [`cost/token at 60k ≤ 2× cost at 6k`, at60 / at6 <= 2],
    ];
    console.log('\ntargets:');
    for (const [name, ok] of targets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
    console.log(`\n(run took ${f((Date.now() - started) / 1000)} s)`);
  } finally {
    await browser.close();
  }
}

await main();
