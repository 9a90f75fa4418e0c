/**
 * Structured logs: one JSON line per run when it ends, one per refused request, one per server bug. One line per
 * fact, flat keys, so `jq`, Loki or CloudWatch can filter them without a parser (the "one event per line" shape of
 * Twelve-Factor's logs as event streams). Lines go to a sink, stdout by default, so tests read exactly what an
 * operator would.
 *
 * A run's line is written once its generation has returned and the run has ended, whatever ended it: the `outcome`
 * is `completed`, `error`, `stopped` (a client or the shutdown asked for it) or `abandoned` (the last reader left and
 * the grace window ran out). What a reader was shown for an error is always plain words; the real message is kept
 * here, server side, so nothing is lost.
 */
import type { ResponderEvent } from './responder.js';

/**
 * `LOG_LEVEL`: `info` logs every run and refused request; `warn` only failed runs, 429/5xx refusals and bugs;
 * `error` only bugs; `off` nothing.
 */
export const LogLevel = { info: 'info', warn: 'warn', error: 'error', off: 'off' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Receives one complete JSON line, without the trailing newline. */
export type LogSink = (line: string) => void;

export const RunOutcome = {
  completed: 'completed',
  stopped: 'stopped',
  error: 'error',
  abandoned: 'abandoned',
} as const;
export type RunOutcome = (typeof RunOutcome)[keyof typeof RunOutcome];

/** Who asked for a run, known when the request is accepted. */
export interface RunMeta {
  conversationId: string;
  clientIp: string;
}

export interface RunLine {
  type: 'run';
  run_id: string;
  conversation_id: string;
  client_ip: string;
  outcome: RunOutcome;
  duration_ms: number;
  /** Tokens the responder produced (a `{tokens:[…]}` event counts each). */
  tokens: number;
  /** The real failure, for the operator; the reader only ever saw plain words. */
  error?: string;
}

export interface RejectedLine {
  type: 'rejected';
  method: string;
  path: string;
  status: number;
  code: string;
  client_ip: string;
}

export interface FailureLine {
  type: 'failure';
  method: string;
  path: string;
  client_ip: string;
  /** What the client was answered: 500, or 503 when the run store (Redis) could not be reached. */
  status: number;
  /** Message and stack of an unexpected exception: written here, never to the client. */
  error: string;
}

/** The part of a generating run this log needs. `status`, when the run exposes it, makes the outcome exact. */
export interface LoggableRun {
  readonly id: string;
  readonly signal: AbortSignal;
  readonly status?: string;
}

/** Collects one run's figures while it generates; see {@link AccessLog.track}. */
export interface RunRecord {
  /** Counts a responder event. */
  event(e: ResponderEvent): void;
  /** Keeps what the responder threw, for the log line (the reader sees plain words). */
  fail(error: unknown): void;
  /** The responder has returned (or thrown): the line is written once the run's end is settled. */
  settle(): void;
}

export interface AccessLogOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Default: one line on stdout. */
  sink?: LogSink;
  /** Clock for `time` and durations. Default `Date.now`. */
  now?: () => number;
}

/** Stops remembered for runs whose line is not written yet; the oldest are forgotten first. */
const MAX_STOP_MARKS = 1000;

const RANK: Record<LogLevel, number> = { info: 0, warn: 1, error: 2, off: 3 };

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export class AccessLog {
  readonly level: LogLevel;
  readonly #sink: LogSink;
  readonly #now: () => number;
  /** Runs a client (or the shutdown) asked to stop; anything else that stops is `abandoned`. */
  readonly #stopRequested = new Set<string>();
  #closing = false;

  constructor(options: AccessLogOptions = {}) {
    this.level = options.level ?? LogLevel.info;
    this.#sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
    this.#now = options.now ?? Date.now;
  }

  /** Marks `id` as stopped on request, before the stop is carried out. Undo it when there was nothing to stop. */
  stopRequested(id: string, requested = true): void {
    if (!requested) {
      this.#stopRequested.delete(id);
      return;
    }
    this.#stopRequested.add(id);
    // A stop for a run generating on another instance (Redis) is never logged here: cap what such marks can hold.
    if (this.#stopRequested.size > MAX_STOP_MARKS) {
      this.#stopRequested.delete(this.#stopRequested.values().next().value as string);
    }
  }

  /** The server is shutting down: runs it stops are `stopped`, not `abandoned`. */
  closing(): void {
    this.#closing = true;
  }

  /**
   * Starts recording a run; call it as its generation starts. The line is written after the generation has
   * returned, on the next turn of the event loop, when the store has appended its final `done`/`error`: the run's
   * `status` then says how it ended. A run that does not expose `status` is judged by what was seen: an `error`
   * event or a throw is `error`, an abort is `stopped`/`abandoned`, anything else `completed`.
   */
  track(run: LoggableRun, meta: RunMeta): RunRecord {
    const startedAt = this.#now();
    let endedAt: number | undefined;
    let tokens = 0;
    let error: string | undefined;
    let sawError = false;
    let settled = false;
    // A run's signal aborts as the run ends (stop, grace, completion alike), which is when its duration ends.
    const onAbort = () => (endedAt ??= this.#now());
    run.signal.addEventListener('abort', onAbort, { once: true });
    const ended = (): string | undefined => {
      const status = typeof run.status === 'string' ? run.status : undefined;
      if (status !== undefined) return status === 'running' ? undefined : status;
      if (sawError || error !== undefined) return 'failed';
      return run.signal.aborted ? 'stopped' : 'completed';
    };
    const write = () => {
      const status = ended() ?? 'stopped';
      const stopped = this.#stopRequested.delete(run.id) || this.#closing;
      const outcome: RunOutcome =
        status === 'completed'
          ? RunOutcome.completed
          : status === 'stopped'
            ? stopped
              ? RunOutcome.stopped
              : RunOutcome.abandoned
            : RunOutcome.error;
      const line: RunLine = {
        type: 'run',
        run_id: run.id,
        conversation_id: meta.conversationId,
        client_ip: meta.clientIp,
        outcome,
        duration_ms: Math.max(0, (endedAt ?? this.#now()) - startedAt),
        tokens,
      };
      if (error !== undefined) line.error = error;
      this.#write(outcome === RunOutcome.error ? LogLevel.warn : LogLevel.info, line);
    };
    return {
      event: (e) => {
        if (e.event === 'token') tokens += 'tokens' in e.data ? e.data.tokens.length : 1;
        if (e.event === 'error') sawError = true;
      },
      fail: (e) => {
        error = e instanceof Error ? e.message : String(e);
      },
      settle: () => {
        if (settled) return;
        settled = true;
        // The store appends `done`/`error` in the microtasks after the generation settles; a macrotask is after them.
        setImmediate(() => {
          if (ended() === undefined && !run.signal.aborted) {
            // Still running (a store that ends runs later): write the line as the run's signal aborts at its end.
            run.signal.addEventListener('abort', () => queueMicrotask(write), { once: true });
            return;
          }
          run.signal.removeEventListener('abort', onAbort);
          write();
        });
      },
    };
  }

  /** A request refused with a 4xx/5xx JSON error (429 and 5xx at `warn`). */
  rejected(entry: Omit<RejectedLine, 'type'>): void {
    const level = entry.status === 429 || entry.status >= 500 ? LogLevel.warn : LogLevel.info;
    this.#write(level, { type: 'rejected', ...entry });
  }

  /** An exception that is not a refusal (a bug, or an unreachable run store), with its stack and the status sent. */
  failure(entry: Omit<FailureLine, 'type' | 'error'>, error: unknown): void {
    this.#write(LogLevel.error, { type: 'failure', ...entry, error: describe(error) });
  }

  #write(level: Exclude<LogLevel, 'off'>, line: RunLine | RejectedLine | FailureLine): void {
    if (RANK[level] < RANK[this.level]) return;
    this.#sink(JSON.stringify({ time: new Date(this.#now()).toISOString(), level, ...line }));
  }
}
