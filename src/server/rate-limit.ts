/**
 * Per-client rate limit: a token bucket per key (the client's address). Pure: no timers, no I/O; the clock is
 * injected so tests step time exactly.
 *
 * Each client starts with a full bucket of `burst` tokens; every request takes one; tokens come back continuously at
 * `perMinute / 60` per second up to `burst`. An empty bucket answers how long until the next token (→ 429 with
 * `Retry-After`, RFC 6585 §4). A token bucket (rather than a fixed window) lets a reader send a few messages
 * quickly and still caps the sustained rate, with no burst of double the limit at a window edge.
 *
 * Memory is bounded: buckets live in a Map kept in least-recently-used order. A bucket that has refilled to
 * `burst` carries no information (a new one would be identical), so stale buckets at the old end are dropped as a
 * side effect of each call; and at most `maxClients` buckets are held, the least recently used dropped first. A
 * client whose bucket was dropped under that cap starts full again: the cap trades exactness under a flood of
 * distinct addresses for memory that never grows past it.
 */

export interface RateLimitOptions {
  /** Sustained requests per minute per client. Must be > 0 (a limit of 0 means "no limiter": do not build one). */
  perMinute: number;
  /** Requests a client may make at once with a full bucket. Default `perMinute` (a minute's worth). */
  burst?: number;
  /** Buckets held at most; the least recently used goes first. Default 10000 (about 1 MB). */
  maxClients?: number;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

export class RateLimiter {
  readonly perMinute: number;
  readonly burst: number;
  readonly maxClients: number;
  readonly #now: () => number;
  /** Insertion order is recency order: a used bucket is deleted and set again, so the oldest come first. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) {
      throw new RangeError('perMinute must be a positive number');
    }
    this.perMinute = options.perMinute;
    this.burst = Math.max(1, Math.floor(options.burst ?? options.perMinute));
    this.maxClients = Math.max(1, Math.floor(options.maxClients ?? 10_000));
    this.#now = options.now ?? Date.now;
  }

  /** Clients tracked now (for tests and health figures). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for `key` if it has one; otherwise says how long until it will. */
  take(key: string): RateLimitDecision {
    const now = this.#now();
    this.#evictStale(now);
    const bucket = this.#refilled(this.#buckets.get(key), now);
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.maxClients) {
      this.#buckets.delete(this.#buckets.keys().next().value as string);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.#perMs) };
  }

  get #perMs(): number {
    return this.perMinute / 60_000;
  }

  #refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (bucket === undefined) return { tokens: this.burst, at: now };
    // A clock that steps back (NTP) must not drain or overfill a bucket: elapsed time is never negative.
    const elapsed = Math.max(0, now - bucket.at);
    return { tokens: Math.min(this.burst, bucket.tokens + elapsed * this.#perMs), at: now };
  }

  /** Drops buckets, least recently used first, that have refilled completely; stops at the first that has not. */
  #evictStale(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (this.#refilled(bucket, now).tokens < this.burst) return;
      this.#buckets.delete(key);
    }
  }
}
