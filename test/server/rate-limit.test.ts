// The per-client token bucket, stepped with a fake clock: exact decisions, exact Retry-After, bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/server/rate-limit.js';
import { rateLimitKey } from '../../src/server/request-guard.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('a full bucket allows a burst of `perMinute`, then refuses with the exact wait for one token', () => {
  const c = clock();
  const limiter = new RateLimiter({ perMinute: 6, now: c.now });
  for (let i = 0; i < 6; i++) assert.deepEqual(limiter.take('a'), { allowed: true }, `request ${i + 1}`);
  // 6 per minute: one token every 10 s.
  assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterMs: 10_000 });
  c.t += 4_000;
  assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterMs: 6_000 });
  c.t += 6_000;
  assert.deepEqual(limiter.take('a'), { allowed: true });
  assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterMs: 10_000 });
});

test('refused requests take nothing, and the bucket never refills past the burst', () => {
  const c = clock();
  const limiter = new RateLimiter({ perMinute: 60, burst: 2, now: c.now });
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('a').allowed, true);
  for (let i = 0; i < 5; i++) assert.equal(limiter.take('a').allowed, false);
  c.t += 1_000; // one token back, however many refusals came before
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('a').allowed, false);
  c.t += 3_600_000; // an hour idle is still only `burst` tokens
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('a').allowed, false);
});

test('clients have separate buckets', () => {
  const c = clock();
  const limiter = new RateLimiter({ perMinute: 1, now: c.now });
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('a').allowed, false);
  assert.equal(limiter.take('b').allowed, true);
  assert.equal(limiter.take('b').allowed, false);
});

test('a clock that steps back neither refills nor drains a bucket', () => {
  const c = clock();
  const limiter = new RateLimiter({ perMinute: 60, burst: 1, now: c.now });
  assert.equal(limiter.take('a').allowed, true);
  c.t -= 60_000;
  assert.deepEqual(limiter.take('a'), { allowed: false, retryAfterMs: 1_000 });
  c.t += 1_000;
  assert.equal(limiter.take('a').allowed, true);
});

test('memory: buckets that refilled completely are dropped; at most maxClients are held, LRU first', () => {
  const c = clock();
  const limiter = new RateLimiter({ perMinute: 60, burst: 2, maxClients: 3, now: c.now });
  for (const key of ['a', 'b', 'c']) limiter.take(key);
  assert.equal(limiter.size, 3);
  limiter.take('a'); // a is now the most recently used, and empty
  limiter.take('d'); // over the cap: b (least recently used) goes
  assert.equal(limiter.size, 3);
  // a stayed tracked (and empty): it is still refused, so eviction did not hand it a fresh bucket.
  assert.equal(limiter.take('a').allowed, false);
  // b was dropped and starts full (the documented trade of the cap).
  assert.equal(limiter.take('b').allowed, true);
  assert.equal(limiter.take('b').allowed, true);

  // After two seconds every bucket is full again: the next call sweeps them all but its own.
  c.t += 2_000;
  limiter.take('e');
  assert.equal(limiter.size, 1);

  // 100,000 distinct clients never hold more than the cap.
  const big = new RateLimiter({ perMinute: 60, maxClients: 1000, now: c.now });
  for (let i = 0; i < 100_000; i++) big.take(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(big.size, 1000);
});

test('a limit must be positive', () => {
  assert.throws(() => new RateLimiter({ perMinute: 0 }), RangeError);
  assert.throws(() => new RateLimiter({ perMinute: Number.NaN }), RangeError);
});

test('keys: IPv4 as is, IPv6 by its /64 (what one subscriber is given)', () => {
  assert.equal(rateLimitKey('203.0.113.7'), '203.0.113.7');
  assert.equal(rateLimitKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(rateLimitKey('2001:0db8:0001:0002:ffff:0:0:9'), '2001:db8:1:2::/64');
  assert.equal(rateLimitKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(rateLimitKey('::1'), '0:0:0:0::/64');
  assert.equal(rateLimitKey('2001:DB8:1:2::5'), rateLimitKey('2001:db8:1:2::6'));
  assert.notEqual(rateLimitKey('2001:db8:1:2::5'), rateLimitKey('2001:db8:1:3::5'));
});
