import { nothing } from 'lit';
import { AsyncDirective, directive } from 'lit/async-directive.js';
import { PartType } from 'lit/directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';
import { StreamingMarkdown } from '../../markdown/streaming-markdown.js';
import type { StreamingMarkdownOptions } from '../../markdown/streaming-markdown.js';

export interface MarkdownDirectiveOptions {
  /** While true, renders are coalesced to one per animation frame; when false the text is final and renders now. */
  streaming: boolean;
  /** Given to the renderer when it is created (enhancement, markdown options). */
  renderer?: StreamingMarkdownOptions;
  /** Called right before and after the DOM changes (e.g. to keep the log scrolled to the bottom). */
  beforeRender?: () => void;
  afterRender?: () => void;
}

/**
 * Element directive: renders markdown into the element it is bound to (which must have no Lit-rendered children).
 * `<div ${markdown(text, { streaming })}></div>`.
 */
class MarkdownDirective extends AsyncDirective {
  #renderer: StreamingMarkdown | undefined;
  #text = '';
  #options: MarkdownDirectiveOptions = { streaming: false };
  #frame = 0;

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('markdown() must be bound to an element');
  }

  render(_text: string, _options: MarkdownDirectiveOptions): typeof nothing {
    return nothing;
  }

  override update(part: ElementPart, [text, options]: [string, MarkdownDirectiveOptions]): typeof nothing {
    if (this.#renderer?.container !== part.element) {
      this.#cancel();
      this.#renderer = new StreamingMarkdown(part.element, options.renderer);
    }
    this.#text = text;
    this.#options = options;
    if (!options.streaming) {
      this.#cancel();
      this.#flush(true);
    } else {
      this.#schedule();
    }
    return nothing;
  }

  protected override disconnected(): void {
    this.#cancel();
  }

  protected override reconnected(): void {
    if (this.#options.streaming) this.#schedule();
  }

  #schedule(): void {
    if (this.#frame || !this.isConnected) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#flush(false);
    });
  }

  #cancel(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #flush(final: boolean): void {
    const renderer = this.#renderer;
    if (!renderer) return;
    this.#options.beforeRender?.();
    if (final) renderer.finish(this.#text);
    else renderer.update(this.#text);
    this.#options.afterRender?.();
  }
}

export const markdown = directive(MarkdownDirective);
