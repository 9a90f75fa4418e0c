/**
 * Picks the run store from the configuration: in memory by default, Redis Streams when `REDIS_URL` is set.
 *
 * The `redis` package is an optional peer dependency: it is imported only here, only with `REDIS_URL`, so a
 * single-instance deployment installs nothing more.
 */
import type { ChatServerConfig } from './config.js';
import { MemoryRunStore } from './memory-run-store.js';
import type { RedisClientLike, RedisRunStoreOptions } from './redis-run-store.js';
import type { RunStore, RunStoreOptions } from './run-store.js';

type RedisModule = { createClient(options: Record<string, unknown>): unknown };

export interface CreateRunStoreOptions extends RunStoreOptions {
  /** Default `import('redis')`. Replaced in tests to prove the message when the package is missing. */
  importRedis?: () => Promise<unknown>;
  /** Passed to the Redis store (tests isolate runs by prefix). */
  keyPrefix?: RedisRunStoreOptions['keyPrefix'];
  heartbeatMs?: RedisRunStoreOptions['heartbeatMs'];
  blockMs?: RedisRunStoreOptions['blockMs'];
  log?: RedisRunStoreOptions['log'];
}

/** `redis://user:secret@host:6379/0` → `redis://host:6379/0`, for messages (a URL may carry a password). */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

/**
 * Resolves the store the server uses. Rejects with one readable sentence (shown by `main` before it exits) when
 * `REDIS_URL` is set but the `redis` package is missing or Redis cannot be reached.
 */
export async function createRunStore(
  config: Pick<ChatServerConfig, 'redisUrl' | 'runGraceMs' | 'maxStreams' | 'maxRuns'>,
  options: CreateRunStoreOptions = {},
): Promise<RunStore> {
  const { importRedis, ...rest } = options;
  const storeOptions: CreateRunStoreOptions = {
    graceMs: config.runGraceMs,
    maxActive: config.maxStreams,
    maxRuns: config.maxRuns,
    ...rest,
  };
  const url = config.redisUrl;
  if (url === undefined) return new MemoryRunStore(storeOptions);
  let redis: RedisModule;
  try {
    redis = (await (importRedis ?? (() => import('redis')))()) as RedisModule;
  } catch {
    throw new Error(
      'REDIS_URL is set but the `redis` package is not installed. Run `npm install redis` (node-redis 5 or later) ' +
        'or unset REDIS_URL to keep runs in memory.',
    );
  }
  const { RedisRunStore } = await import('./redis-run-store.js');
  const createClient = (name: string): RedisClientLike => {
    let ready = false;
    const client = redis.createClient({
      url,
      name,
      // Replies as arrays and strings, which is what the store parses; and fail fast while disconnected, so a
      // reader gets an error event at once instead of a command queued behind a reconnect.
      RESP: 2,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        // The first connection fails at once (a wrong REDIS_URL must stop the server at start); a lost one is
        // retried with backoff forever, meanwhile streams that need Redis end with an error event.
        reconnectStrategy: (retries: number, cause: Error) =>
          ready ? Math.min(50 * 2 ** retries, 2000) : new Error(cause.message),
      },
    }) as RedisClientLike & { on(event: string, fn: (e: unknown) => void): void };
    client.on('ready', () => (ready = true));
    // Without a listener an `error` event would crash the process; the store reports outages itself.
    client.on('error', () => {});
    return client;
  };
  try {
    return await RedisRunStore.connect({ ...storeOptions, createClient });
  } catch (e) {
    const detail = e instanceof Error && e.message ? `: ${e.message}` : '';
    throw new Error(`Cannot reach Redis at REDIS_URL=${redactRedisUrl(url)}${detail}`);
  }
}
