/**
 * The one place that speaks SSE to a backend. Knows the wire contract (`protocol.ts`) and fetch-event-source, nothing
 * about Lit or rendering, so it can be tested and replaced on its own.
 */
import { fetchEventSource, EventStreamContentType } from '@microsoft/fetch-event-source';
import type { EventSourceMessage } from '@microsoft/fetch-event-source';
import { EventName, tokensOf } from '../protocol.js';
import type { ChatRequest, DoneData, ErrorBody, SourcesData, ThinkingData } from '../protocol.js';

/** A failure of one stream, already phrased for a person. `status` is the HTTP status when there was one. */
export class ChatStreamError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, options: { status?: number; code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ChatStreamError';
    this.status = options.status;
    this.code = options.code;
  }
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
}

export interface StreamChatOptions {
  url: string;
  body: ChatRequest;
  headers?: Record<string, string>;
  /** Aborting ends the stream silently: no handler is called afterwards. */
  signal?: AbortSignal;
  handlers: StreamHandlers;
}

/** Human words for HTTP failures, used when the body carries no `ErrorBody` of its own. */
function messageForStatus(status: number): string {
  if (status === 401 || status === 403) return 'Not authorised. Please sign in and try again.';
  if (status === 413) return 'That message is too long to send.';
  if (status === 429 || status === 503) return 'The server is busy. Please try again in a moment.';
  if (status >= 400 && status < 500) return `The request was refused (HTTP ${status}).`;
  return `The server had a problem (HTTP ${status}). Please try again.`;
}

/** Reads a JSON `ErrorBody` if the server sent one; any other body falls back to the status text. */
async function errorFromResponse(response: Response): Promise<ChatStreamError> {
  let body: Partial<ErrorBody> | undefined;
  try {
    if (response.headers.get('content-type')?.includes('application/json')) {
      body = (await response.json()) as Partial<ErrorBody>;
    }
  } catch {
    body = undefined;
  }
  const message = typeof body?.error === 'string' && body.error ? body.error : messageForStatus(response.status);
  return new ChatStreamError(message, { status: response.status, code: body?.code });
}

function parseJson(message: EventSourceMessage): unknown {
  try {
    return JSON.parse(message.data);
  } catch (cause) {
    throw new ChatStreamError('The server sent a malformed event.', { cause });
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

/**
 * POSTs `body` (plus a fresh `message_id` when absent) and streams the answer into `handlers`.
 * Resolves when the stream is over, whatever the outcome; failures are reported through `handlers.onError`.
 */
export async function streamChat({ url, body, headers, signal, handlers }: StreamChatOptions): Promise<void> {
  // Our own controller lets us end the request after `done`/`error` even if the server keeps the socket open.
  const ctrl = new AbortController();
  const onOuterAbort = () => ctrl.abort();
  if (signal?.aborted) return;
  signal?.addEventListener('abort', onOuterAbort, { once: true });

  let finished = false;
  const finish = () => {
    finished = true;
    ctrl.abort();
  };
  const fail = (error: ChatStreamError) => {
    if (finished || signal?.aborted) return;
    finish();
    handlers.onError?.(error);
  };

  const request: ChatRequest = { ...body, message_id: body.message_id ?? crypto.randomUUID() };

  try {
    await fetchEventSource(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(request),
      signal: ctrl.signal,
      // A hidden tab must keep its stream: the default closes and re-POSTs on visibility change, duplicating the answer.
      openWhenHidden: true,

      async onopen(response) {
        if (!response.ok) throw await errorFromResponse(response);
        const type = response.headers.get('content-type') ?? '';
        if (!type.startsWith(EventStreamContentType)) {
          throw new ChatStreamError('The server did not answer with a stream.', { status: response.status });
        }
        handlers.onOpen?.();
      },

      onmessage(message) {
        if (finished) return;
        // Comment lines (`: heartbeat`) surface as empty messages: they only keep the connection alive.
        if (message.data === '') return;
        switch (message.event) {
          case '':
          case 'message':
            handlers.onTokens?.(tokensOfMessage(message.data));
            return;
          case EventName.token: {
            const tokens = tokensOf(parseJson(message));
            if (tokens.length > 0) handlers.onTokens?.(tokens);
            return;
          }
          case EventName.thinking:
            handlers.onThinking?.(parseJson(message) as ThinkingData);
            return;
          case EventName.sources: {
            const data = parseJson(message) as Partial<SourcesData> | null;
            const sources = Array.isArray(data?.sources) ? data.sources : [];
            handlers.onSources?.({ count: data?.count ?? sources.length, sources });
            return;
          }
          case EventName.done: {
            const data = parseJson(message) as Partial<DoneData> | null;
            finish();
            handlers.onDone?.({ status: data?.status === 'stopped' ? 'stopped' : 'completed' });
            return;
          }
          case EventName.error: {
            const data = parseJson(message) as { error?: unknown; code?: unknown } | null;
            const text = typeof data?.error === 'string' && data.error ? data.error : 'The server reported an error.';
            fail(new ChatStreamError(text, { code: typeof data?.code === 'string' ? data.code : undefined }));
            return;
          }
          default:
            // Unknown event names are ignored so servers can add events without breaking old widgets.
            return;
        }
      },

      onclose() {
        if (!finished) fail(new ChatStreamError('The answer was cut off. Please try again.'));
      },

      onerror(err: unknown) {
        // Retry seam: a retry policy would return a delay (ms) here for transient errors. Until then, rethrowing
        // stops fetch-event-source from silently re-POSTing, which would start a second, duplicate answer.
        throw err;
      },
    });
  } catch (err) {
    if (err instanceof ChatStreamError) fail(err);
    else if (!ctrl.signal.aborted) {
      fail(new ChatStreamError('Could not reach the server. Check your connection and try again.', { cause: err }));
    }
  } finally {
    signal?.removeEventListener('abort', onOuterAbort);
    ctrl.abort();
  }
}
