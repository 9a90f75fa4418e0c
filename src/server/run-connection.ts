/**
 * One HTTP response reading one run: the connection half of "runs are separate from connections".
 *
 * The reader keeps a cursor (the last sequence number it wrote) and always writes `run.eventsAfter(cursor)`, so a
 * fresh reader, a resuming reader and one catching up after backpressure share one path. When `write()` returns
 * false the reader stops and waits for `drain` while the run keeps logging; what piled up meanwhile is sent as one
 * `{tokens:[...]}` event per run of consecutive tokens, carrying the id of the last token it covers, so a resume
 * from that id is still exact. A reader that does not drain within `drainTimeoutMs` is destroyed: its client
 * resumes from its last id, and a stuck socket never pins memory.
 *
 * Heartbeats are timer-based per connection (`: heartbeat` after `heartbeatMs` of silence on this socket), so they
 * flow while the model thinks, not only between tokens as in the article's sketch.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { EventName, HEARTBEAT_FRAME, formatEventId } from '../protocol.js';
import { adaptiveFlushWindow } from './flush-window.js';
import { formatEvent } from './sse-writer.js';
import type { LoggedEvent, RunView, Timers } from './run-store.js';

export interface RunConnectionOptions {
  /** Silence in ms on this socket before a comment heartbeat. Default 15000 (`HEARTBEAT_MS`); 0 turns them off. */
  heartbeatMs?: number;
  /** How long a blocked socket may take to drain before it is dropped, in ms. Default 30000. */
  drainTimeoutMs?: number;
  /**
   * Batching window in ms (`FLUSH_MS`), or a function asked for it each time events are scheduled (the server's
   * `FLUSH_MS=auto` passes {@link autoFlushWindow}). Default 0: new events leave at the end of the current event-loop
   * turn. Above 0, they wait up to that long so several leave in one write: fewer syscalls per event under heavy
   * load, at the cost of that much added latency (the element renders at most once per animation frame anyway).
   */
  flushMs?: number | (() => number);
  /** Default: the global timers. */
  timers?: Timers;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Readers with new events, written once per event-loop turn (one shared `setImmediate`): events logged in the same
 * turn (a model chunk with several deltas, a generator catching up after a stall) leave as one write, one syscall,
 * instead of one per event. Under load that is what holds the rate (bench/server-load.mjs); the added wait is the
 * rest of the current turn.
 */
const pendingFlushes = new Map<number, Set<() => void>>();
function flushPending(flushMs: number): void {
  const pending = pendingFlushes.get(flushMs);
  // Taken out before it runs: a flush that schedules again starts the next batch, and a window no longer used
  // leaves nothing behind in the map.
  pendingFlushes.delete(flushMs);
  if (pending !== undefined) for (const flush of pending) flush();
}
/** With `flushMs` > 0 the turn is replaced by one shared timer per window length: still one wake-up for all readers. */
function flushSoon(flush: () => void, flushMs: number): void {
  let pending = pendingFlushes.get(flushMs);
  if (pending === undefined) {
    pendingFlushes.set(flushMs, (pending = new Set()));
    if (flushMs > 0) setTimeout(flushPending, flushMs, flushMs);
    else setImmediate(flushPending, flushMs);
  }
  pending.add(flush);
}

let autoWindow: (() => number) | undefined;
/** The process's `FLUSH_MS=auto` window (flush-window.ts), on its one event loop's utilisation. */
export function autoFlushWindow(): () => number {
  if (autoWindow !== undefined) return autoWindow;
  let last = performance.eventLoopUtilization();
  return (autoWindow = adaptiveFlushWindow({
    now: () => performance.now(),
    utilizationSinceLastCall: () => {
      const next = performance.eventLoopUtilization();
      const { utilization } = performance.eventLoopUtilization(next, last);
      last = next;
      return utilization;
    },
  }));
}

/**
 * Frames for events after the cursor, coalescing each stretch of consecutive `token` events into one. This runs for
 * every write under load, so token frames are built here directly: `JSON.stringify` never emits a raw CR or LF
 * (ECMA-262 QuoteJSONString escapes them), which is the one case where `formatEvent` would split the data, so the
 * bytes are the same as `formatEvent`'s (test/server/run-connection.test.ts compares them) without its two regular
 * expressions per frame.
 */
export function framesFor(runId: string, events: readonly LoggedEvent[]): string {
  const run = runId.replace(/[\r\n\0]/g, ''); // as formatEvent does for ids; a message_id never has them anyway
  let out = '';
  let tokens: string[] = [];
  let lastTokenSeq = 0;
  for (const e of events) {
    if (e.event === EventName.token) {
      const d = e.data as { token?: string; tokens?: string[] };
      if (typeof d.token === 'string') tokens.push(d.token);
      else if (Array.isArray(d.tokens)) tokens.push(...d.tokens);
      lastTokenSeq = e.seq;
      continue;
    }
    if (tokens.length > 0) out += tokenFrame(run, lastTokenSeq, tokens);
    tokens = [];
    out += formatEvent({ id: formatEventId(run, e.seq), event: e.event, data: JSON.stringify(e.data) });
  }
  if (tokens.length > 0) out += tokenFrame(run, lastTokenSeq, tokens);
  return out;
}

function tokenFrame(run: string, seq: number, tokens: string[]): string {
  const data = JSON.stringify(tokens.length === 1 ? { token: tokens[0] } : { tokens });
  return `id: ${formatEventId(run, seq)}\nevent: ${EventName.token}\ndata: ${data}\n\n`;
}

/**
 * Attaches `res` to `run` as a reader starting after `afterSeq` (0 for a fresh request). The run may be generated
 * here or, with Redis, mirrored from another instance: either way its log is read synchronously. A cursor past the
 * log so far waits for the log to reach it. The response must already have its SSE headers written. Returns a
 * function that detaches it; it also detaches itself when `res` closes.
 */
export function connectRunToResponse(
  run: RunView,
  res: ServerResponse,
  afterSeq: number,
  options: RunConnectionOptions = {},
): () => void {
  const timers = options.timers ?? globalTimers;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const flushMs = options.flushMs ?? 0;
  let cursor = afterSeq;
  let blocked = false;
  let ended = false;
  let closed = false;
  let scheduled = false;
  let heartbeat: unknown;
  let drainTimer: unknown;

  const armHeartbeat = () => {
    // Every write re-arms: Node's Timeout.refresh() restarts the same timer instead of allocating one per event.
    const live = heartbeat as { refresh?: () => unknown } | undefined;
    if (typeof live?.refresh === 'function' && !closed) return void live.refresh();
    if (heartbeat !== undefined) timers.clearTimeout(heartbeat);
    heartbeat = undefined;
    if (heartbeatMs > 0 && !closed) heartbeat = timers.setTimeout(onHeartbeat, heartbeatMs);
  };
  const write = (chunk: string) => {
    armHeartbeat();
    if (!res.write(chunk)) {
      blocked = true;
      drainTimer = timers.setTimeout(() => res.destroy(), drainTimeoutMs);
    }
  };
  function onHeartbeat() {
    heartbeat = undefined;
    if (blocked || closed) return armHeartbeat();
    write(HEARTBEAT_FRAME);
  }
  const flush = () => {
    if (blocked || closed) return;
    const pending = run.eventsAfter(cursor);
    if (pending.length > 0) {
      cursor = pending[pending.length - 1].seq;
      write(framesFor(run.id, pending));
    }
    if (ended && !blocked) finish();
  };
  const scheduledFlush = () => {
    scheduled = false;
    flush();
  };
  const finish = () => {
    if (closed) return;
    cleanup();
    res.end();
  };
  const onDrain = () => {
    blocked = false;
    if (drainTimer !== undefined) timers.clearTimeout(drainTimer);
    drainTimer = undefined;
    flush();
  };
  const reader = {
    onEvent: () => {
      // Once per batch, not per event: the window is asked, and the reader queued, only when none is pending.
      if (scheduled) return;
      scheduled = true;
      flushSoon(scheduledFlush, typeof flushMs === 'function' ? flushMs() : flushMs);
    },
    onEnd: () => {
      ended = true;
      flush();
    },
  };
  const detach = run.attach(reader);
  const cleanup = () => {
    if (closed) return;
    closed = true;
    detach();
    if (heartbeat !== undefined) timers.clearTimeout(heartbeat);
    if (drainTimer !== undefined) timers.clearTimeout(drainTimer);
    res.off('drain', onDrain);
    res.off('close', cleanup);
  };
  res.on('drain', onDrain);
  // A response's `close` means the client went away (or we ended it); the request's `close` fires as soon as a
  // POST body is read, so it says nothing about the client (Node docs, http.IncomingMessage 'close').
  res.on('close', cleanup);
  ended = run.status !== 'running';
  // The client may have gone while the run was being opened (with Redis that takes a round trip): its `close` has
  // then already fired, and the reader must not stay attached (it would hold the grace window off for ever).
  if (res.destroyed) {
    cleanup();
    return cleanup;
  }
  armHeartbeat();
  flush();
  return cleanup;
}
