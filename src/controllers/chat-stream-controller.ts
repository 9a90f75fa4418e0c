/**
 * Owns every side effect of a conversation: the request, its abort, the stop call, the message list and the
 * connection state. The element only renders what this holds, so the lifecycle rules live in one place.
 * It never renders: markdown and HTML stay in the component.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatStreamError, streamChat } from '../client/sse-client.js';
import type { Source, ThinkingData } from '../protocol.js';
import type { ChatMessage } from '../types/chat-message.js';
import { withHistory } from './with-history.js';

/** Connection state, reflected as the element's `state` attribute. */
export const ChatState = {
  idle: 'idle',
  connecting: 'connecting',
  streaming: 'streaming',
  retrying: 'retrying',
  error: 'error',
} as const;
export type ChatState = (typeof ChatState)[keyof typeof ChatState];

/** What the controller needs from its element, read fresh on every run so attribute changes apply at once. */
export interface ChatStreamConfig {
  endpoint: string;
  stopEndpoint: string | undefined;
  conversationId: string;
  headers: () => Promise<Record<string, string>>;
  maxRetries: number;
  retryDelay: number;
  heartbeatTimeout: number;
}

/** Notifications the element turns into DOM events. */
export interface ChatStreamCallbacks {
  onState?: (state: ChatState) => void;
  onToken?: (token: string, messageId: string) => void;
  onDone?: (message: ChatMessage) => void;
  /** The element words `error` (see `errorStringKey`): the controller keeps data, never UI text. */
  onError?: (error: ChatStreamError, fatal: boolean) => void;
  onRetry?: (attempt: number, delay: number) => void;
}

/** What the Retry button needs to resume a failed answer without re-sending the user's message. */
interface FailedRun {
  messageId: string;
  text: string;
  lastEventId: string | undefined;
}

/** The stop URL for an endpoint: a trailing `/stream` becomes `/stop`; other endpoints have no stop route. */
export function deriveStopEndpoint(endpoint: string): string | undefined {
  const [path, query] = endpoint.split(/(?=[?#])/, 2);
  if (!path?.endsWith('/stream')) return undefined;
  return `${path.slice(0, -'/stream'.length)}/stop${query ?? ''}`;
}

export class ChatStreamController implements ReactiveController {
  messages: ChatMessage[] = [];
  state: ChatState = ChatState.idle;
  /** The server's progress text while it works before the first token; `undefined` when not thinking. */
  thinking: string | undefined;
  /** The last fatal error; cleared by the next send. Worded by the element at render time, so `lang` applies. */
  error: ChatStreamError | undefined;
  /** True while a dropped stream waits to reconnect (the "Reconnecting…" status). */
  reconnecting = false;

  readonly #host: ReactiveControllerHost;
  readonly #config: () => ChatStreamConfig;
  readonly #callbacks: ChatStreamCallbacks;
  #abort: AbortController | undefined;
  /** Incremented per run; callbacks carry the id they started with and are dropped once it is stale. */
  #runId = 0;
  #activeMessageId: string | undefined;
  #failed: FailedRun | undefined;

  constructor(host: ReactiveControllerHost, config: () => ChatStreamConfig, callbacks: ChatStreamCallbacks = {}) {
    this.#host = host;
    this.#config = config;
    this.#callbacks = callbacks;
    host.addController(this);
  }

  /** Whether {@link retry} has a failed answer to resume. */
  get canRetry(): boolean {
    return this.#failed !== undefined && !this.busy;
  }

  get busy(): boolean {
    return (
      this.state === ChatState.connecting || this.state === ChatState.streaming || this.state === ChatState.retrying
    );
  }

  hostDisconnected(): void {
    // A detached widget must not keep a request, a timer, or the server's work running: the server keeps a run alive
    // through a grace window for resumes, so only an explicit stop ends its generation at once.
    // The partial answer stays in `messages`, marked stopped, for a re-attached widget.
    this.stop();
    this.#setState(ChatState.idle, false);
  }

  /** Replaces the history (e.g. from the `messages` property); any running answer is stopped first. */
  setMessages(messages: ChatMessage[]): void {
    if (this.busy) this.stop();
    this.messages = messages.map((m) => ({ ...m }));
    this.#host.requestUpdate();
  }

  clear(): void {
    this.stop();
    this.messages = [];
    this.error = undefined;
    this.#failed = undefined;
    this.#setState(ChatState.idle);
  }

  /** Appends the user message and streams the answer; resolves when the answer ends, however it ends. */
  async send(text: string): Promise<void> {
    if (this.busy) this.stop();
    const assistantId = crypto.randomUUID();
    this.messages = [
      ...this.messages,
      { id: crypto.randomUUID(), role: 'user', content: text, status: 'completed' },
      { id: assistantId, role: 'assistant', content: '', status: 'streaming' },
    ];
    await this.#run(text, assistantId, undefined);
  }

  /**
   * Resumes the last failed answer with the same `message_id` and the id of the last event applied, so a server that
   * still holds the run continues it and one that does not answers again in its place. The question is not re-sent
   * as a new message.
   */
  async retry(): Promise<void> {
    const failed = this.#failed;
    if (!failed || this.busy) return;
    if (this.#find(failed.messageId)) this.#patch(failed.messageId, { status: 'streaming' });
    else
      this.messages = [...this.messages, { id: failed.messageId, role: 'assistant', content: '', status: 'streaming' }];
    await this.#run(failed.text, failed.messageId, failed.lastEventId);
  }

  async #run(text: string, assistantId: string, lastEventId: string | undefined): Promise<void> {
    const runId = ++this.#runId;
    const abort = new AbortController();
    this.#abort = abort;
    const live = () => runId === this.#runId;
    this.#activeMessageId = assistantId;
    this.#failed = undefined;
    this.error = undefined;
    this.thinking = undefined;
    this.reconnecting = false;
    this.#setState(ChatState.connecting);

    const config = this.#config();
    let headers: Record<string, string>;
    try {
      headers = await config.headers();
    } catch (cause) {
      if (live()) this.#fail(assistantId, new ChatStreamError('headers', { cause }));
      return;
    }
    if (!live()) return;

    let appliedId = lastEventId;
    await streamChat({
      url: config.endpoint,
      // The earlier turns go along so a stateless server (any instance) can give a model the conversation so far.
      body: withHistory(
        { conversation_id: config.conversationId, message: text, message_id: assistantId },
        this.messages,
        assistantId,
      ),
      headers,
      signal: abort.signal,
      maxRetries: config.maxRetries,
      retryDelay: config.retryDelay,
      heartbeatTimeout: config.heartbeatTimeout,
      lastEventId,
      handlers: {
        onOpen: () => {
          if (!live()) return;
          this.reconnecting = false;
          this.#setState(ChatState.streaming);
        },
        onEventId: (id) => {
          if (live()) appliedId = id;
        },
        onThinking: (data: ThinkingData) => {
          if (!live()) return;
          // Nothing to show: the element falls back to its own (translated) `strings.thinking`.
          this.thinking = data.message || data.status || undefined;
          this.#host.requestUpdate();
        },
        onSources: (data) => {
          if (!live()) return;
          this.#patch(assistantId, { sources: data.sources.filter(isSource) });
        },
        onTokens: (tokens) => {
          if (!live()) return;
          this.thinking = undefined;
          const current = this.#find(assistantId);
          this.#patch(assistantId, { content: (current?.content ?? '') + tokens.join('') });
          for (const token of tokens) this.#callbacks.onToken?.(token, assistantId);
        },
        onRestart: () => {
          // The backend is answering again from the start: replace the partial answer rather than append to it.
          if (!live()) return;
          appliedId = undefined;
          this.#patch(assistantId, { content: '', sources: undefined });
        },
        onRetry: (attempt, delay, error) => {
          if (!live()) return;
          this.reconnecting = true;
          this.#setState(ChatState.retrying);
          this.#callbacks.onError?.(error, false);
          this.#callbacks.onRetry?.(attempt, delay);
        },
        onDone: (data) => {
          if (!live()) return;
          this.#finish(assistantId, data.status);
        },
        onError: (error: ChatStreamError) => {
          if (!live()) return;
          this.#failed = { messageId: assistantId, text, lastEventId: appliedId };
          this.#fail(assistantId, error);
        },
      },
    });
  }

  /** Aborts the running answer; its partial text stays, marked `stopped`. Asks the server to stop generating too. */
  stop(): void {
    const messageId = this.#activeMessageId;
    if (!this.#abort || !messageId) return;
    this.#runId++;
    this.#abort.abort();
    this.#abort = undefined;
    const stopUrl = this.#config().stopEndpoint;
    if (stopUrl) void this.#postStop(stopUrl, messageId);
    this.#finish(messageId, 'stopped');
  }

  async #postStop(url: string, messageId: string): Promise<void> {
    // Fire and forget: the client has already stopped; the server call only saves its work, so failures are ignored.
    try {
      const headers = await this.#config().headers();
      await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ message_id: messageId }),
        keepalive: true,
      });
    } catch {
      // Swallowed on purpose.
    }
  }

  #finish(messageId: string, status: 'completed' | 'stopped'): void {
    this.#abort = undefined;
    this.reconnecting = false;
    this.#activeMessageId = undefined;
    this.thinking = undefined;
    this.#patch(messageId, { status });
    this.#setState(ChatState.idle);
    const message = this.#find(messageId);
    if (message) this.#callbacks.onDone?.({ ...message });
  }

  #fail(messageId: string, error: ChatStreamError): void {
    this.#abort = undefined;
    this.reconnecting = false;
    this.#activeMessageId = undefined;
    this.thinking = undefined;
    this.error = error;
    const message = this.#find(messageId);
    // An empty answer bubble says nothing; drop it and let the error speak. A partial answer stays, marked failed.
    if (message && message.content === '') this.messages = this.messages.filter((m) => m.id !== messageId);
    else this.#patch(messageId, { status: 'error' });
    this.#setState(ChatState.error);
    this.#callbacks.onError?.(error, true);
  }

  #find(id: string): ChatMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  #patch(id: string, patch: Partial<ChatMessage>): void {
    // New array and object so Lit's `repeat` and property checks see the change.
    this.messages = this.messages.map((m) => (m.id === id ? { ...m, ...patch } : m));
    this.#host.requestUpdate();
  }

  #setState(state: ChatState, notify = true): void {
    const changed = state !== this.state;
    this.state = state;
    this.#host.requestUpdate();
    if (changed && notify) this.#callbacks.onState?.(state);
  }
}

function isSource(value: unknown): value is Source {
  return typeof value === 'object' && value !== null && typeof (value as Source).title === 'string';
}
