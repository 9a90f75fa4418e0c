/**
 * What a request must pass before the chat routes do any work: a path that parses, the optional bearer token, and
 * the per-client rate limit. Each refusal is an {@link HttpError} whose words are safe to show a reader.
 *
 * The client's address is the socket's peer, unless `trustProxy` hops are configured: then it is read from
 * `X-Forwarded-For`, counting that many entries from the right. Only the right-most entries were written by proxies
 * we run (nginx's `$proxy_add_x_forwarded_for` appends the peer it saw); anything to their left came from the
 * client and can be forged, so it is never used (MDN, "X-Forwarded-For: Security and privacy concerns").
 */
import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../protocol.js';
import { HttpError } from './http-error.js';
import { RateLimiter } from './rate-limit.js';

export interface RequestGuardOptions {
  /** Bearer token required on the chat routes. Default none: the routes are open. */
  apiToken?: string;
  /** Sustained requests per minute per client on the chat routes. Default 0: no limit. */
  rateLimit?: number;
  /** Proxies in front of the server whose `X-Forwarded-For` entries are trusted. Default 0: use the socket peer. */
  trustProxy?: number;
  /** Clock for the rate limiter, in ms. Default `Date.now`. */
  now?: () => number;
}

/** RFC 6750 §3: the scheme and a realm, plus `error="invalid_token"` only when a token was sent and was wrong. */
const CHALLENGE = 'Bearer realm="ai-chat"';

/** A SHA-256 digest, so tokens of any length compare in constant time (`timingSafeEqual` needs equal lengths). */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is `1.2.3.4`. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/**
 * The rate-limit key for an address: IPv4 as is; IPv6 by its /64 prefix, because one subscriber is usually given a
 * whole /64 (RFC 6177) and could otherwise take a fresh bucket per address.
 */
export function rateLimitKey(address: string): string {
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (g.replace(/^0+/, '') || '0').toLowerCase())
    .join(':')}::/64`;
}

export class RequestGuard {
  readonly trustProxy: number;
  readonly #token: Buffer | undefined;
  readonly #limiter: RateLimiter | undefined;

  constructor(options: RequestGuardOptions = {}) {
    this.trustProxy = Math.max(0, Math.floor(options.trustProxy ?? 0));
    this.#token = options.apiToken === undefined ? undefined : digest(options.apiToken);
    const perMinute = options.rateLimit ?? 0;
    this.#limiter = perMinute > 0 ? new RateLimiter({ perMinute, now: options.now }) : undefined;
  }

  /** Clients the rate limiter tracks now (0 when it is off). */
  get trackedClients(): number {
    return this.#limiter?.size ?? 0;
  }

  /** The client's address as the server should believe it (see the file comment). */
  clientAddress(req: IncomingMessage): string {
    const peer = normalizeAddress(req.socket.remoteAddress ?? '');
    if (this.trustProxy === 0) return peer;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a !== '');
    // The chain as seen from here: the forwarded entries, then the peer. Walk back one entry per trusted proxy.
    const chain = [...forwarded, peer];
    // Capped like any client-supplied text that reaches a Map key and the log (an IPv6 address is at most 45).
    return normalizeAddress(chain[Math.max(0, chain.length - 1 - this.trustProxy)]).slice(0, 64);
  }

  /**
   * Admits one request to a chat route or throws: 429 when `address` has used its share (checked first, so
   * guessing tokens is rate limited too), 401 when a token is required and missing or wrong. Both are answered
   * before the body is read and close the connection, so a refused client cannot make the server read its upload.
   */
  admit(req: IncomingMessage, address: string): void {
    const decision = this.#limiter?.take(rateLimitKey(address));
    if (decision !== undefined && !decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new HttpError(429, ErrorCode.rateLimited, 'Too many requests. Please wait a moment and try again.', {
        'Retry-After': String(seconds),
        Connection: 'close',
      });
    }
    if (this.#token === undefined) return;
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (match === null) {
      throw new HttpError(401, ErrorCode.unauthorized, 'This chat needs an access token.', {
        'WWW-Authenticate': CHALLENGE,
        Connection: 'close',
      });
    }
    if (!timingSafeEqual(digest(match[1]), this.#token)) {
      throw new HttpError(401, ErrorCode.unauthorized, 'The access token is not valid.', {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"`,
        Connection: 'close',
      });
    }
  }
}

/**
 * The request's path, or 400 when its target does not parse. An origin-form target (`/x`) is resolved against a
 * fixed origin, so `//host/x` stays the path `//host/x` (a 404) instead of being read as another host's URL.
 */
export function requestPath(req: IncomingMessage): string {
  const target = req.url ?? '/';
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target).pathname;
  } catch {
    throw new HttpError(400, ErrorCode.badRequest, 'The request URL is not valid.');
  }
}
