/**
 * The one place that speaks SSE to a backend. Knows the wire contract (`protocol.ts`) and fetch-event-source, nothing
 * about Lit or rendering, so it can be tested and replaced on its own.
 */
import { fetchEventSource, EventStreamContentType } from '@microsoft/fetch-event-source';
import type { EventSourceMessage } from '@microsoft/fetch-event-source';
import { EventName, parseEventId, tokensOf } from '../protocol.js';
import { RetryPolicy, type Failure } from './retry-policy.js';
import { HeartbeatWatchdog } from './heartbeat-watchdog.js';
import type { ChatRequest, DoneData, ErrorBody, SourcesData, ThinkingData } from '../protocol.js';

/**
 * A failure of one stream, as data rather than prose: the element turns {@link kind} (with `status` and `code`) into
 * words of the reader's language at render time, so the client ships no UI sentences. Only text the server wrote for
 * people (`ErrorBody.error`, an `error` event's `error`) is carried as is, flagged by {@link fromServer}.
 */
export class ChatStreamError extends Error {
  /** The HTTP status when there was a response (200 for `not-event-stream`), else `undefined`. */
  readonly status: number | undefined;
  /** The server's machine code (`ErrorBody.code`, an `error` event's `code`) when it sent one, else `undefined`. */
  readonly code: string | undefined;
  /** What went wrong, read by the retry policy; `undefined` only for failures outside the stream (headers). */
  readonly failure: Failure | undefined;
  /**
   * `true`: `message` is the server's own human-readable text, shown as sent (the server may have localised it).
   * `false`: `message` is a short English tag for logs, never shown: the kind (`network`, `premature-close`,
   * `stalled (mid-stream)`, `not-event-stream (text/html)`, `malformed`, `server`) or `HTTP <status>`.
   */
  readonly fromServer: boolean;

  constructor(
    message: string,
    options: { status?: number; code?: string; cause?: unknown; failure?: Failure; fromServer?: boolean } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChatStreamError';
    this.status = options.status;
    this.code = options.code;
    this.failure = options.failure;
    this.fromServer = options.fromServer ?? false;
  }

  /** `failure.kind`: `network`, `premature-close`, `stalled`, `not-event-stream`, `malformed`, `server`, `status`. */
  get kind(): Failure['kind'] | undefined {
    return this.failure?.kind;
  }
}

/**
 * The failure a server described in an `ErrorBody` or an `error` event's data: its `error` text, when it has one that
 * is not blank, is shown as sent; a body with only a `code` (or nothing usable) leaves the words to the element.
 */
function serverError(data: unknown, failure: Failure, status?: number): ChatStreamError {
  const body = data as { error?: unknown; code?: unknown } | null | undefined;
  const text = typeof body?.error === 'string' && body.error.trim() ? body.error : undefined;
  return new ChatStreamError(text ?? (status ? `HTTP ${status}` : failure.kind), {
    status,
    code: typeof body?.code === 'string' ? body.code : undefined,
    failure,
    fromServer: text !== undefined,
  });
}

export interface StreamHandlers {
  /** The response was accepted as an event stream. */
  onOpen?: () => void;
  onThinking?: (data: ThinkingData) => void;
  onSources?: (data: SourcesData) => void;
  /** Tokens in order; a `{tokens:[...]}` batch arrives as one call. */
  onTokens?: (tokens: string[]) => void;
  onDone?: (data: DoneData) => void;
  /** Called at most once, and never after `onDone`. The stream is over when it is called. */
  onError?: (error: ChatStreamError) => void;
  /** A transient failure; the next attempt starts after `delay` ms and resumes from the last applied event. */
  onRetry?: (attempt: number, delay: number, error: ChatStreamError) => void;
  /**
   * The backend could not resume (no event ids, or the first event after reconnecting is not the continuation) and
   * is answering again from the start: drop the partial answer, the events that follow replace it.
   */
  onRestart?: () => void;
  /** The id of an event just applied: what a later resume should send as `Last-Event-ID`. */
  onEventId?: (id: string) => void;
}

export interface StreamChatOptions {
  url: string;
  body: ChatRequest;
  headers?: Record<string, string>;
  /** Aborting ends the stream silently: no handler is called afterwards. */
  signal?: AbortSignal;
  handlers: StreamHandlers;
  /** Retries after the first attempt. Default 3; 0 turns retrying off. */
  maxRetries?: number;
  /** Base of the exponential backoff (full jitter), in ms. Default 1000. */
  retryDelay?: number;
  /** Silence in ms after which a flowing stream counts as stalled and is retried. Default 45000; 0 is off. */
  heartbeatTimeout?: number;
  /** Wait in ms for the first byte of a response. Default: `heartbeatTimeout`. */
  firstByteTimeout?: number;
  /** Resume an earlier stream of the same `message_id` after this event id (the Retry button). */
  lastEventId?: string;
}

/** Reads a JSON `ErrorBody` if the server sent one; any other body (an HTML error page) is ignored. */
async function errorFromResponse(response: Response): Promise<ChatStreamError> {
  let body: Partial<ErrorBody> | undefined;
  try {
    if (response.headers.get('content-type')?.includes('application/json')) {
      body = (await response.json()) as Partial<ErrorBody>;
    }
  } catch {
    body = undefined;
  }
  const { status } = response;
  return serverError(body, { kind: 'status', status, retryAfter: response.headers.get('retry-after') }, status);
}

function parseJson(message: EventSourceMessage): unknown {
  try {
    return JSON.parse(message.data);
  } catch (cause) {
    throw new ChatStreamError('malformed', { cause, failure: { kind: 'malformed' } });
  }
}

/**
 * Tokens of an unnamed (`message`) event. Article backends send either JSON `{token}` or raw text (`data: {token}`),
 * so JSON with tokens is unwrapped and anything else is taken literally.
 */
function tokensOfMessage(data: string): string[] {
  try {
    const tokens = tokensOf(JSON.parse(data));
    if (tokens.length > 0) return tokens;
  } catch {
    // Not JSON: a raw token.
  }
  return [data];
}

/** Waits `ms`, or less if `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Statuses whose responses may not carry a body (Fetch standard, "null body status"). */
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * POSTs `body` (plus a fresh `message_id` when absent) and streams the answer into `handlers`, retrying transient
 * failures. Resolves when the stream is over, whatever the outcome; failures are reported through `handlers.onError`.
 *
 * Exactly once: the `Last-Event-ID` of a retry is the id of the last event this function *applied*, set by our own
 * `fetch` wrapper. fetch-event-source records an id when it parses the `id:` line, before the event is dispatched,
 * so a cut between that line and the blank line would make its own header skip an event (its retries also re-POST
 * the question, fetch-event-source issues #36, #51, #79; we never let it retry).
 */
export async function streamChat(options: StreamChatOptions): Promise<void> {
  const { body, signal, handlers } = options;
  if (signal?.aborted) return;
  const policy = new RetryPolicy({ maxRetries: options.maxRetries, baseDelay: options.retryDelay });
  const request: ChatRequest = { ...body, message_id: body.message_id ?? crypto.randomUUID() };
  const resume: ResumeState = {
    lastEventId: options.lastEventId,
    lastSeq: 0,
    applied: options.lastEventId !== undefined,
    progress: 0,
    best: 0,
  };
  const parsed = options.lastEventId ? parseEventId(options.lastEventId) : undefined;
  if (parsed) resume.lastSeq = parsed.seq;
  let reconnecting = options.lastEventId !== undefined;

  for (;;) {
    const outcome = await attempt(options, request, resume, reconnecting, () => policy.reset());
    if (outcome === undefined || signal?.aborted) return;
    const decision = outcome.failure ? policy.next(outcome.failure) : { retry: false as const };
    if (!decision.retry) {
      handlers.onError?.(outcome);
      return;
    }
    handlers.onRetry?.(decision.attempt, decision.delay, outcome);
    await sleep(decision.delay, signal);
    if (signal?.aborted) return;
    reconnecting = true;
  }
}

interface ResumeState {
  /** Id of the last event applied, sent as `Last-Event-ID`. */
  lastEventId: string | undefined;
  /** Its sequence number when the id is in the protocol's `<run>.<seq>` form, else 0. */
  lastSeq: number;
  /** Whether any answer content (thinking, sources, tokens) has been applied. */
  applied: boolean;
  /** Events applied since the answer (re)started, and the most ever reached. */
  progress: number;
  best: number;
}

/** One HTTP request. Resolves `undefined` when the stream ended (done) or was aborted, else the failure. */
async function attempt(
  options: StreamChatOptions,
  request: ChatRequest,
  resume: ResumeState,
  reconnecting: boolean,
  onDelivered: () => void,
): Promise<ChatStreamError | undefined> {
  const { url, headers, signal, handlers } = options;
  // Our own controller per attempt: it ends the request after `done`/`error`, on a stall, or on the outer abort.
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort();
  signal?.addEventListener('abort', onOuterAbort, { once: true });

  let outcome: ChatStreamError | undefined;
  let finished = false;
  let firstEvent = true;
  const finish = (error?: ChatStreamError) => {
    if (finished) return;
    finished = true;
    outcome = error;
    ctrl.abort();
  };
  const heartbeatTimeout = options.heartbeatTimeout ?? 45_000;
  const watchdog = new HeartbeatWatchdog({
    timeout: heartbeatTimeout,
    firstByteTimeout: options.firstByteTimeout ?? heartbeatTimeout,
    onStall: (phase) => finish(new ChatStreamError(`stalled (${phase})`, { failure: { kind: 'stalled' } })),
  });

  // Any byte, comment heartbeats included, proves the connection alive: watch the body, not the parsed events.
  const watchingFetch: typeof fetch = async (input, init) => {
    const h = new Headers(init?.headers);
    if (resume.lastEventId !== undefined) h.set('Last-Event-ID', resume.lastEventId);
    else h.delete('Last-Event-ID');
    const response = await fetch(input, { ...init, headers: h });
    watchdog.touch();
    if (!response.body || NULL_BODY_STATUS.has(response.status)) return response;
    const watched = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          watchdog.touch();
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(watched, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };

  /** Before the first event of a reconnected stream: is it the continuation, or must the partial answer go? */
  const checkContinuation = (id: string) => {
    if (!reconnecting || !firstEvent) return;
    firstEvent = false;
    const p = id ? parseEventId(id) : undefined;
    const continues = p !== undefined && p.run === request.message_id && p.seq > resume.lastSeq && resume.lastSeq > 0;
    if (!continues && resume.applied) {
      resume.applied = false;
      resume.lastSeq = 0;
      resume.progress = 0;
      handlers.onRestart?.();
    }
  };
  const applied = (id: string) => {
    if (firstEvent && !reconnecting) firstEvent = false;
    // "Delivered" means new ground: a backend that restarts and is cut at the same place every time must still run
    // out of retries, so only a new high-water mark resets the policy's count.
    resume.progress += 1;
    if (resume.progress > resume.best) {
      resume.best = resume.progress;
      onDelivered();
    }
    if (!id) return;
    resume.lastEventId = id;
    resume.lastSeq = parseEventId(id)?.seq ?? 0;
    options.handlers.onEventId?.(id);
  };

  try {
    watchdog.start();
    await fetchEventSource(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(request),
      signal: ctrl.signal,
      fetch: watchingFetch,
      // A hidden tab must keep its stream: the default closes and re-POSTs on visibility change, duplicating the answer.
      openWhenHidden: true,

      async onopen(response) {
        if (!response.ok) throw await errorFromResponse(response);
        const type = response.headers.get('content-type') ?? '';
        if (!type.startsWith(EventStreamContentType)) {
          throw new ChatStreamError(`not-event-stream (${type})`, {
            status: response.status,
            failure: { kind: 'not-event-stream' },
          });
        }
        handlers.onOpen?.();
      },

      onmessage(message) {
        if (finished) return;
        // Comment lines (`: heartbeat`) surface as empty messages: they only keep the connection alive.
        if (message.data === '' && message.event !== EventName.done) return;
        checkContinuation(message.id);
        switch (message.event) {
          case '':
          case 'message':
            resume.applied = true;
            handlers.onTokens?.(tokensOfMessage(message.data));
            break;
          case EventName.token: {
            const tokens = tokensOf(parseJson(message));
            resume.applied = true;
            if (tokens.length > 0) handlers.onTokens?.(tokens);
            break;
          }
          case EventName.thinking:
            resume.applied = true;
            handlers.onThinking?.(parseJson(message) as ThinkingData);
            break;
          case EventName.sources: {
            const data = parseJson(message) as Partial<SourcesData> | null;
            const sources = Array.isArray(data?.sources) ? data.sources : [];
            resume.applied = true;
            handlers.onSources?.({ count: data?.count ?? sources.length, sources });
            break;
          }
          case EventName.done: {
            const data = message.data ? (parseJson(message) as Partial<DoneData> | null) : null;
            finish();
            handlers.onDone?.({ status: data?.status === 'stopped' ? 'stopped' : 'completed' });
            return;
          }
          case EventName.error: {
            finish(serverError(parseJson(message), { kind: 'server' }));
            return;
          }
          default:
            // Unknown event names are ignored so servers can add events without breaking old widgets.
            return;
        }
        applied(message.id);
      },

      onclose() {
        finish(new ChatStreamError('premature-close', { failure: { kind: 'premature-close' } }));
      },

      onerror(err: unknown) {
        // Never let fetch-event-source retry: it would re-POST with the id it parsed, not the one we applied.
        throw err;
      },
    });
  } catch (err) {
    if (err instanceof ChatStreamError) finish(err);
    else if (!finished && !signal?.aborted) {
      finish(
        new ChatStreamError('network', {
          cause: err,
          failure: { kind: 'network' },
        }),
      );
    }
  } finally {
    watchdog.stop();
    signal?.removeEventListener('abort', onOuterAbort);
    ctrl.abort();
  }
  return signal?.aborted ? undefined : outcome;
}
