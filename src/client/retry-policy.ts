/**
 * When a failed stream is tried again, and after how long. Pure: no DOM, no Lit, no fetch; the clock and the
 * random source are injected so tests are exact.
 *
 * Retried: network errors, a stream that ended without `done`, a stall caught by the watchdog, 408, 429 and 5xx.
 * Fatal: every other 4xx (a retry cannot fix a bad request or missing credentials), a 200 that is not
 * `text/event-stream` (a proxy's login page, a misconfigured route: retrying only repeats it), a malformed event and
 * the server's own `error` event (both would only come again).
 * Delay: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * `random() * min(maxDelay, base * 2^(attempt-1))`, so many clients dropped at once do not return at once.
 * A `Retry-After` header (RFC 9110 §10.2.3, seconds or HTTP-date) replaces the computed delay when it is longer.
 */

/**
 * Every way one stream can fail. The kind also picks the words the element shows (`errorStringKey`), so a new kind
 * needs a string there too.
 */
export type Failure =
  | { kind: 'network' }
  | { kind: 'premature-close' }
  | { kind: 'stalled' }
  | { kind: 'not-event-stream' }
  | { kind: 'malformed' }
  | { kind: 'server' }
  | { kind: 'status'; status: number; retryAfter?: string | null };

export type RetryDecision = { retry: true; attempt: number; delay: number } | { retry: false; attempt: number };

export interface RetryPolicyOptions {
  /** Retries after the first attempt. Default 3; 0 turns retrying off. Negative or non-finite values count as 0. */
  maxRetries?: number;
  /** Base of the backoff in ms. Default 1000. Negative or non-finite values count as 0. */
  baseDelay?: number;
  /** Ceiling of the computed backoff in ms (not of `Retry-After`). Default 30000. */
  maxDelay?: number;
  /** Uniform random source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Clock for HTTP-date `Retry-After` values. Default `Date.now`. */
  now?: () => number;
}

/** Whether a failure can be cured by trying again. */
export function isRetryable(failure: Failure): boolean {
  if (failure.kind !== 'status') return ['network', 'premature-close', 'stalled'].includes(failure.kind);
  const s = failure.status;
  return s === 408 || s === 429 || s >= 500;
}

/** `Retry-After` in ms: delta-seconds or an HTTP-date; `undefined` when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const sane = (n: number | undefined, fallback: number) =>
  n !== undefined && Number.isFinite(n) ? Math.max(0, n) : fallback;

export class RetryPolicy {
  readonly maxRetries: number;
  readonly baseDelay: number;
  readonly maxDelay: number;
  #random: () => number;
  #now: () => number;
  #attempt = 0;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxRetries = Math.floor(sane(options.maxRetries, 3));
    this.baseDelay = sane(options.baseDelay, 1000);
    this.maxDelay = sane(options.maxDelay, 30_000);
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Retries used since the last {@link reset}. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Decides what to do about one failure, counting it as an attempt when it is retried. */
  next(failure: Failure): RetryDecision {
    if (!isRetryable(failure) || this.#attempt >= this.maxRetries) return { retry: false, attempt: this.#attempt };
    this.#attempt += 1;
    const cap = Math.min(this.maxDelay, this.baseDelay * 2 ** (this.#attempt - 1));
    let delay = Math.floor(this.#random() * cap);
    if (failure.kind === 'status') {
      const after = parseRetryAfter(failure.retryAfter, this.#now());
      if (after !== undefined) delay = Math.max(delay, after);
    }
    return { retry: true, attempt: this.#attempt, delay };
  }

  /** Called once a stream delivers an event: the next failure starts counting from one again. */
  reset(): void {
    this.#attempt = 0;
  }
}
