/**
 * The one wire contract between `<ai-chat>` and any backend (the companion server included).
 * Both sides import this file and nothing else crosses between them. It imports nothing, touches no DOM and no
 * Node API, so it is safe in the browser bundle and in the server. The prose spec is `docs/protocol.md`.
 */

/** SSE `event:` names. A frame without `event:` is a `message` and is treated as `token` (article backends). */
export const EventName = {
  thinking: 'thinking',
  sources: 'sources',
  token: 'token',
  done: 'done',
  error: 'error',
} as const;
export type EventName = (typeof EventName)[keyof typeof EventName];

/** `thinking`: the backend is working before the first token (retrieval, tool calls). */
export interface ThinkingData {
  status: string;
  message?: string;
}

/** One retrieved passage shown under the answer. `url` and `snippet` are optional. */
export interface Source {
  title: string;
  url?: string;
  snippet?: string;
}

/** `sources`: the passages the answer draws on. */
export interface SourcesData {
  count: number;
  sources: Source[];
}

/** `token`: one token, or a batch (the article's `{tokens:[...]}`), appended in order. */
export type TokenData = { token: string } | { tokens: string[] };

/** `done`: the answer is complete. */
export interface DoneData {
  status: 'completed' | 'stopped';
}

/** `error`: the backend failed; `code` is one of {@link ErrorCode} when the companion server sends it. */
export interface ErrorData {
  error: string;
  code?: string;
  /** Seconds after which asking again may succeed (sent with `upstream_rate_limited` when the model said so). */
  retry_after?: number;
}

export interface EventDataMap {
  thinking: ThinkingData;
  sources: SourcesData;
  token: TokenData;
  done: DoneData;
  error: ErrorData;
}

/** Machine-readable error codes, in `error` events and in JSON error bodies of non-SSE responses. */
export const ErrorCode = {
  badRequest: 'bad_request',
  invalidJson: 'invalid_json',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  methodNotAllowed: 'method_not_allowed',
  notFound: 'not_found',
  busy: 'busy',
  /** This client sent too many requests (the server's `RATE_LIMIT`); `Retry-After` says when to try again. */
  rateLimited: 'rate_limited',
  unauthorized: 'unauthorized',
  upstream: 'upstream_error',
  /** The model server refused the companion server's API key (its 401/403). */
  upstreamUnauthorized: 'upstream_unauthorized',
  /** The model server is rate limiting (its 429); `retry_after` carries its `Retry-After` when it sent one. */
  upstreamRateLimited: 'upstream_rate_limited',
  /** The model server failed (5xx) or could not be reached (refused, reset, DNS). */
  upstreamUnavailable: 'upstream_unavailable',
  /** The model server was silent for longer than `LLM_TIMEOUT_MS`. */
  upstreamTimeout: 'upstream_timeout',
  /** The model's stream broke off before it finished. */
  upstreamInterrupted: 'upstream_interrupted',
  internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** JSON body of every non-SSE error response (4xx/5xx before any SSE byte). */
export interface ErrorBody {
  error: string;
  code: ErrorCode;
}

/** One earlier turn of the conversation, as a model sees it: plain text, no HTML, no sources. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** Body of `POST /chat/stream`. `message_id` (a UUID) names the run; reusing it attaches to the same run. */
export interface ChatRequest {
  conversation_id: string;
  message: string;
  message_id?: string;
  /**
   * Earlier completed turns, oldest first, without `message` itself, so a stateless server (any instance) can give
   * a model the conversation so far. Optional; bounded by {@link Limits} (`maxHistoryTurns`, `maxHistoryChars`).
   */
  history?: ChatTurn[];
}

/** Body of `POST /chat/stop`. */
export interface StopRequest {
  message_id: string;
}

/** `GET /healthz` response. */
export interface Health {
  ok: boolean;
  /** Runs generating now, counted from start until generation really ends. */
  active_streams: number;
  /** Runs held for resume, generating or finished (bounded by the server's run cap). */
  runs_held?: number;
  /** Responses reading a run now. */
  readers?: number;
}

/** Routes of the companion server. */
export const Route = {
  stream: '/chat/stream',
  stop: '/chat/stop',
  health: '/healthz',
  bundle: '/ai-chat.js',
} as const;

/** Limits the companion server enforces (clients may check them first to give a better message). */
export const Limits = {
  /** Request bodies larger than this get 413. */
  maxBodyBytes: 64 * 1024,
  /** `message` longer than this (UTF-16 code units) gets 400. */
  maxMessageLength: 8000,
  /** `history` with more entries than this gets 400 (the element sends the newest ones that fit). */
  maxHistoryTurns: 20,
  /** `history` whose `content`s add up to more UTF-16 code units than this gets 400. */
  maxHistoryChars: 32_000,
} as const;

/** The comment frame sent as a heartbeat. Comments never dispatch an event (WHATWG HTML §9.2.6). */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';

/**
 * Event ids are `<run>.<seq>`: `run` is the request's `message_id`, `seq` counts events of that run from 1.
 * A client resumes by sending the id of the last event it applied as `Last-Event-ID`.
 */
export function formatEventId(run: string, seq: number): string {
  return `${run}.${seq}`;
}

/** Parses `<run>.<seq>`; returns `undefined` for anything else (a foreign backend's ids). */
export function parseEventId(id: string): { run: string; seq: number } | undefined {
  const dot = id.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const seq = Number(id.slice(dot + 1));
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { run: id.slice(0, dot), seq };
}

/** Tokens carried by a `token` event's data, in order; `[]` for anything malformed. */
export function tokensOf(data: unknown): string[] {
  if (typeof data !== 'object' || data === null) return [];
  const d = data as Record<string, unknown>;
  if (typeof d.token === 'string') return [d.token];
  if (Array.isArray(d.tokens)) return d.tokens.filter((t): t is string => typeof t === 'string');
  return [];
}
