import type { ChatStreamError } from '../client/sse-client.js';
import type { Failure } from '../client/retry-policy.js';

/**
 * The situations the widget has its own words for: each stream failure kind but `status` and `server`, which fold
 * into what a reader can act on.
 */
type Situation = Exclude<Failure['kind'], 'status' | 'server'> | 'busy' | 'auth' | 'rejected' | 'server' | 'generic';
type Pascal<S extends string> = S extends `${infer H}-${infer T}` ? `${Capitalize<H>}${Pascal<T>}` : Capitalize<S>;

/**
 * `error` + the situation in PascalCase (`premature-close` → `errorPrematureClose`). Indexing `AiChatStrings` with
 * it fails to compile when a situation has no string, so a new failure kind cannot ship without words.
 */
export type ErrorStringKey = `error${Pascal<Situation>}`;

/**
 * Which of the widget's own texts describes a failure the server did not put into words (an HTML error page, a bare
 * status, a JSON body or `error` event with only a `code`). Statuses fold into the few situations a reader can act
 * on: busy (429, 503), not signed in (401, 403), message refused (400, 413), a server fault (5xx), anything else. Of
 * the protocol's codes (docs/protocol.md) only the busy ones matter here (`busy`, `rate_limited`,
 * `upstream_rate_limited`): they are what an `error` event, which has no status, can carry without words; HTTP
 * bodies have their status. Read at render time, so a change of `lang` re-words an error already shown.
 * Derived rather than tabled: the bundle is over its gzip budget.
 */
export function errorStringKey({ kind, status = 0, code = '' }: ChatStreamError): ErrorStringKey {
  const situation: Situation =
    kind && kind !== 'status' && kind !== 'server'
      ? kind
      : status === 429 || status === 503 || /busy|rate_limited/.test(code)
        ? 'busy'
        : status === 401 || status === 403
          ? 'auth'
          : status === 400 || status === 413
            ? 'rejected'
            : status >= 500 || kind === 'server'
              ? 'server'
              : 'generic';
  return `error${situation.replace(/(?:^|-)(.)/g, (_, c: string) => c.toUpperCase())}` as ErrorStringKey;
}
