/**
 * The in-memory {@link RunStore}: one process, every run's log in memory. The default when `REDIS_URL` is not set.
 *
 * Memory is bounded on every axis: a run whose last reader left is aborted after `graceMs`; a finished run is freed
 * after `ttlMs`; at most `maxRuns` runs are held (finished ones are evicted oldest first); a run's log holds at most
 * `maxEventsPerRun` events, after which the run fails with an `error` event instead of growing.
 */
import { LocalRun, type LocalRunContext } from './local-run.js';
import {
  RunStatus,
  nodeTimers,
  type Generate,
  type OpenedRun,
  type RunStore,
  type RunStoreOptions,
  type RunStoreStats,
} from './run-store.js';

export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, LocalRun>();
  readonly #expiry = new Map<string, unknown>();
  readonly #ctx: LocalRunContext;
  readonly #ttlMs: number;
  readonly #maxRuns: number;
  readonly #maxActive: number;
  #active = 0;

  constructor(options: RunStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxRuns = options.maxRuns ?? 1000;
    this.#maxActive = options.maxActive ?? Number.POSITIVE_INFINITY;
    this.#ctx = {
      graceMs: options.graceMs ?? 20_000,
      maxEventsPerRun: Math.max(2, options.maxEventsPerRun ?? 20_000),
      timers: options.timers ?? nodeTimers,
      now: options.now ?? Date.now,
      onEnded: (run) => this.#ended(run),
    };
  }

  open(id: string, generate: Generate): Promise<OpenedRun | undefined> {
    const held = this.#runs.get(id);
    if (held !== undefined) return Promise.resolve({ run: held, started: false });
    if (this.#active >= this.#maxActive) return Promise.resolve(undefined);
    if (this.#runs.size >= this.#maxRuns && !this.#evictOldestFinished()) return Promise.resolve(undefined);
    const run = new LocalRun(id, this.#ctx);
    this.#runs.set(id, run);
    this.#active += 1;
    void run.generate(generate).finally(() => (this.#active -= 1));
    return Promise.resolve({ run, started: true });
  }

  stop(id: string): Promise<boolean> {
    return Promise.resolve(this.#runs.get(id)?.stop() ?? false);
  }

  stats(): RunStoreStats {
    let readers = 0;
    for (const run of this.#runs.values()) readers += run.readerCount;
    return { active: this.#active, held: this.#runs.size, readers };
  }

  close(): Promise<void> {
    for (const run of this.#runs.values()) run.stop();
    for (const h of this.#expiry.values()) this.#ctx.timers.clearTimeout(h);
    this.#expiry.clear();
    this.#runs.clear();
    return Promise.resolve();
  }

  #ended(run: LocalRun): void {
    this.#expiry.set(
      run.id,
      this.#ctx.timers.setTimeout(() => {
        this.#expiry.delete(run.id);
        if (this.#runs.get(run.id) === run) this.#runs.delete(run.id);
      }, this.#ttlMs),
    );
  }

  #evictOldestFinished(): boolean {
    // Map iteration is insertion order, so the first finished run found is the oldest.
    for (const [id, run] of this.#runs) {
      if (run.status === RunStatus.running) continue;
      this.#ctx.timers.clearTimeout(this.#expiry.get(id));
      this.#expiry.delete(id);
      this.#runs.delete(id);
      return true;
    }
    return false;
  }
}
