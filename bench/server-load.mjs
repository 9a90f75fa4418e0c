// `npm run bench:server` (`node bench/server-load.mjs`): the companion server under load, on loopback.
//
// Each scenario starts its own server process (bench/rate-responder-server.mjs: the real `startChatServer` with a
// responder that paces `token` events and stamps each with its send time) and drives it from separate client
// processes (bench/load-client.mjs), so neither side's work is counted against the other. The server's CPU and RSS
// are sampled from /proc/<pid> every 250 ms; its heap (after a full GC) over IPC at memory checkpoints.
//
//   --quick              short versions of every scenario (< 2 minutes)
//   --scenario a,b       only these (article, matrix, idle, churn, slow, runs); default all
//   --url URL            drive a server that is already running instead (stream scenarios only); add
//                        --server-pid PID to sample its CPU and RSS
//   --client-procs N     client processes per scenario (default 1)
//   --cpu-prof DIR       write a V8 CPU profile of each bench server into DIR (`node --cpu-prof`)
//   --out FILE           also write every raw result as JSON
//
// Figures depend on the machine and on what else runs on it: read them with `uptime` beside them.
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'article,matrix,idle,churn,slow,runs' },
    url: { type: 'string' },
    'server-pid': { type: 'string' },
    'client-procs': { type: 'string', default: '1' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = opt.quick;
const clientProcs = String(Math.max(1, Number(opt['client-procs'])));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100; // Linux USER_HZ, the unit of utime/stime in /proc/<pid>/stat

// ---------- the server under test ----------
async function startServer(env) {
  if (opt.url) {
    const pid = opt['server-pid'] ? Number(opt['server-pid']) : undefined;
    const none = async () => undefined;
    return { url: new URL('/', opt.url).href, streamUrl: opt.url, pid, mem: none, eld: none, stop: none };
  }
  const execArgv = ['--expose-gc'];
  if (opt['cpu-prof']) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opt['cpu-prof']}`);
  const child = fork(join(here, 'rate-responder-server.mjs'), [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'], // stdout carries one log line per run: dropped
  });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  let nextId = 0;
  const ask = (cmd, extra = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      const onMsg = (m) => {
        if (m?.id !== id) return;
        child.off('message', onMsg);
        resolve(m);
      };
      child.on('message', onMsg);
      child.send({ cmd, id, ...extra });
    });
  const mem = (gc = true) => ask('mem', { gc }).then((m) => m.mem);
  /** The server's event-loop delay since the last call (ms: p50, p99, max). */
  const eld = () => ask('eld').then((m) => m.eld);
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
  };
  return { url: ready.url, streamUrl: new URL('/chat/stream', ready.url).href, pid: ready.pid, mem, eld, stop };
}

/** Samples utime+stime and VmRSS of `pid` every 250 ms. */
function sampler(pid) {
  const samples = [];
  const read = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat(5))
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
      samples.push({ t: Date.now(), ticks, rss });
    } catch {
      // the process is gone: keep what was sampled
    }
  };
  if (pid === undefined) return { stop() {}, cpuPct: () => null, peakRss: () => null, rssAt: () => null };
  read();
  const timer = setInterval(read, 250);
  return {
    stop: () => clearInterval(timer),
    /** Mean CPU % of one core between two epoch times (the whole run when omitted). */
    cpuPct(from = 0, to = Infinity) {
      const inside = samples.filter((s) => s.t >= from && s.t <= to);
      if (inside.length < 2) return null;
      const a = inside[0];
      const b = inside[inside.length - 1];
      return ((b.ticks - a.ticks) / CLK_TCK / ((b.t - a.t) / 1000)) * 100;
    },
    peakRss: (from = 0, to = Infinity) =>
      Math.max(...samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rss), 0) || null,
    rssAt: () => samples.at(-1)?.rss ?? null,
  };
}

/** CPU pressure (PSI `some avg60`: % of time a runnable task waited for a CPU), the noise on a shared machine. */
function cpuPressure() {
  try {
    return /some avg10=([\d.]+) avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))[2] + '%';
  } catch {
    return '?';
  }
}

/** TcpExt ListenOverflows (SYNs dropped because an accept queue was full), machine-wide; 0 when unreadable. */
function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[i].split(' ');
    return Number(lines[i + 1].split(' ')[names.indexOf('ListenOverflows')]);
  } catch {
    return 0;
  }
}

async function health(url) {
  try {
    const res = await fetch(new URL('/healthz', url));
    return await res.json();
  } catch {
    return undefined;
  }
}

// ---------- the load client ----------
function runClient(url, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(here, 'load-client.mjs'), '--url', url, '--json', '--procs', clientProcs, ...args.map(String)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let result;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          const m = JSON.parse(line);
          if (m.progress) onProgress(m.progress);
          if (m.result) result = m.result;
        } catch {
          process.stderr.write(line + '\n');
        }
      }
    });
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`load client exited with ${code} and no result`)),
    );
  });
}

// ---------- scenarios ----------
const rows = [];
const raw = [];
const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Number(v).toFixed(d));
const clientNote = (r) =>
  `${fmt(Math.max(...r.client.map((c) => c.cpuPct)))}% / ${fmt(Math.max(...r.client.map((c) => c.eldP99)), 1)}`;
const errorsNote = (r) => {
  const e = { ...r.httpErrors, ...r.socketErrors };
  return Object.keys(e).length ? ` errors ${JSON.stringify(e)}` : '';
};

async function streamRow(name, streams, rate, duration, env = {}) {
  const server = await startServer({ HEARTBEAT_MS: '15000', ...env });
  const s = sampler(server.pid);
  const overflows0 = listenOverflows();
  await server.eld();
  const started = Date.now();
  // Node 20 (libuv 1.46) accepts one connection per event-loop turn, and a turn under 1,000 × 100 events/s takes
  // ~10 ms: a faster ramp measures the accept queue (and SYN retransmits past its 511 slots), not streaming.
  const ramp = Math.max(1000, streams * 8);
  const warmup = 1000;
  const r = await runClient(server.streamUrl, [
    '--mode',
    'stream',
    '--streams',
    streams,
    '--rate',
    rate,
    '--duration',
    duration,
    '--ramp',
    ramp,
    '--warmup',
    warmup,
  ]);
  // The client's window in epoch ms (performance.timeOrigin + now is on the same clock as Date.now()).
  const [from, to] = r.windowEpoch ?? [started + ramp + warmup, started + ramp + warmup + duration * 1000];
  s.stop();
  const serverEld = await server.eld();
  const overflows = listenOverflows() - overflows0;
  const cpu = s.cpuPct(from, to);
  const rss = s.peakRss();
  await server.stop();
  const held = r.achieved / r.target;
  rows.push({
    scenario: name,
    target: `${(r.target / 1000).toFixed(r.target < 10_000 ? 1 : 0)}k ev/s`,
    achieved: `${(r.achieved / 1000).toFixed(1)}k (${fmt(held * 100)}%)`,
    p50: fmt(r.latency.p50, 1),
    p99: fmt(r.latency.p99, 1),
    max: fmt(r.latency.max, 0),
    cpu: fmt(cpu),
    rss: fmt(rss),
    client: clientNote(r),
    notes:
      `server ${fmt(cpu === null ? null : (cpu * 10_000) / r.achieved, 1)} µs CPU/event; ` +
      `${fmt(r.tokensTotal / Math.max(1, r.frames - 2 * r.opened), 2)} tokens/frame; response headers p99 ` +
      `${fmt(r.headers.p99, 0)} ms; first token p99 ` +
      `${fmt(r.firstToken.p99, 0)} ms${r.extra.notProducingAtWindow ? `; ${r.extra.notProducingAtWindow} late` : ''}` +
      `${overflows > 0 ? `; ${overflows} accept-queue overflows` : ''}; server ELD p99 ${fmt(serverEld?.p99, 1)} ` +
      `max ${fmt(serverEld?.max, 0)} ms${errorsNote(r)}`,
  });
  raw.push({ scenario: name, result: r, serverCpuPct: cpu, serverPeakRssMB: rss, serverEld, overflows });
  printRow(rows.at(-1));
  return r;
}

const scenarios = {
  async article() {
    // The article's "1000 concurrent connections, 100 messages per second", read as 100 events/s on each stream.
    // Default settings: FLUSH_MS=auto writes at the end of each turn until the loop is busy, then batches for 20 ms.
    await streamRow('article 1,000 × 100/s (FLUSH_MS=auto)', 1000, 100, quick ? 6 : 20);
    // The same load always written per turn, and always batched (docs/deploy.md "Load"), for comparison.
    if (opt.url) return;
    await streamRow('article 1,000 × 100/s, FLUSH_MS=0', 1000, 100, quick ? 6 : 20, { FLUSH_MS: '0' });
    await streamRow('article 1,000 × 100/s, FLUSH_MS=20', 1000, 100, quick ? 6 : 20, { FLUSH_MS: '20' });
  },
  async matrix() {
    const counts = quick ? [100, 1000] : [100, 250, 500, 1000];
    const rates = quick ? [10, 100] : [10, 50, 100];
    for (const n of counts) {
      for (const rate of rates) {
        if (quick && n === 1000 && rate === 100 && wanted.includes('article')) continue; // the article row
        await streamRow(`${n} × ${rate}/s`, n, rate, quick ? 4 : 6);
      }
    }
  },
  async idle() {
    const n = quick ? 2000 : 10_000;
    const heartbeat = quick ? 2000 : 5000;
    const hold = quick ? 5 : 15;
    const server = await startServer({ HEARTBEAT_MS: String(heartbeat) });
    const base = (await server.mem(true))?.rss;
    const s = sampler(server.pid);
    let heldAt = 0;
    let memHeld;
    let hHeld;
    const r = await runClient(
      server.streamUrl,
      ['--mode', 'idle', '--streams', n, '--duration', hold, '--ramp', quick ? 2000 : 8000, '--local-addresses', 4],
      (p) => {
        if (p.phase !== 'held') return;
        heldAt = Date.now();
        void server.mem(true).then((m) => (memHeld = m));
        void health(server.url).then((v) => (hHeld = v));
      },
    );
    s.stop();
    const rss = s.peakRss(heldAt);
    await server.stop();
    rows.push({
      scenario: `idle ${n.toLocaleString('en')} streams, heartbeat ${heartbeat / 1000}s`,
      target: '≤ 250 MB',
      achieved: `${r.achieved}/${n} open`,
      p50: '-',
      p99: '-',
      max: '-',
      cpu: fmt(s.cpuPct(heldAt)),
      rss: fmt(rss),
      client: clientNote(r),
      notes:
        `${r.withHeartbeatInHold}/${n} got a heartbeat in ${hold}s; ${r.closedEarly} closed early; ` +
        `after GC: RSS ${fmt(memHeld?.rss / 2 ** 20)} MB, heap ${fmt(memHeld?.heapUsed / 2 ** 20)} MB; ` +
        `server before: RSS ${fmt(base / 2 ** 20)} MB; /healthz readers ${hHeld?.readers ?? '?'}${errorsNote(r)}`,
    });
    raw.push({ scenario: 'idle', result: r, serverPeakRssMB: rss, memHeld, baseRss: base, health: hHeld });
    printRow(rows.at(-1));
  },
  async churn() {
    // Closing the socket is how a browser tab goes away; RUN_GRACE_MS=0 ends the run with it (with the default
    // 20 s grace every closed run would go on generating for 20 s, by design, so a resume can find it).
    const loops = 50;
    const duration = quick ? 5 : 15;
    const server = await startServer({ RUN_GRACE_MS: '0' });
    const s = sampler(server.pid);
    const r = await runClient(server.streamUrl, [
      '--mode',
      'churn',
      '--streams',
      loops,
      '--tokens',
      3,
      '--rate',
      200,
      '--duration',
      duration,
      // Each closed connection leaves a TIME_WAIT on the client's side for 60 s, and picking a local port for a
      // socket bound to an address (bind before connect) scans that address's ports: with 4 addresses a second
      // churn run in a row spent the client's CPU in connect() (326 runs/s at 96 % client CPU). 64 spread it.
      '--local-addresses',
      64,
    ]);
    s.stop();
    const t0 = Date.now();
    let h = await health(server.url);
    while (h && (h.active_streams > 0 || (h.readers ?? 0) > 0) && Date.now() - t0 < 10_000) {
      await sleep(100);
      h = await health(server.url);
    }
    const settled = Date.now() - t0;
    await server.stop();
    rows.push({
      scenario: `churn: ${loops} loops, open/3 tokens/close`,
      target: 'active → 0',
      achieved: `${fmt(r.achieved)} runs/s`,
      p50: fmt(r.firstToken.p50, 1),
      p99: fmt(r.firstToken.p99, 1),
      max: fmt(r.firstToken.max, 0),
      cpu: fmt(s.cpuPct()),
      rss: fmt(s.peakRss()),
      client: clientNote(r),
      notes:
        `${r.cycles} runs; latency = first token after POST; after: active ${h?.active_streams ?? '?'}, ` +
        `readers ${h?.readers ?? '?'} (${settled} ms)${errorsNote(r)}`,
    });
    raw.push({ scenario: 'churn', result: r, health: h, settledMs: settled });
    printRow(rows.at(-1));
  },
  async slow() {
    // Slow readers stop reading after 10 tokens and come back after the drain timeout; beside them, normal readers
    // at 20 tokens/s must not notice. Loopback kernel buffers absorb ~4 MB per paused socket before a write blocks,
    // so the slow runs send 16 KB tokens (1.6 MB/s): blocked within ~3 s. Their logs (kept for resume, 60 s) are
    // most of the heap afterwards: ~8 MB a run here, bounded by the run's event cap, not by the socket.
    const drain = 2000;
    const n = 20;
    const duration = quick ? 5 : 6;
    const server = await startServer({ DRAIN_TIMEOUT_MS: String(drain), RUN_GRACE_MS: '2000' });
    const before = await server.mem(true);
    const s = sampler(server.pid);
    const [slow, normal] = await Promise.all([
      runClient(server.streamUrl, [
        '--mode',
        'slow',
        '--streams',
        n,
        '--rate',
        100,
        '--pad',
        16_384,
        '--tokens',
        10,
        '--stall',
        duration * 1000 + 2000,
        '--duration',
        duration,
      ]),
      runClient(server.streamUrl, ['--mode', 'stream', '--streams', 100, '--rate', 20, '--duration', duration]),
    ]);
    s.stop();
    await sleep(2500); // past RUN_GRACE_MS: the dropped readers' runs are stopped
    const h = await health(server.url);
    const after = await server.mem(true);
    await server.stop();
    rows.push({
      scenario: `slow: ${n} stalled readers (16 KB tokens) + 100 × 20/s`,
      target: 'dropped, bounded',
      achieved: `${slow.dropped}/${n} dropped`,
      p50: fmt(normal.latency.p50, 1),
      p99: fmt(normal.latency.p99, 1),
      max: fmt(normal.latency.max, 0),
      cpu: fmt(s.cpuPct()),
      rss: fmt(s.peakRss()),
      client: clientNote(normal),
      notes:
        `drain timeout ${drain / 1000}s; ${slow.completed} completed anyway; normal streams ` +
        `${fmt((normal.achieved / normal.target) * 100)}% of rate (latency columns); heap ` +
        `${fmt(before.heapUsed / 2 ** 20)} → ${fmt(after.heapUsed / 2 ** 20)} MB after; readers left ${h?.readers ?? '?'}`,
    });
    raw.push({ scenario: 'slow', slow, normal, health: h, heapBefore: before, heapAfter: after });
    printRow(rows.at(-1));
  },
  async runs() {
    // Production's run cap (1,000 held runs, each kept 60 s for resume) so "flat" means flat at that cap.
    const total = quick ? 10_000 : 100_000;
    const marks = quick ? [1000, 5000, 10_000] : [10_000, 50_000, 100_000];
    const server = await startServer({ BENCH_MAX_RUNS: '1000' });
    const s = sampler(server.pid);
    const base = await server.mem(true);
    const at = [];
    const r = await runClient(
      server.streamUrl,
      ['--mode', 'runs', '--streams', 50, '--runs', total, '--tokens', 5, '--milestones', marks.join(',')],
      (p) => {
        if (p.phase === 'milestone') at.push(server.mem(true).then((m) => ({ runs: p.runs, m })));
      },
    );
    s.stop();
    const mems = await Promise.all(at);
    await server.stop();
    const mb = (v) => fmt(v / 2 ** 20);
    rows.push({
      scenario: `runs: ${total.toLocaleString('en')} complete runs (5 tokens), 50 keep-alive conns`,
      target: 'flat',
      achieved: `${fmt(r.runsPerSec)} runs/s`,
      p50: '-',
      p99: '-',
      max: '-',
      cpu: fmt(s.cpuPct()),
      rss: fmt(s.peakRss()),
      client: clientNote(r),
      notes:
        `RSS/heap MB after GC: start ${mb(base.rss)}/${mb(base.heapUsed)}, ` +
        mems.map(({ runs, m }) => `${runs / 1000}k ${mb(m.rss)}/${mb(m.heapUsed)}`).join(', ') +
        `; ${r.achieved}/${total} done${errorsNote(r)}`,
    });
    raw.push({ scenario: 'runs', result: r, base, mems });
    printRow(rows.at(-1));
  },
};

const COLUMNS = [
  ['scenario', 'scenario'],
  ['target', 'target'],
  ['achieved', 'achieved'],
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
  ['max', 'max ms'],
  ['cpu', 'server CPU %'],
  ['rss', 'server RSS MB'],
  ['client', 'client CPU % / ELD p99 ms'],
  ['notes', 'notes'],
];
function printRow(r) {
  console.error(`  ${COLUMNS.map(([k, h]) => `${h}: ${r[k]}`).join(' | ')}`);
}

const wanted = opt.scenario.split(',').map((s) => s.trim());
for (const name of wanted) if (!(name in scenarios)) throw new Error(`unknown scenario ${name}`);
if (opt.url) for (const name of wanted) if (!['article', 'matrix'].includes(name)) throw new Error(`--url: ${name}`);
console.error(
  `bench:server${quick ? ' --quick' : ''}: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ` +
    `${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, CPU pressure ${cpuPressure()}`,
);
const t0 = Date.now();
for (const name of wanted) {
  console.error(`${name}…`);
  await scenarios[name]();
}
console.log(`\n| ${COLUMNS.map(([, h]) => h).join(' | ')} |\n|${COLUMNS.map(() => ' --- ').join('|')}|`);
for (const r of rows) console.log(`| ${COLUMNS.map(([k]) => String(r[k]).replaceAll('|', '/')).join(' | ')} |`);
console.log(
  `\nTargets: 1,000 × 100 events/s held with p99 ≤ 50 ms; 10,000 idle streams ≤ 250 MB RSS; memory flat after ` +
    `100,000 runs. Latency = client receive time − the token's send stamp (separate processes, same clock). ` +
    `Took ${((Date.now() - t0) / 1000).toFixed(0)} s; load average now ${loadavg()[0].toFixed(2)}, CPU pressure ` +
    `(PSI some avg60) ${cpuPressure()}.`,
);
if (opt.out) writeFileSync(opt.out, JSON.stringify(raw, null, 2));
