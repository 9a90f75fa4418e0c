/**
 * Pure formatter for Server-Sent Events frames (WHATWG HTML §9.2 "Server-sent events").
 *
 * Kept free of I/O so frames can be tested byte for byte and reused by any writer (a live response, a replay).
 * Field order is `id`, `event`, `retry`, then `data`, so a frame's id is visible first when reading raw logs.
 */

export interface SseEvent {
  /** `event:` field. Omitted → the browser dispatches a `message` event. */
  event?: string;
  /** `id:` field; becomes the stream's last event id. */
  id?: string;
  /** Payload. Each line becomes its own `data:` line; the client joins them back with `\n`. */
  data: string;
  /** `retry:` field: the reconnection time in ms the client should use. */
  retry?: number;
}

/**
 * `event` and `id` are single-line fields: a CR or LF would end the field early and let the rest be parsed as a
 * new field (frame injection), so they are stripped. An id may also not contain NUL (the spec ignores such ids).
 */
function singleLine(value: string): string {
  return value.replace(/[\r\n\0]/g, '');
}

const LINE_BREAK = /[\r\n]/;

/** One complete frame, terminated by the blank line that dispatches it. */
export function formatEvent(e: SseEvent): string {
  let out = '';
  if (e.id !== undefined) out += `id: ${singleLine(e.id)}\n`;
  if (e.event !== undefined) out += `event: ${singleLine(e.event)}\n`;
  if (e.retry !== undefined) {
    if (!Number.isSafeInteger(e.retry) || e.retry < 0) throw new RangeError(`retry must be a non-negative integer`);
    out += `retry: ${e.retry}\n`;
  }
  // The spec accepts CRLF, CR and LF as line ends; each must start a new `data:` line or it would be lost/merged.
  // JSON payloads never hold a raw line break, so the common case skips the split and its array (one per event).
  if (!LINE_BREAK.test(e.data)) return `${out}data: ${e.data}\n\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

/** A comment frame: ignored by every SSE parser, used for heartbeats that keep proxies from idling out. */
export function formatComment(text: string): string {
  return (
    text
      .split(/\r\n|\r|\n/)
      .map((line) => `: ${line}\n`)
      .join('') + '\n'
  );
}
