// The in-memory run store: the shared RunStore contract, then what only it does (TTL, eviction, memory caps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRunStore } from '../../src/server/memory-run-store.js';
import { createRunStore } from '../../src/server/create-run-store.js';
import { manualTimers, runStoreSuite, until, waitForAbort } from './run-store-suite.js';

runStoreSuite('in memory', (options) => Promise.resolve(new MemoryRunStore(options)));

test('without REDIS_URL the server gets the in-memory store, and never imports redis', async () => {
  let imported = false;
  const store = await createRunStore(
    { redisUrl: undefined, runGraceMs: 1, maxStreams: 1, maxRuns: 1 },
    { importRedis: () => ((imported = true), import('redis')) },
  );
  assert.ok(store instanceof MemoryRunStore);
  assert.equal(imported, false);
  await store.close();
});

test('finished runs are freed after the TTL, and evicted oldest first at maxRuns', async () => {
  const clock = manualTimers();
  const store = new MemoryRunStore({ timers: clock.timers, maxRuns: 2 });
  const a = (await store.open('a', () => {}))!.run;
  await until(() => a.status === 'completed');
  await store.open('b', waitForAbort().generate);
  await store.open('c', waitForAbort().generate);
  assert.equal((await store.open('a', waitForAbort().generate))?.started, undefined, 'a evicted, and no room left');
  assert.equal(await store.open('d', () => {}), undefined, 'full of running runs: refused');
  await store.stop('b');
  clock.fireAll();
  assert.equal(store.stats().held, 1, 'b freed after its TTL');
  await store.close();
});

test('10,000 finished runs stay within maxRuns', async () => {
  const store = new MemoryRunStore({ maxRuns: 500 });
  for (let i = 0; i < 10_000; i++) {
    await store.open(`m${i}`, (r) => {
      r.append('token', { token: 'hello' });
    });
    if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
  await until(() => store.stats().active === 0);
  assert.ok(store.stats().held <= 500, `held ${store.stats().held}`);
  await store.close();
});
