/** The largest delay `setTimeout` honours (2^31 − 1 ms); anything longer fires at once (HTML, timer initialisation). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `Retry-After` (RFC 9110 §10.2.3) as a delay in ms from `nowMs`, clamped to `[0, maxMs]`: delta-seconds (digits
 * only) or an HTTP-date. `undefined` when absent or unparseable. A date in the past is 0. Both the widget (before it
 * waits) and the server (before it tells a reader to wait) use this, so a hostile header cannot overflow a timer or
 * ask for 10^20 seconds.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number, maxMs: number): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  const cap = Math.max(0, Math.min(maxMs, MAX_TIMER_MS));
  if (/^\d+$/.test(text)) return Math.min(cap, Number(text) * 1000);
  // An HTTP-date always names its day and month; without a letter, `Date.parse` would read "-5" as a year.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(cap, Math.max(0, date - nowMs));
}
