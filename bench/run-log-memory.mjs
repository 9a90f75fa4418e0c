// `node --expose-gc bench/run-log-memory.mjs`: heap bytes the run log retains per event, the resume buffer that
// 1,000 streams × 100 events/s fill with 2 million events in 20 s (docs/deploy.md "Load").
//
// 1,000 logs of 2,000 token events each, with the bench responder's token texts (`t<epoch ms with µs>`, 18 chars),
// measured as heapUsed after a full GC, before and after. BENCH_SERVER_DIST points at another build of src/server
// (e.g. a checkout from before the compact log) to compare against.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.BENCH_SERVER_DIST ?? join(root, 'dist', 'node', 'src', 'server');
const { RunLog } = await import(join(dist, 'run-log.js'));

const RUNS = 1000;
const EVENTS = 2000;
const heap = () => (globalThis.gc(), process.memoryUsage().heapUsed);
const before = heap();
const logs = Array.from({ length: RUNS }, (_, i) => new RunLog(`run-${i}`));
const t0 = performance.now();
for (let k = 0; k < EVENTS; k++) {
  for (const log of logs) log.push('token', { token: `t${(1_795_554_593_361.123 + k).toFixed(3)}` });
}
const pushMs = performance.now() - t0;
const after = heap();
// Read one log back whole, as a resume from its start does, so the figure is for a log that still answers.
const replay = logs[RUNS - 1].eventsAfter(0);
if (replay.length !== EVENTS) throw new Error(`read back ${replay.length} events, expected ${EVENTS}`);
const events = RUNS * EVENTS;
console.log(
  `run log: ${events.toLocaleString('en')} token events in ${RUNS} runs: ` +
    `${((after - before) / events).toFixed(1)} heap bytes per event retained ` +
    `(${((after - before) / 2 ** 20).toFixed(0)} MB), ${((pushMs * 1000) / events).toFixed(2)} µs per push`,
);
