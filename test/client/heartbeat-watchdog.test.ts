import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeartbeatWatchdog, type WatchdogTimers } from '../../src/client/heartbeat-watchdog.js';

/** A manual clock: timers fire only when the test advances time. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: WatchdogTimers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      pending.delete(h as number);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { timers, advance, pendingCount: () => pending.size };
}

test('silence past the timeout after bytes flowed reports a mid-stream stall, once', () => {
  const clock = manualTimers();
  const stalls: string[] = [];
  const dog = new HeartbeatWatchdog({ timeout: 100, timers: clock.timers, onStall: (p) => stalls.push(p) });
  dog.start();
  clock.advance(50);
  dog.touch();
  clock.advance(99);
  assert.deepEqual(stalls, []);
  clock.advance(1);
  assert.deepEqual(stalls, ['mid-stream']);
  clock.advance(1000);
  assert.deepEqual(stalls, ['mid-stream']);
  assert.equal(dog.running, false);
});

test('bytes more often than the timeout (heartbeats) never trip it', () => {
  const clock = manualTimers();
  let stalls = 0;
  const dog = new HeartbeatWatchdog({ timeout: 100, timers: clock.timers, onStall: () => stalls++ });
  dog.start();
  for (let i = 0; i < 50; i++) {
    clock.advance(90);
    dog.touch();
  }
  assert.equal(stalls, 0);
  assert.equal(clock.pendingCount(), 1, 'exactly one timer is armed at a time');
});

test('the first-byte wait is separate from the mid-stream wait', () => {
  const clock = manualTimers();
  const stalls: string[] = [];
  const dog = new HeartbeatWatchdog({
    timeout: 100,
    firstByteTimeout: 500,
    timers: clock.timers,
    onStall: (p) => stalls.push(p),
  });
  dog.start();
  clock.advance(499);
  assert.deepEqual(stalls, []);
  clock.advance(1);
  assert.deepEqual(stalls, ['first-byte']);
});

test('stop() clears the timer and a timeout of 0 turns the watchdog off', () => {
  const clock = manualTimers();
  let stalls = 0;
  const dog = new HeartbeatWatchdog({ timeout: 100, timers: clock.timers, onStall: () => stalls++ });
  dog.start();
  dog.stop();
  assert.equal(clock.pendingCount(), 0);
  clock.advance(1000);
  const off = new HeartbeatWatchdog({ timeout: 0, timers: clock.timers, onStall: () => stalls++ });
  off.start();
  off.touch();
  assert.equal(clock.pendingCount(), 0);
  clock.advance(1000);
  assert.equal(stalls, 0);
});
