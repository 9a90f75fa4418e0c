/**
 * Runs are separate from connections. A run (keyed by the request's `message_id`) owns one generation and an
 * append-only event log with sequence numbers; an HTTP response is only a reader with a cursor into that log. So a
 * dropped connection loses nothing: the client comes back with `Last-Event-ID: <run>.<seq>`, the reader replays
 * what follows `seq` and then follows live, and no second generation ever starts for the same `message_id`.
 *
 * Memory is bounded on every axis: a run whose last reader left is aborted after `graceMs`; a finished run is freed
 * after `ttlMs`; at most `maxRuns` runs are held (finished ones are evicted oldest first); a run's log holds at most
 * `maxEventsPerRun` events, after which the run fails with an `error` event instead of growing.
 */
import { EventName, ErrorCode, type EventDataMap } from '../protocol.js';

export interface LoggedEvent<K extends EventName = EventName> {
  seq: number;
  event: K;
  data: EventDataMap[K];
}

export const RunStatus = { running: 'running', completed: 'completed', stopped: 'stopped', failed: 'failed' } as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

export interface RunReader {
  onEvent(event: LoggedEvent): void;
  onEnd(run: Run): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RunStoreOptions {
  /** How long generation goes on after the last reader leaves, in ms. Default 20000 (`RUN_GRACE_MS`). */
  graceMs?: number;
  /** How long a finished run stays resumable, in ms. Default 60000. */
  ttlMs?: number;
  /** Runs held at once, running and finished. Default 1000. Over it, `start` returns `undefined` (→ 503). */
  maxRuns?: number;
  /** Events one run may log. Default 20000; past it the run fails with an `error` event. */
  maxEventsPerRun?: number;
  /** Default: the global timers, unref'd so a finished run never keeps the process alive. */
  timers?: Timers;
}

const nodeTimers: Timers = {
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export class Run {
  readonly id: string;
  readonly startedAt = Date.now();
  endedAt: number | undefined;
  status: RunStatus = RunStatus.running;
  readonly #controller = new AbortController();
  readonly #events: LoggedEvent[] = [];
  readonly #readers = new Set<RunReader>();
  readonly #store: RunStore;
  #graceTimer: unknown = undefined;

  constructor(id: string, store: RunStore) {
    this.id = id;
    this.#store = store;
  }

  /** Aborted when the run is stopped, its grace window runs out, or the store closes. Pass it to the model. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get lastSeq(): number {
    return this.#events.length;
  }

  get readerCount(): number {
    return this.#readers.size;
  }

  /** Appends one event and hands it to every reader. Ignored once the run has ended. */
  append<K extends EventName>(event: K, data: EventDataMap[K]): LoggedEvent<K> | undefined {
    if (this.status !== RunStatus.running) return undefined;
    if (this.#events.length >= this.#store.maxEventsPerRun - 1) {
      this.#push(EventName.error, { error: 'The answer grew too long and was cut off.', code: ErrorCode.internal });
      this.end(RunStatus.failed);
      return undefined;
    }
    const logged = this.#push(event, data);
    if (event === EventName.done) this.end(RunStatus.completed);
    else if (event === EventName.error) this.end(RunStatus.failed);
    return logged;
  }

  /** Events after `afterSeq`, for a reader that resumes. */
  eventsAfter(afterSeq: number): LoggedEvent[] {
    return this.#events.slice(Math.max(0, afterSeq));
  }

  /**
   * Adds a reader. It is handed nothing here: it reads the backlog with {@link eventsAfter} at its own pace and is
   * then told of each new event. Returns the function that detaches it.
   */
  attach(reader: RunReader): () => void {
    this.#readers.add(reader);
    this.#clearGrace();
    return () => {
      if (!this.#readers.delete(reader)) return;
      if (this.#readers.size === 0 && this.status === RunStatus.running) {
        this.#graceTimer = this.#store.timers.setTimeout(() => this.stop(), this.#store.graceMs);
      }
    };
  }

  /** Aborts generation at once; readers get a final `done {status:'stopped'}`. Returns false if already ended. */
  stop(): boolean {
    if (this.status !== RunStatus.running) return false;
    this.#push(EventName.done, { status: 'stopped' });
    this.end(RunStatus.stopped);
    return true;
  }

  /** Ends the run: aborts generation, tells every reader, and schedules the log to be freed. Idempotent. */
  end(status: Exclude<RunStatus, 'running'>): void {
    if (this.status !== RunStatus.running) return;
    this.status = status;
    this.endedAt = Date.now();
    this.#clearGrace();
    this.#controller.abort();
    for (const r of [...this.#readers]) r.onEnd(this);
    this.#store.finished(this);
  }

  #push<K extends EventName>(event: K, data: EventDataMap[K]): LoggedEvent<K> {
    const logged: LoggedEvent<K> = { seq: this.#events.length + 1, event, data };
    this.#events.push(logged as LoggedEvent);
    for (const r of [...this.#readers]) r.onEvent(logged as LoggedEvent);
    return logged;
  }

  #clearGrace(): void {
    if (this.#graceTimer !== undefined) this.#store.timers.clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
  }
}

export class RunStore {
  readonly graceMs: number;
  readonly ttlMs: number;
  readonly maxRuns: number;
  readonly maxEventsPerRun: number;
  readonly timers: Timers;
  readonly #runs = new Map<string, Run>();
  readonly #expiry = new Map<string, unknown>();
  #active = 0;

  constructor(options: RunStoreOptions = {}) {
    this.graceMs = options.graceMs ?? 20_000;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxRuns = options.maxRuns ?? 1000;
    this.maxEventsPerRun = Math.max(2, options.maxEventsPerRun ?? 20_000);
    this.timers = options.timers ?? nodeTimers;
  }

  /** Runs still generating: counted from `start` until the run really ends, not until a response closes. */
  get activeCount(): number {
    return this.#active;
  }

  /** Responses reading any run now. */
  get readerCount(): number {
    let n = 0;
    for (const run of this.#runs.values()) n += run.readerCount;
    return n;
  }

  /** Runs held, running or finished. */
  get size(): number {
    return this.#runs.size;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  /**
   * Creates the run and starts `generate`. Returns `undefined` when `maxRuns` runs are held and none is finished.
   * A throw or rejection from `generate` fails the run with an `error` event; one that returns without `done`
   * completes it (a responder that forgot `done` must not leave readers hanging).
   */
  start(id: string, generate: (run: Run) => Promise<void> | void): Run | undefined {
    if (this.#runs.has(id)) throw new Error(`run ${id} exists`);
    if (this.#runs.size >= this.maxRuns && !this.#evictOldestFinished()) return undefined;
    const run = new Run(id, this);
    this.#runs.set(id, run);
    this.#active += 1;
    void (async () => {
      try {
        await generate(run);
        run.append(EventName.done, { status: 'completed' });
      } catch {
        // The message is for a reader: never a stack trace or an internal detail.
        run.append(EventName.error, { error: 'The answer failed on the server.', code: ErrorCode.internal });
      }
    })();
    return run;
  }

  /** Stops the run with this id; false when it is unknown or already ended. */
  stop(id: string): boolean {
    return this.#runs.get(id)?.stop() ?? false;
  }

  /** Aborts every run and frees everything (server shutdown). */
  close(): void {
    for (const run of this.#runs.values()) run.stop();
    for (const h of this.#expiry.values()) this.timers.clearTimeout(h);
    this.#expiry.clear();
    this.#runs.clear();
  }

  /** @internal Called by a run as it ends. */
  finished(run: Run): void {
    this.#active -= 1;
    this.#expiry.set(
      run.id,
      this.timers.setTimeout(() => {
        this.#expiry.delete(run.id);
        if (this.#runs.get(run.id) === run) this.#runs.delete(run.id);
      }, this.ttlMs),
    );
  }

  #evictOldestFinished(): boolean {
    // Map iteration is insertion order, so the first finished run found is the oldest.
    for (const [id, run] of this.#runs) {
      if (run.status === RunStatus.running) continue;
      this.timers.clearTimeout(this.#expiry.get(id));
      this.#expiry.delete(id);
      this.#runs.delete(id);
      return true;
    }
    return false;
  }
}
