/**
 * Answers from a real model: any server with an OpenAI-compatible `POST {baseUrl}/chat/completions` that streams
 * (OpenAI, Ollama, vLLM, llama.cpp's server, LM Studio). The passages retrieved from the docs and the conversation
 * so far go in; each `choices[0].delta.content` comes out as a `token` event, after the same `thinking` and
 * `sources` events the demo responder sends.
 *
 * Every way the upstream can fail ends the answer with one `error` event with a code (see `ErrorCode` and
 * docs/protocol.md) and plain words: the upstream's body, its error message and the API key never reach a reader.
 * The run's signal aborts the upstream request (Stop, the grace window running out, shutdown): the HTTP request is
 * cancelled and its socket closed, so the model stops generating and nobody pays for tokens no one reads.
 *
 * Uses Node's global `fetch` (undici) and {@link SseParser}; no SDK, so the failure handling is all visible here.
 */
import { ErrorCode, EventName, type ChatTurn, type ErrorData } from '../protocol.js';
import type { DocIndex, Passage } from './doc-index.js';
import type { Responder, ResponderContext, ResponderEvent } from './responder.js';
import type { LlmConfig } from './llm-config.js';
import { SseParser, type ParsedSseEvent } from './sse-parser.js';

/** Injected timers, so the idle timeout can be driven by a test clock. */
export interface ResponderTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Token counts from the upstream's usage chunk (only sent with `streamUsage`). */
export interface UpstreamUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface OpenAIResponderOptions extends Pick<LlmConfig, 'baseUrl' | 'apiKey' | 'model'> {
  /** See {@link LlmConfig.timeoutMs}. Default 60000. */
  timeoutMs?: number;
  /** See {@link LlmConfig.streamUsage}. Default false. */
  streamUsage?: boolean;
  /** The docs index to retrieve passages from; called on first use, so it can be built lazily. */
  index: () => DocIndex;
  /** Called with the usage chunk's counts, when the upstream sends one. Default: nothing. */
  onUsage?: (usage: UpstreamUsage) => void;
  /**
   * Called once per failed answer with a one-line, key-free and body-free description for the operator's log
   * (e.g. `HTTP 401 from http://127.0.0.1:11434/v1/chat/completions`). Default: nothing.
   */
  onUpstreamError?: (detail: string) => void;
  /** Default: the global timers, unref'd so a pending timeout never keeps the process alive. */
  timers?: ResponderTimers;
}

/** One message of an OpenAI chat request. */
export interface ChatCompletionMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** How many passages are retrieved and listed as sources (as in the demo). */
const SOURCE_COUNT = 3;
/** A passage longer than this (UTF-16 code units) is cut before it goes to the model: input is paid and limited. */
const MAX_PASSAGE_CHARS = 6000;

/** What the model is told before the passages. Plain instructions; the passages are the site owner's own docs. */
export const SYSTEM_PROMPT =
  "You answer questions about this project using its documentation. Base the answer on the passages below; if they don't " +
  'contain the answer, say so briefly instead of guessing. Answer in Markdown, concisely, and name the passages you ' +
  'used by their titles.';

const nodeTimers: ResponderTimers = {
  setTimeout(fn, ms) {
    const t = globalThis.setTimeout(fn, ms) as unknown as { unref?: () => void };
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/** The messages sent upstream: instructions and passages, the earlier turns, then the question. */
export function buildMessages(
  question: string,
  history: readonly ChatTurn[],
  passages: readonly Passage[],
): ChatCompletionMessage[] {
  const context =
    passages.length === 0
      ? 'No passage of the documentation matched this question.'
      : passages
          .map((p, i) => {
            const text = p.text.length > MAX_PASSAGE_CHARS ? `${p.text.slice(0, MAX_PASSAGE_CHARS)}…` : p.text;
            return `[${i + 1}] ${p.title} (${p.url})\n${text}`;
          })
          .join('\n\n');
  const turns: ChatCompletionMessage[] = [];
  for (const { role, content } of [...history, { role: 'user' as const, content: question }]) {
    // Empty turns (an answer stopped before its first token) say nothing, and some servers reject them.
    if (content === '') continue;
    const previous = turns[turns.length - 1];
    // Roles must alternate user/assistant after the system message for some chat templates (Mistral's raise an
    // error otherwise, which vLLM and llama.cpp turn into a 400): a history that starts with an answer (its
    // question fell out of the window) loses it, and consecutive turns of one role (a question whose answer failed)
    // are joined.
    if (previous === undefined && role === 'assistant') continue;
    if (previous?.role === role) previous.content += `\n\n${content}`;
    else turns.push({ role, content });
  }
  return [{ role: 'system', content: `${SYSTEM_PROMPT}\n\nPassages:\n\n${context}` }, ...turns];
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in whole seconds from `now`: delta-seconds or an HTTP-date; `undefined` when
 * absent or unparseable. A date in the past is 0.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An HTTP-date always names its day and month; without a letter, `Date.parse` would read "-5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

const failures = {
  unauthorized: (): ErrorData => ({
    error: "The model service refused this server's credentials.",
    code: ErrorCode.upstreamUnauthorized,
  }),
  rateLimited: (retryAfter: number | undefined): ErrorData => ({
    error:
      retryAfter === undefined
        ? 'The model service is busy. Please try again in a moment.'
        : `The model service is busy. Please try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`,
    code: ErrorCode.upstreamRateLimited,
    ...(retryAfter === undefined ? {} : { retry_after: retryAfter }),
  }),
  unavailable: (): ErrorData => ({
    error: 'The model service is unavailable. Please try again later.',
    code: ErrorCode.upstreamUnavailable,
  }),
  timeout: (): ErrorData => ({ error: 'The model service did not answer in time.', code: ErrorCode.upstreamTimeout }),
  interrupted: (): ErrorData => ({
    error: "The model's answer was cut off. Please try again.",
    code: ErrorCode.upstreamInterrupted,
  }),
  failed: (): ErrorData => ({ error: 'The model service failed to answer.', code: ErrorCode.upstream }),
};

/** The error for a non-2xx upstream status. */
function failureForStatus(response: Response): ErrorData {
  const { status } = response;
  if (status === 401 || status === 403) return failures.unauthorized();
  if (status === 429) return failures.rateLimited(parseRetryAfter(response.headers.get('retry-after'), Date.now()));
  if (status >= 500) return failures.unavailable();
  // 400 (an unknown field or model), 404 (a wrong base URL), …: retrying will not help, and the reason is the
  // operator's to read in the log, not the reader's.
  return failures.failed();
}

/** What one upstream SSE event means. */
type Step =
  | { kind: 'token'; text: string }
  | { kind: 'finish' }
  | { kind: 'usage'; usage: UpstreamUsage }
  | { kind: 'done' }
  | { kind: 'fail'; detail: string }
  | { kind: 'none' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one chunk of the OpenAI streaming format into steps, in the order they apply. */
export function interpretChunk(e: ParsedSseEvent): Step[] {
  // Some servers (vLLM, LM Studio) name failures `event: error` instead of (or as well as) an `error` field.
  if (e.event === 'error') return [{ kind: 'fail', detail: 'an error event in the stream' }];
  if (e.data.trim() === '[DONE]') return [{ kind: 'done' }];
  let chunk: unknown;
  try {
    chunk = JSON.parse(e.data);
  } catch {
    return [{ kind: 'fail', detail: 'a malformed JSON chunk' }];
  }
  if (!isRecord(chunk)) return [{ kind: 'fail', detail: 'a chunk that is not a JSON object' }];
  if (chunk.error !== undefined && chunk.error !== null) {
    return [{ kind: 'fail', detail: 'an error object in the stream' }];
  }
  const steps: Step[] = [];
  if (Array.isArray(chunk.choices)) {
    // `n` is never set, so there is one choice; its index is 0 (find it anyway, in case a server pads the list).
    const choice: unknown = chunk.choices.find((c) => isRecord(c) && c.index === 0) ?? chunk.choices[0];
    if (isRecord(choice)) {
      const delta = choice.delta;
      // The first delta carries only `role` (and often `content: ""`); reasoning fields are never shown.
      if (isRecord(delta) && typeof delta.content === 'string' && delta.content !== '') {
        steps.push({ kind: 'token', text: delta.content });
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') steps.push({ kind: 'finish' });
    }
  }
  if (isRecord(chunk.usage)) steps.push({ kind: 'usage', usage: chunk.usage as UpstreamUsage });
  return steps.length > 0 ? steps : [{ kind: 'none' }];
}

/** A responder that answers from the model `options` names. */
export function createOpenAIResponder(options: OpenAIResponderOptions): Responder {
  return (question, context) => openAIAnswer(question, context, options);
}

async function* openAIAnswer(
  question: string,
  { signal, history }: ResponderContext,
  options: OpenAIResponderOptions,
): AsyncGenerator<ResponderEvent> {
  if (signal.aborted) return;
  yield { event: EventName.thinking, data: { status: 'retrieving', message: 'Searching the docs…' } };
  if (signal.aborted) return;
  const passages = options.index().search(question, SOURCE_COUNT);
  yield {
    event: EventName.sources,
    data: {
      count: passages.length,
      sources: passages.map(({ title, url, snippet }) => ({ title, url, snippet })),
    },
  };
  if (signal.aborted) return;
  yield { event: EventName.thinking, data: { status: 'generating', message: 'Writing the answer…' } };
  if (signal.aborted) return;

  const endpoint = `${options.baseUrl}/chat/completions`;
  const timers = options.timers ?? nodeTimers;
  const timeoutMs = options.timeoutMs ?? 60_000;
  // One controller for the upstream request: the run's abort, the idle timeout and an early exit all end it.
  const upstream = new AbortController();
  const onAbort = () => upstream.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  let timer: unknown;
  const armTimeout = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timedOut = true;
      upstream.abort();
    }, timeoutMs);
  };
  const fail = (error: ErrorData, detail: string): ResponderEvent => {
    options.onUpstreamError?.(`${detail} from ${endpoint} (${error.code})`);
    return { event: EventName.error, data: error };
  };

  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'text/event-stream',
  };
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  const body = {
    model: options.model,
    messages: buildMessages(question, history, passages),
    stream: true,
    ...(options.streamUsage ? { stream_options: { include_usage: true } } : {}),
  };

  try {
    armTimeout();
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: upstream.signal,
      });
    } catch {
      if (signal.aborted) return;
      // The thrown error names the host and errno at most; it is not passed on in any case.
      if (timedOut) yield fail(failures.timeout(), 'no response');
      else yield fail(failures.unavailable(), 'connection failed');
      return;
    }
    if (!response.ok) {
      // The body (which may quote the key, e.g. OpenAI's "Incorrect API key provided: sk-…") is never read.
      void response.body?.cancel().catch(() => {});
      if (signal.aborted) return;
      yield fail(failureForStatus(response), `HTTP ${response.status}`);
      return;
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'text/event-stream' || response.body === null) {
      void response.body?.cancel().catch(() => {});
      if (signal.aborted) return;
      yield fail(failures.failed(), `a ${type || 'typeless'} response instead of an event stream`);
      return;
    }

    const reader = response.body.getReader();
    const parser = new SseParser();
    let finished = false;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        if (signal.aborted) return;
        if (timedOut) yield fail(failures.timeout(), 'a stalled stream');
        else yield fail(failures.interrupted(), 'a stream broken off');
        return;
      }
      if (chunk.done) break;
      armTimeout();
      let events: ParsedSseEvent[];
      try {
        events = parser.feed(chunk.value);
      } catch {
        yield fail(failures.failed(), 'an oversized stream line');
        return;
      }
      for (const e of events) {
        for (const step of interpretChunk(e)) {
          if (signal.aborted) return;
          switch (step.kind) {
            case 'token':
              yield { event: EventName.token, data: { token: step.text } };
              break;
            case 'finish':
              finished = true;
              break;
            case 'usage':
              options.onUsage?.(step.usage);
              break;
            case 'done':
              yield { event: EventName.done, data: { status: 'completed' } };
              return;
            case 'fail':
              yield fail(failures.failed(), step.detail);
              return;
          }
        }
      }
    }
    parser.end();
    if (signal.aborted) return;
    // `[DONE]` is the end marker. A stream that closes cleanly after the choice's `finish_reason` has still given
    // the whole answer (only the usage chunk or the marker is missing), so that is accepted; anything less is a cut.
    if (finished) yield { event: EventName.done, data: { status: 'completed' } };
    else yield fail(failures.interrupted(), 'a stream that ended without [DONE]');
  } finally {
    if (timer !== undefined) timers.clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    // Whatever ended the answer early (an error, the consumer returning), the upstream request ends with it.
    upstream.abort();
  }
}
