/**
 * The one timer seam of client and server: policies and runs take a `Timers` so tests can drive time, and production
 * uses {@link systemTimers}. Neither DOM nor Node: `globalThis` timers exist in both.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The host's own timers (browser or Node). */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

/**
 * Resolves `true` after `ms`, or `false` as soon as `signal` aborts (at once if it already has); the timer and the
 * listener never outlive the wait.
 */
export function sleep(ms: number, signal?: AbortSignal, timers: Timers = systemTimers): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      timers.clearTimeout(handle);
      resolve(false);
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
