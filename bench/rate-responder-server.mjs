// `node --expose-gc bench/rate-responder-server.mjs`: the real companion server (`startChatServer` from the built
// dist/node) with a responder that is a clock instead of a model, for `bench/server-load.mjs`.
//
// The question is the script: `rate=100 ms=10000` streams 100 `token` events a second for 10 s; `n=5 rate=0` sends
// five tokens as fast as the loop allows; `rate=0 ms=600000` is an idle run (one `thinking`, then only heartbeats);
// `pad=1024` adds that many bytes to every token (slow-reader runs). Every token's text is `t<epoch ms>` (with
// microseconds, `performance.timeOrigin + performance.now()`) taken as the responder yields it, so a client in
// another process measures model-to-client latency as receive time minus that stamp.
//
// Pacing uses one shared timer wheel (one interval for all runs), so 100,000 tokens/s cost 100,000 promise
// resolutions, not 100,000 timers: the bench's "model" must not be what limits the server it measures.
//
// Settings come from the environment through the server's own strict `loadConfig` (HEARTBEAT_MS, MAX_STREAMS,
// RUN_GRACE_MS, DRAIN_TIMEOUT_MS; PORT defaults to 0 here), plus BENCH_MAX_RUNS (default 20000): the server's
// store holds at most `MAX_RUNS` (default 1000) runs, and 10,000 idle streams are 10,000 held runs, so this process
// passes its own `MemoryRunStore` (the `store` option) with that cap; that also works with builds from before
// `MAX_RUNS` existed (BENCH_SERVER_DIST, below). RATE_LIMIT
// defaults to 0 (off). Prints one JSON line `{ready, url, pid}` (sent over IPC instead when there is a channel);
// over IPC it answers `{cmd:'mem', gc}` with `process.memoryUsage()` (after a full GC when asked), `{cmd:'eld'}`
// with its event-loop delay since the last ask, and `{cmd:'snapshot', path}` by writing a heap snapshot.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_SERVER_DIST: another build of src/server (e.g. a baseline checkout) to compare against.
const dist = process.env.BENCH_SERVER_DIST ?? join(root, 'dist', 'node', 'src', 'server');
const { loadConfig } = await import(join(dist, 'config.js'));
const { startChatServer } = await import(join(dist, 'chat-server.js'));

const maxRuns = Number(process.env.BENCH_MAX_RUNS ?? 20_000);
if (!Number.isSafeInteger(maxRuns) || maxRuns < 1) throw new Error('BENCH_MAX_RUNS must be a positive integer');
/** The store chat-server.ts would build, with the run cap lifted; undefined when this build cannot take one. */
async function benchStore(config) {
  const runStore = await import(join(dist, 'run-store.js'));
  if (typeof runStore.RunStore === 'function' && typeof runStore.RunStore.prototype.start === 'function') {
    // The store is built inside createChatServer with no setting for its cap: lift it on the instance.
    const start = runStore.RunStore.prototype.start;
    runStore.RunStore.prototype.start = function (id, generate) {
      if (this.maxRuns < maxRuns) this.maxRuns = maxRuns;
      return start.call(this, id, generate);
    };
    return undefined;
  }
  const { MemoryRunStore } = await import(join(dist, 'memory-run-store.js'));
  return new MemoryRunStore({ graceMs: config.runGraceMs, maxRuns, maxActive: config.maxStreams });
}

/** One interval for every run: waiters are bucketed by due tick and resolved together. */
const TICK_MS = 1;
const wheel = new Map(); // tick number → array of resolve functions
let lastTick = Math.floor(performance.now() / TICK_MS);
let waiting = 0;
let interval;
function onTick() {
  const now = Math.floor(performance.now() / TICK_MS);
  for (let t = lastTick; t <= now; t++) {
    const due = wheel.get(t);
    if (due === undefined) continue;
    wheel.delete(t);
    waiting -= due.length;
    for (const resolve of due) resolve();
  }
  lastTick = now + 1;
  if (waiting === 0) {
    clearInterval(interval);
    interval = undefined;
  }
}
/** Resolves at (or just after) `at`, a `performance.now()` time. */
function until(at) {
  if (at <= performance.now()) return Promise.resolve();
  return new Promise((resolve) => {
    if (interval === undefined) {
      lastTick = Math.floor(performance.now() / TICK_MS);
      interval = setInterval(onTick, TICK_MS);
    }
    const tick = Math.max(lastTick, Math.ceil(at / TICK_MS));
    let due = wheel.get(tick);
    if (due === undefined) wheel.set(tick, (due = []));
    due.push(resolve);
    waiting += 1;
  });
}

/** `key=value` pairs of the question; unknown keys are ignored, missing ones take these defaults. */
function parseQuestion(question) {
  const p = { rate: 10, ms: 10_000, n: Infinity, pad: 0 };
  for (const m of question.matchAll(/(\w+)=(\d+(?:\.\d+)?)/g)) if (m[1] in p) p[m[1]] = Number(m[2]);
  return p;
}

const stamp = () => (performance.timeOrigin + performance.now()).toFixed(3);

async function* rateResponder(question, { signal }) {
  const { rate, ms, n, pad } = parseQuestion(question);
  const padding = pad > 0 ? ' ' + 'x'.repeat(pad) : '';
  yield { event: 'thinking', data: { status: 'generating', message: `bench rate=${rate}/s` } };
  const begin = performance.now();
  const end = begin + ms;
  if (rate === 0 && n === Infinity) {
    // Idle: nothing but the server's heartbeats until the deadline or an abort.
    await Promise.race([until(end), new Promise((r) => signal.addEventListener('abort', r, { once: true }))]);
    return;
  }
  const gap = rate > 0 ? 1000 / rate : 0;
  for (let i = 0; i < n && !signal.aborted; i++) {
    const due = begin + i * gap;
    if (due >= end) break;
    if (gap > 0 && due > performance.now()) await until(due);
    else if (gap === 0 && i % 64 === 63) await new Promise(setImmediate);
    if (signal.aborted) return;
    yield { event: 'token', data: { token: `t${stamp()}${padding}` } };
  }
}

// A bench opens thousands of streams from one address: the per-client rate limit would refuse them (0 = off).
const config = loadConfig({ PORT: '0', MAX_STREAMS: '20000', RATE_LIMIT: '0', ...process.env });
const store = await benchStore(config);
const running = await startChatServer({ config, rootDir: root, responder: rateResponder, ...(store && { store }) });
const ready = { ready: true, url: running.url, pid: process.pid };
// Under bench/server-load.mjs stdout (where the server logs one line per run) goes nowhere; `ready` goes by IPC.
if (process.send) process.send(ready);
else console.log(JSON.stringify(ready));

// The server's own event-loop delay: what a stalled loop adds to every stream's latency, apart from the client's.
const ELD_RES = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RES });
eld.enable();
const ms = (ns) => Math.max(0, ns / 1e6 - ELD_RES);
process.on('message', (msg) => {
  if (msg?.cmd === 'eld') {
    process.send?.({ id: msg.id, eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max) } });
    eld.reset();
  }
  if (msg?.cmd === 'snapshot') process.send?.({ id: msg.id, path: writeHeapSnapshot(msg.path) });
  if (msg?.cmd !== 'mem') return;
  if (msg.gc && typeof globalThis.gc === 'function') globalThis.gc();
  process.send?.({ mem: process.memoryUsage(), id: msg.id });
});
// Graceful close first (it ends every run), but never wait long: the bench kills servers between scenarios.
const shutdown = () => {
  console.error('bench server: shutting down');
  setTimeout(() => process.exit(0), 1000).unref();
  running.close().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
process.once('disconnect', shutdown);
