/**
 * Typed server configuration read from environment variables. Parsing is strict: a typo such as `PORT=80a` must
 * stop the server with a message naming the variable, not silently fall back to a default.
 */

export interface ChatServerConfig {
  /** `PORT`, default 8787. 0 asks the OS for a free port (tests). */
  port: number;
  /** `HOST`, default '127.0.0.1': loopback only, so the demo is never exposed by accident. */
  host: string;
  /** `HEARTBEAT_MS`, default 15000: silence on a stream before a `: heartbeat` comment (proxies drop idle ones). */
  heartbeatMs: number;
  /** `TOKEN_DELAY_MS`, default 30: pause between demo tokens so streaming is visible. */
  tokenDelayMs: number;
  /** `MAX_STREAMS`, default 100: runs generating at once; one more gets 503 with `Retry-After`. */
  maxStreams: number;
  /** `CORS_ORIGINS`, default empty (same-origin only): comma-separated allowed origins, or `*` for any. */
  corsOrigins: string[];
  /**
   * `RUN_GRACE_MS`, default 20000: how long a run keeps generating after its last reader disconnects, so a client
   * that drops can resume it. 0 aborts at once (resume then only replays what was already generated).
   */
  runGraceMs: number;
  /** `DRAIN_TIMEOUT_MS`, default 30000: how long a reader's socket may refuse writes before it is dropped. */
  drainTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}.`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): ChatServerConfig {
  const host = env.HOST?.trim();
  return {
    port: integer(env, 'PORT', 8787, 0, 65535),
    host: host ? host : '127.0.0.1',
    heartbeatMs: integer(env, 'HEARTBEAT_MS', 15_000, 1),
    tokenDelayMs: integer(env, 'TOKEN_DELAY_MS', 30, 0),
    maxStreams: integer(env, 'MAX_STREAMS', 100, 1),
    runGraceMs: integer(env, 'RUN_GRACE_MS', 20_000, 0),
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_MS', 30_000, 1),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  };
}
