import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryPolicy, isRetryable, parseRetryAfter } from '../../src/client/retry-policy.js';

test('network errors, cut streams, stalls, 408, 429 and 5xx are retried; other 4xx and non-SSE are fatal', () => {
  for (const f of [{ kind: 'network' }, { kind: 'premature-close' }, { kind: 'stalled' }] as const) {
    assert.equal(isRetryable(f), true, f.kind);
  }
  for (const status of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryable({ kind: 'status', status }), true);
  for (const status of [400, 401, 403, 404, 405, 413, 415, 422]) {
    assert.equal(isRetryable({ kind: 'status', status }), false, String(status));
  }
  assert.equal(isRetryable({ kind: 'not-event-stream' }), false);
  // A malformed event and the server's own `error` event would only come again.
  assert.equal(isRetryable({ kind: 'malformed' }), false);
  assert.equal(isRetryable({ kind: 'server' }), false);
});

test('backoff is exponential with full jitter, capped, and stops after maxRetries', () => {
  const policy = new RetryPolicy({ maxRetries: 4, baseDelay: 1000, maxDelay: 3000, random: () => 0.5 });
  const delays = [1, 2, 3, 4].map(() => policy.next({ kind: 'network' }));
  assert.deepEqual(
    delays.map((d) => d.retry && d.delay),
    [500, 1000, 1500, 1500],
  );
  assert.deepEqual(
    delays.map((d) => d.attempt),
    [1, 2, 3, 4],
  );
  assert.deepEqual(policy.next({ kind: 'network' }), { retry: false, attempt: 4 });
});

test('jitter spans the whole window: random 0 gives 0, random just under 1 gives just under the cap', () => {
  assert.equal((new RetryPolicy({ random: () => 0 }).next({ kind: 'network' }) as { delay: number }).delay, 0);
  assert.equal((new RetryPolicy({ random: () => 0.9999 }).next({ kind: 'network' }) as { delay: number }).delay, 999);
});

test('a fatal failure is not counted and never retried', () => {
  const policy = new RetryPolicy({ maxRetries: 3 });
  assert.deepEqual(policy.next({ kind: 'status', status: 401 }), { retry: false, attempt: 0 });
  assert.equal(policy.attempt, 0);
});

test('reset() after a delivering stream restarts the count', () => {
  const policy = new RetryPolicy({ maxRetries: 1, random: () => 0 });
  assert.equal(policy.next({ kind: 'network' }).retry, true);
  assert.equal(policy.next({ kind: 'network' }).retry, false);
  policy.reset();
  assert.equal(policy.next({ kind: 'network' }).retry, true);
});

test('Retry-After in seconds or as an HTTP date sets a floor on the delay', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  const policy = new RetryPolicy({ random: () => 0, now: () => now });
  assert.deepEqual(policy.next({ kind: 'status', status: 503, retryAfter: '1' }), {
    retry: true,
    attempt: 1,
    delay: 1000,
  });
  const dated = policy.next({ kind: 'status', status: 429, retryAfter: 'Tue, 24 Nov 2026 12:00:07 GMT' });
  assert.equal(dated.retry && dated.delay, 7000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now), 0, 'a date in the past means now');
});

test('nonsense options fall back to safe values instead of retrying forever', () => {
  const policy = new RetryPolicy({ maxRetries: Number.NaN, baseDelay: -5 });
  assert.equal(policy.maxRetries, 3);
  assert.equal(policy.baseDelay, 0);
  assert.equal(new RetryPolicy({ maxRetries: 0 }).next({ kind: 'network' }).retry, false);
});
