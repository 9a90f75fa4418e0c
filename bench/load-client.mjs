// `node bench/load-client.mjs --url http://127.0.0.1:8787/chat/stream --mode stream --streams 1000 --rate 100`
//
// A load client for any server speaking the `<ai-chat>` protocol: `POST <url>` with a JSON body
// `{message, conversation_id, message_id}`, Server-Sent Events back. Raw `node:net` sockets and a hand-written
// HTTP/1.1 + SSE reader, so the client costs little per event and can report what it costs: its own event-loop delay
// (`perf_hooks.monitorEventLoopDelay`) and CPU. If its event-loop p99 grows past a few ms, the figures measure the
// client, not the server: add `--procs`.
//
// Modes:
//   stream  --streams N --rate R --duration S: N concurrent runs, each asking for R tokens/s; tokens/s received and
//           latency (receive time − the `t<epoch ms>` stamp in each token) over a window where all N are open.
//   idle    --streams N --duration S: N runs that send nothing but heartbeats; counts heartbeats and early closes.
//   churn   --streams C --tokens K --duration S: C loops of connect, POST, read K tokens, close; runs/s, first-token
//           latency.
//   slow    --streams N --tokens K --stall MS: read K tokens, stop reading for MS, then read on; a stream that ends
//           without `done` was dropped by the server (drain timeout).
//   runs    --streams C --runs T --tokens K: C keep-alive connections doing short complete runs back to back until T
//           runs are done; prints a progress line at each `--milestones` count (for memory sampling).
//
// The message is `rate=R ms=M n=K pad=P` (what bench/rate-responder-server.mjs reads). Any other server just sees a
// question; its tokens have no stamp, so only counts and rates are reported. Frames without `event:` count as tokens
// (the article's `data: <token>`); a JSON `"type"` field stands in for the event name (WebSocket-style payloads).
// `--header 'Authorization: Bearer …'` adds a request header; `--body '{"question":"…"}'` replaces the JSON body
// (sent as is, so every request carries the same `message_id` if it has one).
//
// `--json` prints one `{"result": …}` line at the end (and `{"progress": …}` lines) for bench/server-load.mjs.
import net from 'node:net';
import { fork } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787/chat/stream' },
    mode: { type: 'string', default: 'stream' },
    streams: { type: 'string', default: '100' },
    rate: { type: 'string', default: '10' },
    duration: { type: 'string', default: '10' },
    ramp: { type: 'string' },
    warmup: { type: 'string', default: '1000' },
    tokens: { type: 'string', default: '5' },
    pad: { type: 'string', default: '0' },
    stall: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '10000' },
    milestones: { type: 'string', default: '' },
    procs: { type: 'string', default: '1' },
    'local-addresses': { type: 'string', default: '1' },
    header: { type: 'string', multiple: true, default: [] },
    body: { type: 'string' },
    json: { type: 'boolean', default: false },
    'proc-index': { type: 'string', default: '-1' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(
    'usage: node bench/load-client.mjs --url URL --mode stream|idle|churn|slow|runs --streams N --rate R ' +
      '--duration S [--ramp MS] [--warmup MS] [--tokens K] [--pad BYTES] [--stall MS] [--runs T] ' +
      '[--milestones a,b,c] [--procs P] [--local-addresses A] [--header "K: V"]… [--body JSON] [--json]',
  );
  process.exit(0);
}
const int = (name) => {
  const v = Number(opt[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number, got ${opt[name]}`);
  return v;
};
const MODES = ['stream', 'idle', 'churn', 'slow', 'runs'];
if (!MODES.includes(opt.mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}`);
const url = new URL(opt.url);
if (url.protocol !== 'http:') throw new Error('--url must be http:// (TLS is not measured here)');
const target = { host: url.hostname, port: Number(url.port || 80), path: url.pathname + url.search };
const procIndex = Number(opt['proc-index']);
const procs = Math.max(1, int('procs'));

const epochNow = () => performance.timeOrigin + performance.now();

// ---------- latency histogram: 0.1 ms buckets up to 10 s, then one overflow bucket ----------
const BUCKETS = 100_000;
function newHist() {
  return { counts: new Uint32Array(BUCKETS + 1), n: 0, max: 0, negative: 0 };
}
function record(h, ms) {
  if (ms < 0) {
    h.negative++;
    ms = 0;
  }
  const b = Math.min(BUCKETS, Math.floor(ms * 10));
  h.counts[b]++;
  h.n++;
  if (ms > h.max) h.max = ms;
}
function percentile(h, p) {
  if (h.n === 0) return null;
  const want = Math.ceil((p / 100) * h.n);
  let seen = 0;
  for (let i = 0; i <= BUCKETS; i++) {
    seen += h.counts[i];
    if (seen >= want) return i >= BUCKETS ? h.max : (i + 1) / 10;
  }
  return h.max;
}
const histToWire = (h) => {
  const sparse = [];
  for (let i = 0; i <= BUCKETS; i++) if (h.counts[i] !== 0) sparse.push(i, h.counts[i]);
  return { sparse, n: h.n, max: h.max, negative: h.negative };
};
function mergeHist(into, w) {
  for (let i = 0; i < w.sparse.length; i += 2) into.counts[w.sparse[i]] += w.sparse[i + 1];
  into.n += w.n;
  into.negative += w.negative;
  if (w.max > into.max) into.max = w.max;
}

// ---------- one HTTP/1.1 connection reading SSE responses ----------
const extraHeaders = opt.header.map((h) => `${h}\r\n`).join('');

/**
 * Finds `t<digits>` stamps in a frame: after `"t` (a JSON string) or at the start of plain `data: t…`. Returns the
 * count found and records each latency through `onStamp`.
 */
function scanStamps(f, now, onStamp) {
  let found = 0;
  let i = f.indexOf('"t');
  while (i !== -1) {
    const c = f.charCodeAt(i + 2);
    if (c >= 48 && c <= 57) {
      let j = i + 3;
      for (let cc = f.charCodeAt(j); (cc >= 48 && cc <= 57) || cc === 46; cc = f.charCodeAt(++j));
      onStamp(now - Number(f.slice(i + 2, j)));
      found++;
      i = f.indexOf('"t', j);
    } else i = f.indexOf('"t', i + 2);
  }
  if (found === 0) {
    const d = f.indexOf('data: t');
    if (d !== -1) {
      let j = d + 7;
      for (let cc = f.charCodeAt(j); (cc >= 48 && cc <= 57) || cc === 46; cc = f.charCodeAt(++j));
      if (j > d + 7) {
        onStamp(now - Number(f.slice(d + 7, j)));
        found = 1;
      }
    }
  }
  return found;
}

/** The event name of a frame: its `event:` field, else a JSON `"type"`, else `message`. */
function frameType(f) {
  const e = f.indexOf('event:');
  if (e !== -1 && (e === 0 || f.charCodeAt(e - 1) === 10)) {
    let nl = f.indexOf('\n', e);
    if (nl === -1) nl = f.length;
    return f.slice(e + 6, nl).trim();
  }
  const t = f.indexOf('"type"');
  if (t !== -1) {
    const m = /^"type"\s*:\s*"([^"]*)"/.exec(f.slice(t, t + 64));
    if (m) return m[1];
  }
  return 'message';
}

let nextLocal = 0;
const localCount = Math.max(1, int('local-addresses'));
function localAddress() {
  if (localCount === 1 || target.host !== '127.0.0.1') return undefined;
  return `127.0.0.${1 + (nextLocal++ % localCount)}`;
}

/**
 * A socket with one response in flight at a time. `listener`: onStatus(code), onFrame(type, f, now) → void,
 * onHeartbeat(), onEnd({done, status, error}). Keep-alive: after a response ends, `request()` may be called again.
 */
class Conn {
  constructor() {
    this.sock = net.connect({ host: target.host, port: target.port, localAddress: localAddress() });
    this.sock.setNoDelay(true);
    this.createdAt = epochNow();
    this.sock.once('connect', () => record(stats.connect, epochNow() - this.createdAt));
    this.listener = undefined;
    this.closed = false;
    this.sock.on('data', (buf) => this.onData(buf));
    this.sock.on('error', (e) => this.finish(e.code ?? 'error'));
    this.sock.on('close', () => {
      this.closed = true;
      this.finish('closed');
    });
  }
  request(bodyText, listener) {
    this.listener = listener;
    this.head = '';
    this.phase = 0; // 0 head, 1 chunked, 2 content-length, 3 until close
    this.remaining = 0;
    this.skip = 0;
    this.sizeLine = '';
    this.sse = '';
    this.crlf = false;
    this.status = 0;
    this.done = false;
    this.sentAt = epochNow();
    const len = Buffer.byteLength(bodyText);
    this.sock.write(
      `POST ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nContent-Type: application/json\r\n` +
        `Accept: text/event-stream\r\n${extraHeaders}Content-Length: ${len}\r\n\r\n${bodyText}`,
    );
  }
  finish(reason) {
    const l = this.listener;
    if (l === undefined) return;
    this.listener = undefined;
    l.onEnd({ done: this.done, status: this.status, error: reason === 'ok' ? undefined : reason });
  }
  onData(buf) {
    if (this.listener === undefined) return;
    const now = epochNow();
    let s = buf.toString('latin1');
    if (this.phase === 0) {
      this.head += s;
      const end = this.head.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = this.head.slice(0, end).toLowerCase();
      s = this.head.slice(end + 4);
      this.head = '';
      this.status = Number(head.slice(9, 12));
      this.listener.onStatus?.(this.status, now);
      if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) this.phase = 1;
      else {
        const m = /\r\ncontent-length:\s*(\d+)/.exec(head);
        if (m) {
          this.phase = 2;
          this.remaining = Number(m[1]);
          if (this.remaining === 0) return this.finish('ok');
        } else this.phase = 3;
      }
      if (s.length === 0) return;
    }
    if (this.phase === 1) this.dechunk(s, now);
    else if (this.phase === 2) {
      const take = s.length > this.remaining ? s.slice(0, this.remaining) : s;
      this.remaining -= take.length;
      this.feed(take, now);
      if (this.remaining === 0) this.finish('ok');
    } else this.feed(s, now);
  }
  dechunk(s, now) {
    let i = 0;
    const len = s.length;
    while (i < len && this.listener !== undefined) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, len - i);
        this.feed(i === 0 && take === len ? s : s.slice(i, i + take), now);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.skip = 2;
        continue;
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, len - i);
        i += n;
        this.skip -= n;
        continue;
      }
      const nl = s.indexOf('\n', i);
      if (nl === -1) {
        this.sizeLine += s.slice(i);
        return;
      }
      const size = parseInt(this.sizeLine + s.slice(i, nl), 16);
      this.sizeLine = '';
      i = nl + 1;
      if (size === 0) return this.finish('ok'); // the last chunk; its CRLF (no trailers) is dropped with the rest
      this.remaining = size;
    }
  }
  feed(s, now) {
    if (!this.crlf && s.indexOf('\r') !== -1) this.crlf = true;
    if (this.crlf) s = s.replace(/\r\n?/g, '\n'); // CR and CRLF line ends (WHATWG HTML §9.2.5); slow path
    const buf = this.sse === '' ? s : this.sse + s;
    let start = 0;
    let end;
    while ((end = buf.indexOf('\n\n', start)) !== -1) {
      const f = buf.slice(start, end);
      start = end + 2;
      if (f.charCodeAt(0) === 58 && f.indexOf('\ndata') === -1) {
        this.listener?.onHeartbeat?.(now);
        continue;
      }
      if (f.indexOf('data') === -1) continue; // no data field: not dispatched
      const type = frameType(f);
      if (type === 'done') this.done = true;
      this.listener?.onFrame(type, f, now);
    }
    this.sse = start === buf.length ? '' : buf.slice(start);
  }
  close(reset = false) {
    this.listener = undefined;
    if (reset) this.sock.resetAndDestroy();
    else this.sock.destroy();
  }
}

let runCounter = 0;
function bodyFor(message) {
  if (opt.body !== undefined) return opt.body;
  return JSON.stringify({
    message,
    conversation_id: 'bench',
    message_id: `bench-${process.pid}-${++runCounter}-${randomUUID().slice(0, 8)}`,
  });
}

// ---------- stats shared by the modes ----------
const stats = {
  opened: 0, // requests answered 200
  httpErrors: {}, // status → count
  socketErrors: {}, // code → count
  tokens: 0, // tokens received in the window (stamps, or one per token frame without stamps)
  tokensTotal: 0,
  frames: 0,
  heartbeats: 0,
  done: 0,
  errorEvents: 0,
  endedWithoutDone: 0,
  lat: newHist(),
  firstToken: newHist(),
  head: newHist(),
  connect: newHist(),
  extra: {},
};
const bump = (obj, key) => (obj[key] = (obj[key] ?? 0) + 1);
let win = [Infinity, Infinity];
const inWindow = (now) => now >= win[0] && now <= win[1];
const recordLatency = (ms) => record(stats.lat, ms);

/** Counts a frame; returns the number of tokens it carried. */
function countFrame(type, f, now) {
  stats.frames++;
  if (type === 'token' || type === 'message') {
    const live = inWindow(now);
    const n = Math.max(1, scanStamps(f, now, live ? recordLatency : noop));
    stats.tokensTotal += n;
    if (live) stats.tokens += n;
    return n;
  }
  if (type === 'error') stats.errorEvents++;
  return 0;
}
function noop() {}
function onEndCommon(r) {
  if (r.status === 200) {
    if (r.done) stats.done++;
    else stats.endedWithoutDone++;
  } else if (r.status > 0) bump(stats.httpErrors, r.status);
  else if (r.error) bump(stats.socketErrors, r.error);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rampDelay(i, n, rampMs) {
  return n <= 1 ? 0 : (i * rampMs) / n;
}

async function modeStream(n) {
  const rate = int('rate');
  const rampMs = opt.ramp !== undefined ? int('ramp') : Math.max(1000, n * 8);
  const warmup = int('warmup');
  const durMs = int('duration') * 1000;
  // The window opens `warmup` ms after every stream has its first token (a connect that waited for the accept
  // queue must not count as a missing rate), or 5 s after the ramp at the latest, and lasts `duration`.
  const lateMs = 5000;
  const runMs = rampMs + warmup + durMs + lateMs + 1000;
  const pad = int('pad');
  const ends = [];
  const conns = [];
  let producing = 0;
  const openWindow = () => {
    if (win[0] !== Infinity) return;
    const at = epochNow() + warmup;
    win = [at, at + durMs];
    stats.extra.notProducingAtWindow = n - producing;
  };
  const late = setTimeout(openWindow, rampMs + lateMs);
  for (let i = 0; i < n; i++) {
    ends.push(
      new Promise((resolve) => {
        setTimeout(
          () => {
            const c = new Conn();
            conns.push(c);
            let first = true;
            c.request(bodyFor(`rate=${rate} ms=${runMs} pad=${pad}`), {
              onStatus: (code, now) => {
                if (code === 200) stats.opened++;
                record(stats.head, now - c.sentAt);
              },
              onFrame: (type, f, now) => {
                if (countFrame(type, f, now) > 0 && first) {
                  first = false;
                  record(stats.firstToken, now - c.sentAt);
                  if (++producing === n) openWindow();
                }
              },
              onHeartbeat: () => stats.heartbeats++,
              onEnd: (r) => {
                onEndCommon(r);
                c.close();
                resolve();
              },
            });
          },
          rampDelay(i, n, rampMs),
        );
      }),
    );
  }
  // Done once the window has closed: the runs' tails (up to `lateMs` of slack) are not waited for.
  const deadline = epochNow() + rampMs + runMs + 10_000;
  while (epochNow() < Math.min(deadline, win[1] + 200)) await sleep(100);
  clearTimeout(late);
  for (const c of conns) {
    if (c.listener === undefined) continue;
    bump(stats.extra, 'closedAfterWindow');
    c.close();
  }
  await Promise.race([Promise.all(ends), sleep(100)]);
  return { target: n * rate, windowMs: durMs, achieved: stats.tokens / (durMs / 1000), windowEpoch: win };
}

async function modeIdle(n) {
  const rampMs = opt.ramp !== undefined ? int('ramp') : Math.min(20_000, n * 1);
  const holdMs = int('duration') * 1000;
  const conns = [];
  let closedEarly = 0;
  const beatsInHold = new Map();
  let holding = false;
  const t0 = epochNow();
  for (let i = 0; i < n; i++) {
    const delay = rampDelay(i, n, rampMs) - (epochNow() - t0);
    if (delay > 0) await sleep(delay);
    const c = new Conn();
    conns.push(c);
    c.request(bodyFor(`rate=0 ms=${rampMs + holdMs + 60_000}`), {
      onStatus: (code) => code === 200 && stats.opened++,
      onFrame: countFrame,
      onHeartbeat: () => {
        stats.heartbeats++;
        if (holding) beatsInHold.set(c, (beatsInHold.get(c) ?? 0) + 1);
      },
      onEnd: (r) => {
        closedEarly++;
        onEndCommon(r);
      },
    });
  }
  await sleep(1000);
  holding = true;
  progress({ phase: 'held', open: stats.opened, closedEarly });
  const h0 = epochNow();
  await sleep(holdMs);
  const heldMs = epochNow() - h0;
  holding = false;
  const withBeat = beatsInHold.size;
  stats.extra.openAtEnd = conns.filter((c) => c.listener !== undefined).length;
  for (const c of conns) c.close();
  return { target: n, achieved: stats.extra.openAtEnd, closedEarly, withHeartbeatInHold: withBeat, heldMs };
}

async function modeChurn(loops) {
  const k = int('tokens');
  const durMs = int('duration') * 1000;
  const rate = int('rate');
  const t0 = epochNow();
  win = [t0, t0 + durMs];
  let cycles = 0;
  const loop = async (i) => {
    await sleep(rampDelay(i, loops, Math.min(1000, loops * 5)));
    while (epochNow() < t0 + durMs) {
      await new Promise((resolve) => {
        const c = new Conn();
        let got = 0;
        let first = true;
        c.request(bodyFor(`rate=${rate} ms=60000`), {
          onStatus: (code) => code === 200 && stats.opened++,
          onFrame: (type, f, now) => {
            const t = countFrame(type, f, now);
            if (t > 0 && first) {
              first = false;
              record(stats.firstToken, now - c.sentAt);
            }
            got += t;
            if (got >= k) {
              cycles++;
              c.close();
              resolve();
            }
          },
          onEnd: (r) => {
            onEndCommon(r);
            c.close();
            resolve();
          },
        });
      });
    }
  };
  await Promise.all(Array.from({ length: loops }, (_, i) => loop(i)));
  const ms = epochNow() - t0;
  return { target: null, achieved: cycles / (ms / 1000), cycles, windowMs: ms };
}

async function modeSlow(n) {
  const k = int('tokens');
  const stall = int('stall');
  const rate = int('rate');
  const pad = int('pad');
  const durMs = int('duration') * 1000;
  const rampMs = opt.ramp !== undefined ? int('ramp') : Math.min(2000, n * 5);
  const t0 = epochNow();
  win = [t0, t0 + rampMs + durMs + stall + 10_000];
  const outcome = { completed: 0, dropped: 0, errors: 0 };
  const ends = [];
  for (let i = 0; i < n; i++) {
    ends.push(
      new Promise((resolve) => {
        setTimeout(
          () => {
            const c = new Conn();
            let got = 0;
            c.request(bodyFor(`rate=${rate} ms=${durMs} pad=${pad}`), {
              onStatus: (code) => code === 200 && stats.opened++,
              onFrame: (type, f, now) => {
                got += countFrame(type, f, now);
                if (got >= k && !c.stalled) {
                  c.stalled = true;
                  c.sock.pause(); // stop reading: the kernel buffers fill, then the server's writes block
                  setTimeout(() => c.sock.resume(), stall);
                }
              },
              onEnd: (r) => {
                onEndCommon(r);
                if (r.done) outcome.completed++;
                else if (r.status === 200) outcome.dropped++;
                else outcome.errors++;
                c.close();
                resolve();
              },
            });
          },
          rampDelay(i, n, rampMs),
        );
      }),
    );
  }
  await Promise.race([Promise.all(ends), sleep(rampMs + durMs + stall + 30_000)]);
  return { target: n, achieved: outcome.dropped, ...outcome };
}

async function modeRuns(c) {
  const total = int('runs');
  const k = int('tokens');
  const milestones = opt.milestones
    .split(',')
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  let started = 0;
  let completed = 0;
  const t0 = epochNow();
  win = [t0, Infinity];
  const loop = async () => {
    let conn = new Conn();
    while (started < total) {
      started++;
      const ok = await new Promise((resolve) => {
        conn.request(bodyFor(`n=${k} rate=0`), {
          onStatus: (code) => code === 200 && stats.opened++,
          onFrame: countFrame,
          onEnd: (r) => {
            onEndCommon(r);
            resolve(r.done);
          },
        });
      });
      if (ok) {
        completed++;
        while (milestones.length > 0 && completed >= milestones[0]) {
          progress({ phase: 'milestone', runs: milestones.shift(), seconds: (epochNow() - t0) / 1000 });
        }
      }
      if (!ok || conn.closed) {
        conn.close();
        conn = new Conn();
      }
    }
    conn.close();
  };
  await Promise.all(Array.from({ length: c }, loop));
  const ms = epochNow() - t0;
  win = [t0, t0 + ms];
  return { target: total, achieved: completed, runsPerSec: completed / (ms / 1000), windowMs: ms };
}

function progress(p) {
  if (procIndex >= 0) process.send?.({ progress: p });
  else if (opt.json) console.log(JSON.stringify({ progress: p }));
  else console.error(`progress: ${JSON.stringify(p)}`);
}

// ---------- running one process, or several and merging ----------
async function runHere(n) {
  // The histogram records the whole sampling interval, so the resolution is subtracted to leave the delay.
  const ELD_RES = 10;
  const eld = monitorEventLoopDelay({ resolution: ELD_RES });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  const mode = { stream: modeStream, idle: modeIdle, churn: modeChurn, slow: modeSlow, runs: modeRuns }[opt.mode];
  const out = await mode(n);
  eld.disable();
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  return {
    ...out,
    stats: {
      ...stats,
      lat: histToWire(stats.lat),
      firstToken: histToWire(stats.firstToken),
      head: histToWire(stats.head),
      connect: histToWire(stats.connect),
    },
    client: {
      cpuPct: ((cpu.user + cpu.system) / 1000 / wall) * 100,
      eldP50: Math.max(0, eld.percentile(50) / 1e6 - ELD_RES),
      eldP99: Math.max(0, eld.percentile(99) / 1e6 - ELD_RES),
      eldMax: Math.max(0, eld.max / 1e6 - ELD_RES),
      rssMB: process.memoryUsage().rss / 2 ** 20,
      wallMs: wall,
    },
  };
}

function summarize(parts) {
  const lat = newHist();
  const first = newHist();
  const head = newHist();
  const connect = newHist();
  const sum = (f) => parts.reduce((a, p) => a + (f(p) ?? 0), 0);
  const mergeCounts = (key) => {
    const o = {};
    for (const p of parts) for (const [k, v] of Object.entries(p.stats[key])) o[k] = (o[k] ?? 0) + v;
    return o;
  };
  for (const p of parts) {
    mergeHist(lat, p.stats.lat);
    mergeHist(first, p.stats.firstToken);
    mergeHist(head, p.stats.head);
    mergeHist(connect, p.stats.connect);
  }
  const base = parts[0];
  const merged = {
    mode: opt.mode,
    url: opt.url,
    procs: parts.length,
    target: base.target === null ? null : sum((p) => p.target),
    achieved: opt.mode === 'churn' || opt.mode === 'stream' ? sum((p) => p.achieved) : sum((p) => p.achieved),
    windowMs: base.windowMs,
    windowEpoch: base.windowEpoch,
    opened: sum((p) => p.stats.opened),
    done: sum((p) => p.stats.done),
    endedWithoutDone: sum((p) => p.stats.endedWithoutDone),
    tokens: sum((p) => p.stats.tokens),
    tokensTotal: sum((p) => p.stats.tokensTotal),
    frames: sum((p) => p.stats.frames),
    heartbeats: sum((p) => p.stats.heartbeats),
    errorEvents: sum((p) => p.stats.errorEvents),
    httpErrors: mergeCounts('httpErrors'),
    socketErrors: mergeCounts('socketErrors'),
    extra: mergeCounts('extra'),
    latency: { n: lat.n, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.n ? lat.max : null },
    negativeLatencies: lat.negative,
    firstToken: { n: first.n, p50: percentile(first, 50), p99: percentile(first, 99), max: first.n ? first.max : null },
    headers: { n: head.n, p50: percentile(head, 50), p99: percentile(head, 99), max: head.n ? head.max : null },
    connect: { n: connect.n, p50: percentile(connect, 50), p99: percentile(connect, 99), max: connect.max },
    client: parts.map((p) => p.client),
    wallMs: Math.max(...parts.map((p) => p.client.wallMs)),
  };
  for (const key of ['closedEarly', 'withHeartbeatInHold', 'completed', 'dropped', 'errors', 'cycles', 'runsPerSec']) {
    if (base[key] !== undefined) merged[key] = sum((p) => p[key]);
  }
  return merged;
}

function printHuman(r) {
  const f = (v, d = 1) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
  console.log(`mode ${r.mode} against ${r.url} (${r.procs} client process${r.procs > 1 ? 'es' : ''})`);
  console.log(`  target ${r.target ?? '-'}  achieved ${f(r.achieved)}  opened ${r.opened}  done ${r.done}`);
  console.log(
    `  latency ms p50 ${f(r.latency.p50)} p99 ${f(r.latency.p99)} max ${f(r.latency.max)} (n=${r.latency.n})`,
  );
  if (r.firstToken.n) console.log(`  first token ms p50 ${f(r.firstToken.p50)} p99 ${f(r.firstToken.p99)}`);
  if (r.headers.n) console.log(`  response headers ms p50 ${f(r.headers.p50)} p99 ${f(r.headers.p99)}`);
  if (r.connect.n) console.log(`  connect ms p50 ${f(r.connect.p50)} p99 ${f(r.connect.p99)}`);
  console.log(
    `  heartbeats ${r.heartbeats}  frames ${r.frames}  tokens ${r.tokensTotal} (${f(r.tokensTotal / (r.wallMs / 1000))}/s ` +
      `over the whole ${f(r.wallMs / 1000)} s; "achieved" counts only the window when all streams are open)`,
  );
  if (Object.keys(r.httpErrors).length) console.log(`  http errors ${JSON.stringify(r.httpErrors)}`);
  if (Object.keys(r.socketErrors).length) console.log(`  socket errors ${JSON.stringify(r.socketErrors)}`);
  for (const c of r.client) {
    console.log(
      `  client cpu ${f(c.cpuPct)}%  event-loop delay p50 ${f(c.eldP50)} p99 ${f(c.eldP99)} max ${f(c.eldMax)} ms`,
    );
  }
}

const streams = int('streams');
if (procIndex >= 0) {
  // A worker: run its share and hand the result to the parent.
  const out = await runHere(streams);
  process.send({ result: out }, () => process.exit(0));
} else if (procs > 1 && opt.mode !== 'runs') {
  const self = fileURLToPath(import.meta.url);
  const argv = process.argv.slice(2);
  const parts = await Promise.all(
    Array.from({ length: procs }, (_, i) => {
      const share = Math.floor(streams / procs) + (i < streams % procs ? 1 : 0);
      const child = fork(self, [...argv, '--streams', String(share), '--proc-index', String(i)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let held = 0;
      return new Promise((resolve, reject) => {
        child.on('message', (m) => {
          if (m.result) resolve(m.result);
          else if (m.progress && ++held === procs) progress(m.progress);
        });
        child.on('exit', (code) => code !== 0 && reject(new Error(`client process ${i} exited with ${code}`)));
      });
    }),
  );
  const r = summarize(parts);
  if (opt.json) console.log(JSON.stringify({ result: r }));
  else printHuman(r);
  process.exit(0);
} else {
  const r = summarize([await runHere(streams)]);
  if (opt.json) console.log(JSON.stringify({ result: r }));
  else printHuman(r);
  process.exit(0);
}
