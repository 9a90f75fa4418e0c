/**
 * Notices a stream that has gone silent. Pure: the timers are injected; no DOM, no fetch.
 *
 * Any byte counts as life (comment heartbeats included), so the caller calls {@link HeartbeatWatchdog.touch} from
 * the response body as chunks arrive, not from parsed events. One timer is re-armed per touch; there is no polling
 * loop. Two waits are kept apart because they mean different things to a reader: `firstByteTimeout` covers the
 * time to the first byte (a model queueing a request can be slow), `timeout` the silence between bytes once the
 * stream flows (a healthy server sends a heartbeat every 15 s, so 45 s of silence means the path is dead).
 */

export interface WatchdogTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HeartbeatWatchdogOptions {
  /** Silence in ms, once bytes flow, after which `onStall` runs. 0 (or less) turns the watchdog off. */
  timeout: number;
  /** Wait in ms for the first byte. Default: `timeout`. 0 turns this wait off. */
  firstByteTimeout?: number;
  /** Called once per arming when the wait runs out; the watchdog is stopped by then. */
  onStall: (phase: 'first-byte' | 'mid-stream') => void;
  /** Default: the global `setTimeout`/`clearTimeout`. */
  timers?: WatchdogTimers;
}

const globalTimers: WatchdogTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export class HeartbeatWatchdog {
  #options: HeartbeatWatchdogOptions;
  #timers: WatchdogTimers;
  #handle: unknown = undefined;
  #running = false;
  #sawByte = false;

  constructor(options: HeartbeatWatchdogOptions) {
    this.#options = options;
    this.#timers = options.timers ?? globalTimers;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Arms the first-byte wait. Calling it again restarts from scratch. */
  start(): void {
    this.stop();
    this.#running = true;
    this.#sawByte = false;
    this.#arm(this.#options.firstByteTimeout ?? this.#options.timeout, 'first-byte');
  }

  /** Bytes arrived: re-arm the mid-stream wait. */
  touch(): void {
    if (!this.#running) return;
    this.#sawByte = true;
    this.#arm(this.#options.timeout, 'mid-stream');
  }

  /** Clears the timer; no `onStall` runs after this. */
  stop(): void {
    this.#running = false;
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #arm(ms: number, phase: 'first-byte' | 'mid-stream'): void {
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
    if (!(ms > 0)) return;
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined;
      if (!this.#running) return;
      this.#running = false;
      this.#options.onStall(this.#sawByte ? 'mid-stream' : phase);
    }, ms);
  }
}
