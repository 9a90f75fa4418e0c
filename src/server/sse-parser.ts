/**
 * Incremental parser for a `text/event-stream` body (WHATWG HTML §9.2.6 "Interpreting an event stream"), for
 * reading a model server's stream. Bytes go in as the network delivers them; complete events come out.
 *
 * It follows the spec where streams differ in practice: lines end in CRLF, LF or a lone CR (and a CRLF may be split
 * across two chunks), a UTF-8 character may be split across chunks, a leading BOM is dropped, `:` lines are
 * comments, one space after the colon is removed, several `data:` lines are joined with `\n`, and an event is
 * dispatched only by a blank line (so an event cut off by the end of the stream is never dispatched).
 *
 * Unlike a browser it is bounded: a line or an event larger than `maxEventLength` throws {@link SseTooLargeError},
 * so a broken or hostile upstream that never sends a line end cannot grow memory without limit.
 */

/** One dispatched event. `event` is `message` when the stream named none. */
export interface ParsedSseEvent {
  event: string;
  data: string;
  /** The last `id:` seen so far (it persists across events, as in `EventSource`); `''` when none. */
  id: string;
}

export interface SseParserOptions {
  /**
   * Largest pending line or event, in UTF-16 code units. Default 1,000,000 (a model chunk is well under 1 KB).
   * Past it, `feed` throws {@link SseTooLargeError}; the parser is then unusable.
   */
  maxEventLength?: number;
}

export class SseTooLargeError extends Error {
  constructor(limit: number) {
    super(`An event stream line or event exceeded ${limit} characters.`);
    this.name = 'SseTooLargeError';
  }
}

const LF = 10;
const CR = 13;

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #max: number;
  /** The current line so far (no line end seen yet). */
  #line = '';
  /** The previous chunk ended in CR: a LF at the start of the next one belongs to that CRLF. */
  #afterCr = false;
  #data: string[] | undefined;
  #dataLength = 0;
  #event = '';
  #id = '';

  constructor(options: SseParserOptions = {}) {
    this.#max = options.maxEventLength ?? 1_000_000;
  }

  /** Parses the next chunk of bytes; returns the events it completed, in order. */
  feed(bytes: Uint8Array): ParsedSseEvent[] {
    // `stream: true` keeps a UTF-8 sequence split across chunks for the next call; the default `ignoreBOM: false`
    // drops a leading BOM, as the spec requires.
    return this.#text(this.#decoder.decode(bytes, { stream: true }));
  }

  /**
   * The stream ended. Per the spec a pending, undispatched event is discarded, so this returns nothing; it only
   * flushes the decoder (an incomplete UTF-8 sequence at the very end is dropped with the event it belonged to).
   */
  end(): void {
    this.#decoder.decode();
    this.#line = '';
    this.#data = undefined;
    this.#dataLength = 0;
  }

  #text(text: string): ParsedSseEvent[] {
    const out: ParsedSseEvent[] = [];
    let start = 0;
    if (this.#afterCr && text.length > 0) {
      if (text.charCodeAt(0) === LF) start = 1;
      this.#afterCr = false;
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      const line = this.#line + text.slice(start, i);
      this.#line = '';
      this.#field(line, out);
      if (c === CR) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === LF) i++;
        } else {
          this.#afterCr = true;
        }
      }
      start = i + 1;
    }
    this.#line += text.slice(start);
    if (this.#line.length + this.#dataLength > this.#max) throw new SseTooLargeError(this.#max);
    return out;
  }

  #field(line: string, out: ParsedSseEvent[]): void {
    if (line === '') {
      if (this.#data !== undefined)
        out.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
      this.#data = undefined;
      this.#dataLength = 0;
      this.#event = '';
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return; // a comment: keep-alives, "OPENROUTER PROCESSING", …
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    switch (name) {
      case 'data':
        (this.#data ??= []).push(value);
        this.#dataLength += value.length + 1;
        if (this.#dataLength > this.#max) throw new SseTooLargeError(this.#max);
        return;
      case 'event':
        this.#event = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        return;
      default:
        // `retry:` and unknown fields mean nothing to a reader that does not reconnect.
        return;
    }
  }
}
