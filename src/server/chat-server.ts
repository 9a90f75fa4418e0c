/**
 * The companion server: serves the demo page, the built bundle and the docs, and streams answers over SSE.
 *
 * `node:http` only, so the server is readable end to end and has no framework between it and the wire. Every
 * request is validated before any SSE byte, so a failure is always a JSON `ErrorBody` with a status code, never a
 * half-open stream. A run (keyed by `message_id`, held in the {@link RunStore}) is separate from the response that
 * reads it: the response is one reader with a cursor, which is what makes resume possible later.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  ErrorCode,
  Limits,
  parseEventId,
  Route,
  type ChatRequest,
  type ChatTurn,
  type ErrorBody,
  type Health,
  type StopRequest,
} from '../protocol.js';
import type { ChatServerConfig } from './config.js';
import { createDocIndex, loadDocs, type DocIndex } from './doc-index.js';
import { demoResponder } from './demo-responder.js';
import { createOpenAIResponder } from './openai-responder.js';
import { parseHistory } from './parse-history.js';
import type { Responder } from './responder.js';
import { createRunStore } from './create-run-store.js';
import { MemoryRunStore } from './memory-run-store.js';
import { RunStoreUnavailableError, type Generate, type RunStore } from './run-store.js';
import { autoFlushWindow, connectRunToResponse } from './run-connection.js';
import { AccessLog, type LogSink, type RunMeta } from './access-log.js';
import { HttpError } from './http-error.js';
import { RequestGuard, requestPath } from './request-guard.js';
import { SSE_HEADERS, staticHeaders } from './security-headers.js';

export interface ChatServerOptions {
  config: ChatServerConfig;
  /** Project root: `demo/`, `dist/ai-chat.js`, `README.md` and `docs/` are read from here. */
  rootDir: string;
  /**
   * What answers questions. Default: the model `config.llm` names when set (over the docs under `rootDir`),
   * otherwise the demo responder over those docs.
   */
  responder?: Responder;
  /**
   * Where runs live. Default: in memory ({@link createChatServer}), or what `config` asks for
   * ({@link startChatServer}: Redis Streams with `REDIS_URL`). The server closes it on `close()`.
   */
  store?: RunStore;
  /** Where the JSON log lines go (one string per line, no newline). Default: stdout. Its level is `LOG_LEVEL`. */
  logSink?: LogSink;
}

export interface RunningChatServer {
  /** `http://HOST:PORT/` with the port actually bound (useful with `PORT=0`). */
  url: string;
  server: Server;
  /** Stops every run, drops open streams and stops listening. */
  close(): Promise<void>;
}

/** Ids are echoed in every `id:` field, so they are restricted to characters that cannot break a frame. */
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** A file name with no directory part and no leading dot: the only shape static routes accept (no traversal). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Max length of `conversation_id`; it is not used by the demo but must not be unbounded. */
const MAX_CONVERSATION_ID = 256;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

interface ServerState {
  store: RunStore;
  log: AccessLog;
}
const states = new WeakMap<Server, ServerState>();

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: HttpError, cors: Record<string, string>): void {
  const body: ErrorBody = { error: e.message, code: e.code };
  sendJson(res, e.status, body, { ...cors, ...e.headers });
}

/**
 * Reads a JSON body, enforcing media type and size before parsing. Over the limit it answers 413 without reading
 * further: the rest is discarded unbuffered and the connection is closed after the reply, so one huge upload can
 * neither fill memory nor poison the next request on a kept-alive socket.
 */
async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, ErrorCode.unsupportedMediaType, 'Send the body as application/json.');
  }
  const tooLarge = () => {
    res.setHeader('Connection', 'close');
    return new HttpError(
      413,
      ErrorCode.payloadTooLarge,
      `The request body is larger than ${Limits.maxBodyBytes} bytes.`,
    );
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > Limits.maxBodyBytes) {
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const text = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > Limits.maxBodyBytes) {
        req.off('data', onData);
        req.resume(); // keep draining (without buffering) so the reply is not blocked behind a full socket
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, ErrorCode.invalidJson, 'The request body is not valid JSON.');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badRequest(message: string): HttpError {
  return new HttpError(400, ErrorCode.badRequest, message);
}

function parseChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw badRequest('The body must be a JSON object.');
  const { conversation_id, message, message_id } = body;
  if (typeof message !== 'string' || message.trim() === '') throw badRequest('`message` must be a non-empty string.');
  if (message.length > Limits.maxMessageLength) {
    throw badRequest(`\`message\` is longer than ${Limits.maxMessageLength} characters.`);
  }
  if (typeof conversation_id !== 'string' || conversation_id.length > MAX_CONVERSATION_ID) {
    throw badRequest(`\`conversation_id\` must be a string of at most ${MAX_CONVERSATION_ID} characters.`);
  }
  if (message_id !== undefined && (typeof message_id !== 'string' || !MESSAGE_ID.test(message_id))) {
    throw badRequest('`message_id` must be 1-128 letters, digits or `._:-` (a UUID is fine).');
  }
  const parsed = parseHistory(body.history);
  if ('error' in parsed) throw badRequest(parsed.error);
  return { conversation_id, message, message_id, history: parsed.history };
}

function parseStopRequest(body: unknown): StopRequest {
  if (!isObject(body) || typeof body.message_id !== 'string' || body.message_id === '') {
    throw badRequest('`message_id` must be a non-empty string.');
  }
  return { message_id: body.message_id };
}

/** CORS headers for this request's origin, or none when the origin is not allowed (same-origin needs none). */
function corsHeaders(config: ChatServerConfig, req: IncomingMessage): Record<string, string> {
  if (config.corsOrigins.length === 0) return {};
  const headers: Record<string, string> = { Vary: 'Origin' };
  const origin = req.headers.origin;
  if (config.corsOrigins.includes('*')) headers['Access-Control-Allow-Origin'] = '*';
  else if (origin !== undefined && config.corsOrigins.includes(origin)) headers['Access-Control-Allow-Origin'] = origin;
  // A cross-origin page can only read safelisted response headers; the element needs these two to wait and to explain.
  if (headers['Access-Control-Allow-Origin']) {
    headers['Access-Control-Expose-Headers'] = 'Retry-After, WWW-Authenticate';
  }
  return headers;
}

/** Methods allowed on a path, or undefined for an unknown path (→ 404). */
function allowedMethods(path: string): string[] | undefined {
  switch (path) {
    case Route.stream:
    case Route.stop:
      return ['POST'];
    case '/':
    case Route.health:
    case Route.bundle:
    case '/README.md':
      return ['GET', 'HEAD'];
  }
  const docs = /^\/docs\/([^/]+)$/.exec(path);
  if (docs && SAFE_NAME.test(docs[1]) && docs[1].endsWith('.md')) return ['GET', 'HEAD'];
  const demo = /^\/demo\/([^/]+)$/.exec(path);
  if (demo && SAFE_NAME.test(demo[1])) return ['GET', 'HEAD'];
  return undefined;
}

/** Serves one file; `allowDir` + `name` is only ever a name that `readdir` listed, so nothing outside is reachable. */
async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  dir: string,
  name: string,
  headers: Record<string, string>,
  missing: string,
): Promise<void> {
  let listed: string[];
  try {
    listed = await readdir(dir);
  } catch {
    listed = [];
  }
  if (!listed.includes(name)) throw new HttpError(404, ErrorCode.notFound, missing);
  let content: Buffer;
  try {
    content = await readFile(join(dir, name));
  } catch {
    throw new HttpError(404, ErrorCode.notFound, missing);
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': content.length,
    'Cache-Control': 'no-cache',
    ...staticHeaders(extname(name) === '.html' ? 'page' : extname(name) === '.js' ? 'script' : 'asset'),
  });
  res.end(req.method === 'HEAD' ? undefined : content);
}

export function createChatServer(options: ChatServerOptions): Server {
  const { config, rootDir } = options;
  let index: DocIndex | undefined;
  // The docs are indexed on first use, so a server started before the docs exist still starts.
  const docs = () => (index ??= createDocIndex(loadDocs(rootDir)));
  const responder: Responder =
    options.responder ??
    (config.llm
      ? createOpenAIResponder({
          ...config.llm,
          index: docs,
          // Status and kind only, never the upstream's body or the key; the run's own log line says it failed.
          onUpstreamError:
            config.logLevel === 'info' || config.logLevel === 'warn'
              ? (detail) => console.warn(`ai-chat: model request failed: ${detail}`)
              : undefined,
        })
      : (question, { signal }) =>
          demoResponder(question, { index: docs(), signal, tokenDelayMs: config.tokenDelayMs }));
  // Disconnect is not cancel: a run outlives its last reader by `RUN_GRACE_MS` so a dropped client can resume it;
  // `POST /chat/stop` (which the element sends on Stop and on removal) aborts at once.
  // The store is the one count of active runs (`MAX_STREAMS` is its `maxActive`): from a run's start until its
  // responder has really returned, not until a response closes.
  const store =
    options.store ??
    new MemoryRunStore({ graceMs: config.runGraceMs, maxActive: config.maxStreams, maxRuns: config.maxRuns });
  const log = new AccessLog({ level: config.logLevel, sink: options.logSink });
  const guard = new RequestGuard({
    apiToken: config.apiToken,
    rateLimit: config.rateLimit,
    trustProxy: config.trustProxy,
  });

  const generate =
    (question: string, history: ChatTurn[], meta: RunMeta): Generate =>
    async (run) => {
      // One log line per run, written once it has ended (see access-log.ts); the thrown message stays server side.
      const record = log.track(run, meta);
      try {
        for await (const e of responder(question, { signal: run.signal, history })) {
          // `append` refuses once the run has ended (stopped, failed, closed), which is also when its signal aborts;
          // testing its result instead of `run.signal.aborted` saves a brand check per event (~3% of the CPU under load).
          if (run.append(e.event, e.data) === undefined) break;
          record.event(e);
        }
      } catch (e) {
        record.fail(e);
        throw e;
      } finally {
        record.settle();
      }
    };

  const handleStream = async (req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) => {
    const body = parseChatRequest(await readJsonBody(req, res));
    const id = body.message_id ?? randomUUID();
    // Reusing a message_id attaches to the same run; it never starts a second generation. With `Last-Event-ID:
    // <run>.<seq>` of this run the reader starts after that event, otherwise it replays the run from its start.
    // A held run (here or, with Redis, on any instance) is always opened; only a new one can be refused for capacity.
    const meta: RunMeta = { conversationId: body.conversation_id, clientIp: guard.clientAddress(req) };
    const opened = await store.open(id, generate(body.message, body.history ?? [], meta));
    if (opened === undefined) {
      throw new HttpError(503, ErrorCode.busy, 'The server is busy. Please try again in a moment.', {
        'Retry-After': '1',
      });
    }
    const { run, started } = opened;
    const resumeFrom = parseEventId(String(req.headers['last-event-id'] ?? ''));
    res.writeHead(200, { ...cors, ...SSE_HEADERS });
    res.flushHeaders();
    // A run started by this request owes nothing to an id from an older run of the same message_id (it expired):
    // it replays from its start. Otherwise the cursor is taken as sent, and a cursor beyond the log so far waits
    // for it (with Redis a resume can land on an instance whose copy of the log is a moment behind the client).
    const afterSeq = !started && resumeFrom?.run === id ? resumeFrom.seq : 0;
    connectRunToResponse(run, res, afterSeq, {
      heartbeatMs: config.heartbeatMs,
      drainTimeoutMs: config.drainTimeoutMs,
      flushMs: config.flushMs === 'auto' ? autoFlushWindow() : config.flushMs,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = requestPath(req);
    const method = req.method ?? 'GET';
    const cors = corsHeaders(config, req);
    const allowed = allowedMethods(path);
    if (allowed === undefined) throw new HttpError(404, ErrorCode.notFound, 'Not found.');
    if (method === 'OPTIONS') {
      const preflight: Record<string, string> = { ...cors, Allow: [...allowed, 'OPTIONS'].join(', ') };
      if (cors['Access-Control-Allow-Origin'] !== undefined) {
        preflight['Access-Control-Allow-Methods'] = 'GET, POST, OPTIONS';
        preflight['Access-Control-Allow-Headers'] = 'content-type, authorization, last-event-id';
        preflight['Access-Control-Max-Age'] = '600';
      }
      res.writeHead(204, preflight);
      res.end();
      return;
    }
    if (!allowed.includes(method)) {
      throw new HttpError(405, ErrorCode.methodNotAllowed, `Use ${allowed.join(' or ')} on ${path}.`, {
        Allow: allowed.join(', '),
      });
    }
    // The chat routes cost a model call or a held run: rate limit, then the optional bearer token. Preflights
    // (above) carry no credentials by design (Fetch §4.8), and pages and /healthz stay open.
    if (path === Route.stream || path === Route.stop) guard.admit(req, guard.clientAddress(req));
    switch (path) {
      case Route.stream:
        return await handleStream(req, res, cors);
      case Route.stop: {
        const { message_id } = parseStopRequest(await readJsonBody(req, res));
        // Marked first: the run's log line, written as it ends, must say `stopped`, not `abandoned`.
        log.stopRequested(message_id);
        const stopped = await store.stop(message_id);
        if (!stopped) log.stopRequested(message_id, false);
        return sendJson(res, 200, { ok: true, stopped }, cors);
      }
      case Route.health: {
        // With Redis these are this instance's figures: each instance reports what it holds.
        const { active, held, readers } = store.stats();
        const health: Health = { ok: true, active_streams: active, runs_held: held, readers };
        return sendJson(res, 200, health, cors);
      }
      case '/':
        return await serveFile(req, res, join(rootDir, 'demo'), 'index.html', cors, 'demo/index.html is missing.');
      case Route.bundle:
        return await serveFile(
          req,
          res,
          join(rootDir, 'dist'),
          'ai-chat.js',
          cors,
          'dist/ai-chat.js is not built yet: run `npm run build`.',
        );
      case '/README.md':
        return await serveFile(req, res, rootDir, 'README.md', cors, 'README.md is missing.');
    }
    const [, folder, name] = /^\/(docs|demo)\/(.+)$/.exec(path)!;
    return await serveFile(req, res, join(rootDir, folder), name, cors, `No such file: ${path}.`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Known failures carry their status; anything else is a bug, logged here and answered without details.
      const error =
        e instanceof HttpError
          ? e
          : e instanceof RunStoreUnavailableError
            ? new HttpError(503, ErrorCode.busy, 'The server cannot reach its run store. Please try again.', {
                'Retry-After': '1',
              })
            : new HttpError(500, ErrorCode.internal, 'Something went wrong on the server.');
      // The client gets the plain words above; the log keeps what really happened (a bug's stack included).
      let path: string;
      try {
        path = requestPath(req);
      } catch {
        path = (req.url ?? '').slice(0, 200);
      }
      const entry = { method: req.method ?? '', path, client_ip: guard.clientAddress(req) };
      try {
        if (e instanceof HttpError) log.rejected({ ...entry, status: error.status, code: error.code });
        else log.failure({ ...entry, status: error.status }, e);
      } catch {
        // A failing log sink must not also lose the reply.
      }
      if (res.headersSent) res.destroy();
      // Errors carry the CORS headers too, so a cross-origin page can read the JSON.
      else sendError(res, error, corsHeaders(config, req));
    });
  });
  states.set(server, { store, log });
  return server;
}

export async function startChatServer(options: ChatServerOptions): Promise<RunningChatServer> {
  // With `REDIS_URL` this connects to Redis first, so a wrong URL or a missing `redis` package stops the start.
  const store = options.store ?? (await createRunStore(options.config));
  const server = createChatServer({ ...options, store });
  const { host, port } = options.config;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Node's default accept backlog (511) turns a reconnect storm into dropped handshakes retried after 1 s
      // (measured by `npm run bench:server`); the kernel caps this at net.core.somaxconn.
      server.listen({ port, host, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Runs ended by the shutdown are logged as `stopped`, not `abandoned`.
        states.get(server)?.log.closing();
        const closing = states.get(server)?.store.close() ?? Promise.resolve();
        server.close((err) => (err ? reject(err) : closing.then(resolve, reject)));
        // Open SSE responses and idle keep-alive sockets would otherwise hold `close` open.
        server.closeAllConnections();
      }),
  };
}
