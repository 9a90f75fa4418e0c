/**
 * How long a socket's new events wait before they are written (`FLUSH_MS=auto`, the default): not at all while the
 * server has time to spare, a short window once it is busy.
 *
 * Each write is one syscall, and on loopback the kernel's share of it is most of the server's CPU under load (about
 * 7 µs of 10 per event at 1,000 streams × 100 events/s; bench/server-load.mjs). Writing at the end of every event-loop
 * turn gives the lowest latency but saturates a core at that load; a 20 ms window halves the writes, and the CPU,
 * for up to 20 ms more latency (the element renders once per animation frame, ~16 ms, anyway). So the window follows
 * the event loop's utilisation (`performance.eventLoopUtilization()`, the share of time not waiting for I/O): it opens
 * when the loop was busy more than `busyAbove` of the last sample, and closes again below `idleBelow`. The gap
 * between the two keeps it from flapping: batching itself lowers utilisation.
 *
 * Pure: the clock and the utilisation come in as functions, so tests drive it with numbers.
 */

export interface FlushWindowOptions {
  /** The window while busy, in ms. Default 20. */
  windowMs?: number;
  /** Utilisation (0-1) above which the window opens. Default 0.75. */
  busyAbove?: number;
  /** Utilisation below which it closes again. Default 0.4. */
  idleBelow?: number;
  /** Utilisation is re-sampled when this many ms have passed, at the next call. Default 250. */
  sampleMs?: number;
  /** A monotonic clock in ms. */
  now: () => number;
  /** The loop's utilisation (0-1) since the previous call of this function. */
  utilizationSinceLastCall: () => number;
}

/** Returns a function that gives the window (ms) for events scheduled now: 0 (end of this turn) or `windowMs`. */
export function adaptiveFlushWindow(options: FlushWindowOptions): () => number {
  const { windowMs = 20, busyAbove = 0.75, idleBelow = 0.4, sampleMs = 250, now, utilizationSinceLastCall } = options;
  let busy = false;
  let sampledAt = now();
  utilizationSinceLastCall(); // starts the first sample here
  return () => {
    const t = now();
    if (t - sampledAt >= sampleMs) {
      sampledAt = t;
      const u = utilizationSinceLastCall();
      busy = busy ? u > idleBelow : u > busyAbove;
    }
    return busy ? windowMs : 0;
  };
}
