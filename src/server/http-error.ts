/**
 * A failure with an HTTP status, answered as a JSON `ErrorBody` before any SSE byte. Its `message` is shown to the
 * reader, so it is always written for them: plain words, never an internal detail. Anything thrown that is not an
 * `HttpError` is a bug and is answered as a bare 500 (see `chat-server.ts`).
 */
import type { ErrorCode } from '../protocol.js';

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`, …). */
  readonly headers: Record<string, string>;
  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
