/**
 * The run store contract. Runs are separate from connections: a run (keyed by the request's `message_id`) owns one
 * generation and an append-only event log with sequence numbers; an HTTP response is only a reader with a cursor
 * into that log. So a dropped connection loses nothing: the client comes back with `Last-Event-ID: <run>.<seq>`, the
 * reader replays what follows `seq` and then follows live, and no second generation ever starts for the same
 * `message_id`.
 *
 * Two implementations share this contract and one test suite (`test/server/run-store-suite.ts`), in the manner of
 * vercel/resumable-stream (an interface, an in-memory implementation, a Redis one):
 * - `MemoryRunStore` (`memory-run-store.ts`): one process, everything in memory. The default.
 * - `RedisRunStore` (`redis-run-store.ts`): with `REDIS_URL`, the log lives in a Redis Stream so a resume that lands
 *   on another instance replays from Redis and follows live; Stop and the grace window work across instances.
 *
 * What a reader sees is synchronous ({@link RunView}: the log so far and a push of each new event), so the response
 * writer (`connectRunToResponse`) is the same for both; only opening, stopping and closing are async.
 */
import type { EventDataMap, EventName } from '../protocol.js';

export interface LoggedEvent<K extends EventName = EventName> {
  seq: number;
  event: K;
  data: EventDataMap[K];
}

export const RunStatus = { running: 'running', completed: 'completed', stopped: 'stopped', failed: 'failed' } as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** A response reading a run. Called synchronously as events are logged; it reads them with `eventsAfter`. */
export interface RunReader {
  /** Told of each event as it is logged. Must not attach or detach readers of the same run (it is called while
   * they are iterated); schedule that work instead. */
  onEvent(event: LoggedEvent): void;
  onEnd(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A run as its readers see it, on the instance that generates it or on any other. */
export interface RunView {
  readonly id: string;
  readonly status: RunStatus;
  /** Sequence number of the last event logged (0 before the first). */
  readonly lastSeq: number;
  /** Events after `afterSeq`, in order; empty when `afterSeq` is at or past the end of the log so far. */
  eventsAfter(afterSeq: number): readonly LoggedEvent[];
  /**
   * Adds a reader. It is handed nothing here: it reads the backlog with {@link eventsAfter} at its own pace and is
   * then told of each new event. Returns the function that detaches it (idempotent).
   */
  attach(reader: RunReader): () => void;
}

/** The run as its generation sees it. */
export interface GeneratingRun {
  readonly id: string;
  /** Aborted when the run is stopped (from any instance), its grace window runs out, or the store closes. */
  readonly signal: AbortSignal;
  /** Appends one event and hands it to every reader. Ignored (returns undefined) once the run has ended. */
  append<K extends EventName>(event: K, data: EventDataMap[K]): LoggedEvent<K> | undefined;
}

/**
 * Produces a run's events. A throw or rejection fails the run with an `error` event in plain words; one that returns
 * without `done` completes it (a responder that forgot `done` must not leave readers hanging).
 */
export type Generate = (run: GeneratingRun) => Promise<void> | void;

export interface OpenedRun {
  run: RunView;
  /** True when this call started the generation (a new run): a resume cursor from an older run does not apply. */
  started: boolean;
}

/** What `/healthz` reports. With Redis these are this instance's figures, not the cluster's. */
export interface RunStoreStats {
  /** Runs generating on this instance: counted from start until the generation has really returned. */
  active: number;
  /** Runs held in this instance's memory (generating, finished and kept for resume, or mirrored from Redis). */
  held: number;
  /** Responses on this instance reading a run now. */
  readers: number;
}

export interface RunStore {
  /**
   * Opens run `id` for reading. If no instance holds it, this instance starts it with `generate`, unless that would
   * exceed `maxActive` generating runs or `maxRuns` held runs: then it resolves `undefined` (→ 503 busy). A run held
   * anywhere is always opened, even when this instance is full, so a resume is never refused for capacity.
   * Rejects with {@link RunStoreUnavailableError} when the backing store cannot be reached.
   */
  open(id: string, generate: Generate): Promise<OpenedRun | undefined>;
  /** Stops run `id` wherever it generates; false when it is unknown or already ended. */
  stop(id: string): Promise<boolean>;
  stats(): RunStoreStats;
  /** Stops this instance's runs, ends its readers and releases its connections (server shutdown). */
  close(): Promise<void>;
}

export interface RunStoreOptions {
  /** How long generation goes on after the last reader (on any instance) leaves, in ms. Default 20000. */
  graceMs?: number;
  /** How long a finished run stays resumable, in ms. Default 60000. */
  ttlMs?: number;
  /** Runs held in this instance's memory at once. Default 1000. Over it, a new run is refused (→ 503). */
  maxRuns?: number;
  /** Runs generating on this instance at once (`MAX_STREAMS`). Default: no limit. Over it, a new run is refused. */
  maxActive?: number;
  /** Events one run may log. Default 20000; past it the run fails with an `error` event instead of growing. */
  maxEventsPerRun?: number;
  /** Default: the global timers, unref'd so a finished run never keeps the process alive. */
  timers?: Timers;
  /** Default `Date.now`. Injected with `timers` so the grace window can be tested without waiting. */
  now?: () => number;
}

/** Thrown by `open` when the backing store (Redis) cannot be reached; the server answers 503, never a stack. */
export class RunStoreUnavailableError extends Error {
  constructor(message = 'The run store is unavailable.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunStoreUnavailableError';
  }
}

export const nodeTimers: Timers = {
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/** The status a terminal event ends a run with, or undefined for an event that does not end it. */
export function endStatusOf(e: Pick<LoggedEvent, 'event' | 'data'>): Exclude<RunStatus, 'running'> | undefined {
  if (e.event === 'error') return RunStatus.failed;
  if (e.event !== 'done') return undefined;
  return (e.data as { status?: unknown }).status === 'stopped' ? RunStatus.stopped : RunStatus.completed;
}
