import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptiveFlushWindow } from '../../src/server/flush-window.js';

function harness() {
  let t = 0;
  let u = 0;
  let samples = 0;
  const windowFor = adaptiveFlushWindow({
    now: () => t,
    utilizationSinceLastCall: () => (samples++, u),
  });
  return {
    windowFor,
    at: (ms: number, utilization: number) => {
      t = ms;
      u = utilization;
      return windowFor();
    },
    samples: () => samples,
  };
}

test('no window while the loop has time to spare; 20 ms once it is busy; closed again when it is quiet', () => {
  const h = harness();
  assert.equal(h.at(0, 0.99), 0, 'nothing is known before the first sample');
  assert.equal(h.at(100, 0.99), 0, 'not re-sampled within 250 ms');
  assert.equal(h.at(250, 0.5), 0, 'half busy is not busy');
  assert.equal(h.at(500, 0.9), 20, 'busy: the window opens');
  assert.equal(h.at(600, 0.1), 20, 'held until the next sample');
  assert.equal(h.at(750, 0.6), 20, 'batching lowers the load: 0.6 keeps it open (hysteresis)');
  assert.equal(h.at(1000, 0.3), 0, 'quiet: closed');
  assert.equal(h.at(1250, 0.6), 0, '0.6 does not reopen it');
});

test('utilisation is read at most once per sample period, however often events are scheduled', () => {
  const h = harness();
  const before = h.samples();
  for (let ms = 0; ms < 1000; ms += 1) h.at(ms, 0.2);
  assert.equal(h.samples() - before, 3, 'at 250, 500 and 750 ms');
});

test('the thresholds and the window can be set', () => {
  let t = 0;
  const w = adaptiveFlushWindow({
    windowMs: 7,
    busyAbove: 0.2,
    idleBelow: 0.1,
    sampleMs: 10,
    now: () => t,
    utilizationSinceLastCall: () => 0.3,
  });
  t = 10;
  assert.equal(w(), 7);
});
