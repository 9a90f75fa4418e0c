/**
 * Typed server configuration read from environment variables. Parsing is strict: a typo such as `PORT=80a` must
 * stop the server with a message naming the variable, not silently fall back to a default.
 */

import { loadLlmConfig, type LlmConfig } from './llm-config.js';
import { LogLevel } from './access-log.js';

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
  /**
   * `MAX_RUNS`, default 1000: runs held at once (generating, or finished and kept for resume until their TTL); past it,
   * the oldest finished run is dropped, and when none has finished a new run gets 503 `busy`. Each held run costs
   * its log (about 200 bytes per token), so raise it with the streams you expect (at least `MAX_STREAMS`).
   */
  maxRuns: number;
  /**
   * `CORS_ORIGINS`, default empty (same-origin only): comma-separated allowed origins, or `*` for any. Each entry
   * must be an exact origin (`https://site.example`, `http://localhost:3000`): a path or a trailing slash would never
   * match a browser's `Origin` header, so it stops the server instead of silently refusing every request.
   */
  corsOrigins: string[];
  /**
   * `API_TOKEN`, default `undefined` (the chat routes are open). When set, `POST /chat/stream` and `/chat/stop` need
   * `Authorization: Bearer <token>`; a missing or wrong token gets 401. At least 16 characters from
   * `A-Z a-z 0-9 - . _ ~ + /` (RFC 6750's token68), e.g. `openssl rand -hex 32`; anything else stops the server.
   * A token placed in a public page is visible to anyone: it gates the server, it does not identify users.
   */
  apiToken: string | undefined;
  /**
   * `RATE_LIMIT`, default 60: requests per minute each client may make to the chat routes (a full minute's worth may
   * come at once); one more gets 429 with `Retry-After`. 0 turns the limit off.
   */
  rateLimit: number;
  /**
   * `TRUST_PROXY`, default 0: how many proxies in front of the server append to `X-Forwarded-For`. 0 ignores the
   * header (a client could forge it) and keys clients by the socket address; behind one nginx, set 1.
   */
  trustProxy: number;
  /** `LOG_LEVEL`, default `info`: `info`, `warn`, `error` or `off` (see {@link LogLevel}); anything else stops the server. */
  logLevel: LogLevel;
  /**
   * `RUN_GRACE_MS`, default 20000: how long a run keeps generating after its last reader disconnects, so a client
   * that drops can resume it. 0 aborts at once (resume then only replays what was already generated).
   */
  runGraceMs: number;
  /** `DRAIN_TIMEOUT_MS`, default 30000: how long a reader's socket may refuse writes before it is dropped. */
  drainTimeoutMs: number;
  /**
   * `FLUSH_MS`, default `auto`: how long new events may wait so that several leave a socket in one write. `0` sends
   * them at the end of the current event-loop turn (lowest latency; at 1,000 fast streams a core is saturated). A
   * number of ms batches always. `auto` sends at once while the event loop is mostly idle and batches for 20 ms once
   * it is over 75 % busy (src/server/flush-window.ts); see docs/deploy.md, "Load". Anything else stops the start.
   */
  flushMs: number | 'auto';
  /**
   * `LLM_BASE_URL`, `LLM_API_KEY`, `LLM_MODEL`, `LLM_TIMEOUT_MS`, `LLM_STREAM_USAGE`: the model that answers.
   * Default `undefined` (no `LLM_BASE_URL`): the demo responder answers from the docs. See {@link LlmConfig}.
   */
  llm: LlmConfig | undefined;
  /**
   * `REDIS_URL`, default `undefined` (runs live in this process's memory). `redis://[user:password@]host:port[/db]`
   * or `rediss://…` (TLS): runs live in Redis Streams, shared by every instance given the same URL, so a resume or
   * a Stop may land on any of them. Needs the optional `redis` package; a missing package or an unreachable Redis
   * stops the server at start with a message naming `REDIS_URL`.
   */
  redisUrl: string | undefined;
}

type Env = Record<string, string | undefined>;

function redisUrl(env: Env): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    // The value may hold a password: never echo it.
    throw new Error('Invalid REDIS_URL: expected redis://[user:password@]host:port[/db] or rediss://….');
  }
  return raw;
}

function corsOrigins(env: Env): string[] {
  const origins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  if (origins.includes('*')) {
    if (origins.length > 1) throw new Error('Invalid CORS_ORIGINS: `*` allows every origin and cannot be combined.');
    return origins;
  }
  for (const origin of origins) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin) {
      throw new Error(
        `Invalid CORS_ORIGINS entry ${JSON.stringify(origin)}: expected an origin such as https://site.example ` +
          '(scheme, host and optional port; no path, no trailing slash).',
      );
    }
  }
  return origins;
}

function apiToken(env: Env): string | undefined {
  const raw = env.API_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[A-Za-z0-9._~+/-]{16,}=*$/.test(raw)) {
    // The value is a secret: never echo it.
    throw new Error(
      'Invalid API_TOKEN: expected at least 16 characters from A-Z a-z 0-9 - . _ ~ + / (e.g. `openssl rand -hex 32`).',
    );
  }
  return raw;
}

function logLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim() ?? '';
  if (raw === '') return LogLevel.info;
  const levels = Object.values(LogLevel) as string[];
  if (!levels.includes(raw)) {
    throw new Error(`Invalid LOG_LEVEL=${JSON.stringify(raw)}: expected ${levels.join(', ')}.`);
  }
  return raw as LogLevel;
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}.`);
  }
  return value;
}

function flushMs(env: Env): number | 'auto' {
  const raw = env.FLUSH_MS?.trim() ?? '';
  if (raw === '' || raw === 'auto') return 'auto';
  if (!/^\d+$/.test(raw) || Number(raw) > 1000) {
    throw new Error(`Invalid FLUSH_MS=${JSON.stringify(env.FLUSH_MS)}: expected auto or an integer from 0 to 1000.`);
  }
  return Number(raw);
}

export function loadConfig(env: Env = process.env): ChatServerConfig {
  const host = env.HOST?.trim();
  return {
    port: integer(env, 'PORT', 8787, 0, 65535),
    host: host ? host : '127.0.0.1',
    heartbeatMs: integer(env, 'HEARTBEAT_MS', 15_000, 1),
    tokenDelayMs: integer(env, 'TOKEN_DELAY_MS', 30, 0),
    maxStreams: integer(env, 'MAX_STREAMS', 100, 1),
    maxRuns: integer(env, 'MAX_RUNS', 1000, 1),
    runGraceMs: integer(env, 'RUN_GRACE_MS', 20_000, 0),
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_MS', 30_000, 1),
    flushMs: flushMs(env),
    llm: loadLlmConfig(env),
    redisUrl: redisUrl(env),
    corsOrigins: corsOrigins(env),
    apiToken: apiToken(env),
    rateLimit: integer(env, 'RATE_LIMIT', 60, 0, 1_000_000),
    trustProxy: integer(env, 'TRUST_PROXY', 0, 0, 10),
    logLevel: logLevel(env),
  };
}
