// The Redis run store against a real redis-server (started here on a free loopback port): the shared RunStore
// contract, then what only several instances sharing one Redis can show. "Instances" are stores in this process
// with their own connections and ids; test/e2e/multi-instance.test.ts does the same with two server processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { loadConfig } from '../../src/server/config.js';
import { createRunStore, type CreateRunStoreOptions } from '../../src/server/create-run-store.js';
import { RedisRunStore, type RedisClientLike } from '../../src/server/redis-run-store.js';
import { RunStoreUnavailableError, type GeneratingRun, type RunStore } from '../../src/server/run-store.js';
import { startRedisServer, type RedisServer } from '../fixtures/redis-server.js';
import { collector, runStoreSuite, until, waitForAbort } from './run-store-suite.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop();
});

let clusters = 0;
/** A fresh key prefix: the stores of one "cluster" share it, other tests never see its keys. */
const newPrefix = () => `t${process.pid}-${++clusters}`;
const logs: string[] = [];

function redisStore(keyPrefix: string, options: CreateRunStoreOptions = {}): Promise<RunStore> {
  return createRunStore(
    { redisUrl: redis.url, runGraceMs: 20_000, maxStreams: 1000, maxRuns: 1000 },
    { keyPrefix, heartbeatMs: 100, log: (line) => logs.push(line), ...options },
  );
}

runStoreSuite('Redis Streams', (options) => redisStore(newPrefix(), options));

/** A raw client for looking at what the store wrote. */
async function inspect<T>(fn: (c: { sendCommand(args: string[]): Promise<unknown> }) => Promise<T>): Promise<T> {
  const c = createClient({ url: redis.url, RESP: 2 });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** Tokens t0…t(n-1), each after `release` is called for it (so a test decides what is "live"). */
function gatedTokens(n: number) {
  const gates: (() => void)[] = [];
  const waits = Array.from({ length: n }, (_, i) => new Promise<void>((r) => (gates[i] = r)));
  let next = 0;
  const generate = async (r: GeneratingRun) => {
    for (let i = 0; i < n; i++) {
      await waits[i];
      if (r.signal.aborted) return;
      r.append('token', { token: `t${i}` });
    }
  };
  return {
    generate,
    release: (count: number) => {
      for (let k = 0; k < count && next < n; k++) gates[next++]!();
    },
  };
}

/** Two instances on one Redis (one key prefix per test), closed whatever the test does. */
async function twoInstances(body: (a: RunStore, b: RunStore, prefix: string) => Promise<void>): Promise<void> {
  const prefix = newPrefix();
  const [a, b] = await Promise.all([redisStore(prefix), redisStore(prefix)]);
  try {
    await body(a, b, prefix);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

describe('several instances on one Redis', () => {
  test('a resume on another instance replays from Redis, then follows live: every event once', async () => {
    await twoInstances(async (a, b) => {
      const gen = gatedTokens(10);
      const onA = (await a.open('r1', gen.generate))!;
      assert.equal(onA.started, true);
      gen.release(4);
      await until(() => onA.run.lastSeq === 4);
      const onB = (await b.open('r1', gen.generate))!;
      assert.equal(onB.started, false, 'B attaches to the run A generates');
      await until(() => onB.run.lastSeq === 4); // the XADDs may land a moment after A logged them
      const reader = collector();
      onB.run.attach(reader);
      const backlog = onB.run.eventsAfter(2);
      gen.release(6);
      await until(() => reader.ended === 1);
      const seen = [...backlog, ...reader.events.filter((e) => e.seq > 4)];
      assert.deepEqual(seen, onA.run.eventsAfter(2), 'B sees exactly what A logged after the cursor');
      assert.deepEqual(
        seen.map((e) => e.seq),
        [3, 4, 5, 6, 7, 8, 9, 10, 11],
      );
      assert.equal(onB.run.status, 'completed');
    });
  });

  /** A run generating on A and copied on B; `entry` lands in the Redis log; B's copy must end failed, with an error. */
  async function copyEndsOnForeignEntry(id: string, entry: (key: string) => string[]): Promise<void> {
    await twoInstances(async (a, b, prefix) => {
      const gen = gatedTokens(10);
      const onA = (await a.open(id, gen.generate))!;
      gen.release(2);
      await until(() => onA.run.lastSeq === 2);
      const onB = (await b.open(id, gen.generate))!;
      await until(() => onB.run.lastSeq === 2);
      await inspect((c) => c.sendCommand(entry(`${prefix}:log:${id}`)));
      await until(() => onB.run.status !== 'running');
      assert.equal(onB.run.status, 'failed', 'the copy on B ends instead of waiting for ever');
      assert.equal(onB.run.eventsAfter(2).at(-1)?.event, 'error', 'with an error event its readers see');
    });
  }

  test('a hole in the log (one XADD refused, later ones landed) ends the copy elsewhere with an error', async () => {
    // Entry 4 lands without entry 3, as when Redis refuses one XADD (OOM) and accepts the next.
    await copyEndsOnForeignEntry('r2', (key) => ['XADD', key, '4-0', 'e', 'token', 'd', '{"token":"x"}']);
  });

  test('an entry whose data is not an object ends the copy elsewhere with an error, not a crash', async () => {
    // Valid JSON, but no event's data: a reader's write would throw on it (and bring the process down).
    await copyEndsOnForeignEntry('r3', (key) => ['XADD', key, '3-0', 'e', 'token', 'd', 'null']);
  });

  test('the log is a Redis Stream with ids <seq>-0, capped by MAXLEN, expiring once the run ends', async () => {
    const prefix = newPrefix();
    const store = await redisStore(prefix, { maxEventsPerRun: 10, ttlMs: 30_000 });
    try {
      const { run } = (await store.open('x1', (r) => {
        for (let i = 0; i < 100; i++) r.append('token', { token: `${i}` });
      }))!;
      await until(() => run.status === 'failed');
      const key = `${prefix}:log:x1`;
      await until(async () => (await inspect((c) => c.sendCommand(['PTTL', `${prefix}:run:x1`]))) !== -1);
      const [entries, ttl] = await inspect((c) =>
        Promise.all([c.sendCommand(['XRANGE', key, '-', '+']), c.sendCommand(['PTTL', key])]),
      );
      const ids = (entries as [string, string[]][]).map((e) => e[0]);
      assert.deepEqual(
        ids,
        Array.from({ length: 10 }, (_, i) => `${i + 1}-0`),
      );
      assert.deepEqual((entries as [string, string[]][])[0]![1], ['e', 'token', 'd', '{"token":"0"}']);
      assert.deepEqual((entries as [string, string[]][])[9]![1].slice(0, 2), ['e', 'error']);
      assert.ok(Number(ttl) > 0 && Number(ttl) <= 30_000, `log expires after the run (PTTL ${String(ttl)})`);
    } finally {
      await store.close();
    }
  });

  test('a running log expires even if its instance dies before the first lease refresh', async () => {
    const prefix = newPrefix();
    // A refresh far in the future: only the TTL set with the first entry can be seen here.
    const store = await redisStore(prefix, { heartbeatMs: 600_000, ttlMs: 30_000 });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    try {
      await store.open('x2', async (r) => {
        r.append('token', { token: 'first' });
        await released;
      });
      const key = `${prefix}:log:x2`;
      await until(async () => Number(await inspect((c) => c.sendCommand(['XLEN', key]))) === 1);
      const ttl = Number(await inspect((c) => c.sendCommand(['PTTL', key])));
      assert.ok(ttl > 0 && ttl <= 30_000, `the log has a TTL while the run still runs (PTTL ${ttl})`);
    } finally {
      release();
      await store.close();
    }
  });

  test('Stop sent to another instance aborts the generation where it runs', async () => {
    await twoInstances(async (a, b) => {
      const g = waitForAbort();
      const onA = (await a.open('s1', g.generate))!;
      onA.run.attach(collector());
      const onB = (await b.open('s1', g.generate))!;
      const readerOnB = collector();
      onB.run.attach(readerOnB);
      assert.equal(await b.stop('s1'), true);
      await until(() => g.aborted());
      assert.equal(onA.run.status, 'stopped');
      await until(() => a.stats().active === 0);
      await until(() => readerOnB.ended === 1);
      assert.deepEqual(readerOnB.events.at(-1)?.data, { status: 'stopped' }, 'B’s reader is told it stopped');
      assert.equal(await b.stop('s1'), false, 'already ended');
      assert.equal(await b.stop('nobody'), false, 'unknown everywhere');
    });
  });

  test('grace window: a reader on another instance keeps the run going; when it leaves, the run stops', async () => {
    const prefix = newPrefix();
    const [a, b] = await Promise.all([redisStore(prefix, { graceMs: 150 }), redisStore(prefix)]);
    try {
      const g = waitForAbort();
      const onA = (await a.open('g1', g.generate))!;
      const onB = (await b.open('g1', g.generate))!;
      const detachB = onB.run.attach(collector());
      onA.run.attach(collector())(); // A's own client left: A's grace window starts
      await new Promise((r) => setTimeout(r, 800)); // several grace windows and reader heartbeats
      assert.equal(onA.run.status, 'running', 'B’s reader counts: still generating');
      assert.equal(g.aborted(), false);
      detachB();
      await until(() => g.aborted());
      assert.equal(onA.run.status, 'stopped');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('one instance holds three Redis connections, however many runs and readers it serves', async () => {
    await twoInstances(async (a, b, prefix) => {
      const gens = Array.from({ length: 20 }, () => gatedTokens(3));
      const runs = await Promise.all(gens.map((gen, i) => a.open(`c${i}`, gen.generate)));
      const mirrors = await Promise.all(gens.map((gen, i) => b.open(`c${i}`, gen.generate)));
      for (const m of mirrors) for (let k = 0; k < 3; k++) m!.run.attach(collector());
      const perRun = mirrors.map((m) => {
        const r = collector();
        m!.run.attach(r);
        return r;
      });
      assert.equal(b.stats().readers, 80);
      const idB = (b as RedisRunStore).instanceId;
      const clientList = String(await inspect((c) => c.sendCommand(['CLIENT', 'LIST'])));
      const ofB = clientList.split('\n').filter((line) => line.includes(`name=${prefix}:${idB}:`));
      assert.equal(ofB.length, 3, `B's connections:\n${ofB.join('\n')}`);
      for (const gen of gens) gen.release(3);
      // Every mirrored run is followed live through B's one blocking reader.
      await until(() => perRun.every((r) => r.ended === 1));
      for (const r of perRun)
        assert.deepEqual(r.events.map((e) => e.event).slice(-4), ['token', 'token', 'token', 'done']);
      assert.ok(runs.every((r) => r!.run.status === 'completed'));
    });
  });

  test('a run followed while the reader blocks on others is picked up at once (CLIENT UNBLOCK)', async () => {
    const prefix = newPrefix();
    // A block long enough that only an unblock can bring the new run into the next XREAD within the test.
    const [a, b] = await Promise.all([redisStore(prefix), redisStore(prefix, { blockMs: 600_000 })]);
    try {
      const first = gatedTokens(1);
      const second = gatedTokens(2);
      await a.open('u1', first.generate);
      await a.open('u2', second.generate);
      (await b.open('u1', first.generate))!.run.attach(collector());
      const idB = (b as RedisRunStore).instanceId;
      await until(async () => {
        const list = String(await inspect((c) => c.sendCommand(['CLIENT', 'LIST'])));
        return list.split('\n').some((l) => l.includes(`name=${prefix}:${idB}:xread`) && / cmd=xread /.test(l));
      });
      const reader = collector();
      (await b.open('u2', second.generate))!.run.attach(reader);
      second.release(2);
      await until(() => reader.ended === 1);
      assert.deepEqual(
        reader.events.map((e) => e.event),
        ['token', 'token', 'done'],
      );
      first.release(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a lost Redis ends affected streams with an error event, never crashes, and recovers', async () => {
    await twoInstances(async (a, b) => {
      const generate = async (r: GeneratingRun) => {
        for (let i = 0; !r.signal.aborted; i++) {
          r.append('token', { token: `${i} ` });
          await new Promise((res) => setTimeout(res, 10));
        }
      };
      const onA = (await a.open('l1', generate))!;
      const readerOnA = collector();
      onA.run.attach(readerOnA);
      await until(() => onA.run.lastSeq >= 3);
      const onB = (await b.open('l1', generate))!;
      const readerOnB = collector();
      onB.run.attach(readerOnB);
      await until(() => readerOnB.events.length > 0);

      await redis.kill();
      await until(() => readerOnA.ended === 1 && readerOnB.ended === 1);
      for (const r of [readerOnA, readerOnB]) {
        const last = r.events.at(-1)!;
        assert.equal(last.event, 'error');
        assert.match(JSON.stringify(last.data), /run store was lost/);
      }
      await until(() => a.stats().active === 0);
      await assert.rejects(a.open('l2', generate), RunStoreUnavailableError);
      await assert.rejects(b.stop('l1'), RunStoreUnavailableError);
      assert.ok(
        logs.some((l) => /Redis unavailable/.test(l)),
        'the outage is logged',
      );

      await redis.restart();
      await until(async () => {
        try {
          return (await a.open('l3', waitForAbort().generate)) !== undefined;
        } catch {
          return false;
        }
      }, 10_000);
      assert.equal(await b.stop('l3'), true, 'both instances work again');
    });
  });
});

/** A store on real Redis connections (heartbeat 100 ms), each passed through `wrap` to hold or watch its commands. */
function storeWrappingClients(
  prefix: string,
  wrap: (client: RedisClientLike) => RedisClientLike,
): Promise<RedisRunStore> {
  return RedisRunStore.connect({
    keyPrefix: prefix,
    heartbeatMs: 100,
    log: () => {},
    createClient: (name) => {
      const c = createClient({ url: redis.url, name, RESP: 2, disableOfflineQueue: true });
      c.on('error', () => {});
      return wrap(c as unknown as RedisClientLike);
    },
  });
}

test('a stop that lands elsewhere while this instance has claimed the run but not started it still stops it', async () => {
  const prefix = newPrefix();
  // The window is the round trip between SET NX and DEL; here the DEL is held on a real Redis connection.
  let releaseDel = () => {};
  let holdDel: Promise<void> | undefined;
  const slow = await storeWrappingClients(prefix, (client) => ({
    connect: () => client.connect(),
    sendCommand: async (args) => {
      if (args[0] === 'DEL' && holdDel) await holdDel;
      return client.sendCommand(args);
    },
    subscribe: (channel, listener) => client.subscribe(channel, listener),
    close: () => client.close(),
    destroy: () => client.destroy(),
  }));
  const b = await redisStore(prefix, { heartbeatMs: 100 });
  try {
    holdDel = new Promise<void>((resolve) => (releaseDel = resolve));
    const opening = slow.open('s1', (r) => waitForAbort().generate(r));
    await until(async () => (await inspect((c) => c.sendCommand(['GET', `${prefix}:run:s1`]))) === slow.instanceId);
    assert.equal(await b.stop('s1'), true, 'B finds the claim and publishes the stop');
    await new Promise((r) => setTimeout(r, 100)); // the stop reaches the claiming instance before it starts
    releaseDel();
    const opened = (await opening)!;
    await until(() => opened.run.status !== 'running');
    assert.equal(opened.run.status, 'stopped', 'the run stops instead of generating for nobody');
  } finally {
    releaseDel();
    await Promise.all([slow.close(), b.close()]);
  }
});

test('if the generating instance dies, readers elsewhere get an error event once its claim expires', async () => {
  const prefix = newPrefix();
  // An owner that vanishes without a goodbye: its sockets are destroyed, nothing is stopped or marked ended.
  const clients: RedisClientLike[] = [];
  const doomed = await storeWrappingClients(prefix, (client) => (clients.push(client), client));
  const b = await redisStore(prefix, { heartbeatMs: 100 });
  try {
    const onA = (await doomed.open('o1', (r) => {
      r.append('token', { token: 'before the crash' });
      return waitForAbort().generate(r);
    }))!;
    onA.run.attach(collector());
    const onB = (await b.open('o1', waitForAbort().generate))!;
    const readerOnB = collector();
    onB.run.attach(readerOnB);
    await until(() => onB.run.lastSeq === 1);

    for (const c of clients) c.destroy();
    await until(() => readerOnB.ended === 1, 10_000);
    const last = readerOnB.events.at(-1)!;
    assert.equal(last.event, 'error');
    assert.match(JSON.stringify(last.data), /went away/);
    assert.equal(onB.run.status, 'failed');
  } finally {
    await b.close();
  }
});

test('the redis-server fixture fails loudly when the binary is missing: these tests never skip', async () => {
  await assert.rejects(startRedisServer('redis-server-not-installed'), /redis-server-not-installed is not installed/);
});

describe('starting with REDIS_URL', () => {
  test('an unreachable Redis stops the start with a message naming REDIS_URL, never the password', async () => {
    const closed = `redis://:hunter2@127.0.0.1:${redis.port === 1 ? 2 : 1}`;
    await assert.rejects(
      createRunStore({ redisUrl: closed, runGraceMs: 1, maxStreams: 1, maxRuns: 1 }),
      (e: Error) =>
        /Cannot reach Redis at REDIS_URL=redis:\/\/127\.0\.0\.1:1/.test(e.message) && !/hunter2/.test(e.message),
    );
  });

  test('a missing redis package stops the start with how to fix it', async () => {
    await assert.rejects(
      createRunStore(
        { redisUrl: redis.url, runGraceMs: 1, maxStreams: 1, maxRuns: 1 },
        { importRedis: () => import('redis-package-that-is-not-installed' as string) },
      ),
      /REDIS_URL is set but the `redis` package is not installed\. Run `npm install redis`/,
    );
  });

  test('REDIS_URL is parsed strictly', () => {
    assert.equal(loadConfig({}).redisUrl, undefined);
    assert.equal(loadConfig({ REDIS_URL: ' redis://127.0.0.1:6379/0 ' }).redisUrl, 'redis://127.0.0.1:6379/0');
    assert.equal(
      loadConfig({ REDIS_URL: 'rediss://u:p@cache.example:6380' }).redisUrl,
      'rediss://u:p@cache.example:6380',
    );
    for (const bad of ['localhost:6379', 'http://127.0.0.1:6379', 'redis://', 'redis://:secret@']) {
      assert.throws(
        () => loadConfig({ REDIS_URL: bad }),
        (e: Error) => /REDIS_URL/.test(e.message) && !e.message.includes('secret'),
        bad,
      );
    }
  });
});
