import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunLog } from '../../src/server/run-log.js';
import type { LoggedEvent } from '../../src/server/run-store.js';
import type { EventDataMap, EventName } from '../../src/protocol.js';

/** A mixed log long enough to seal several blocks: tokens (ASCII, CJK, emoji, empty), batches and other events. */
function mixedEvents(count: number): Array<{ event: EventName; data: EventDataMap[EventName] }> {
  const texts = ['a', ' word', '', '中文', ' 🙂', '\n\n', 'x'.repeat(300)];
  const out: Array<{ event: EventName; data: EventDataMap[EventName] }> = [];
  for (let i = 0; i < count; i++) {
    if (i === 0) out.push({ event: 'thinking', data: { status: 'retrieving' } });
    else if (i === 1) out.push({ event: 'sources', data: { count: 0, sources: [] } });
    else if (i % 97 === 0) out.push({ event: 'token', data: { tokens: [`b${i}`, `c${i}`] } });
    else if (i % 131 === 0) out.push({ event: 'thinking', data: { status: 'generating', message: `m${i}` } });
    // A token with more than `token` (a mirrored log carries whatever JSON was written): kept whole.
    else if (i % 151 === 0) out.push({ event: 'token', data: { token: `e${i}`, extra: i } as EventDataMap['token'] });
    else if (i % 163 === 0) out.push({ event: 'token', data: null as unknown as EventDataMap['token'] });
    else out.push({ event: 'token', data: { token: `${texts[i % texts.length]}${i}` } });
  }
  return out;
}

test('the log reads back exactly what was logged, from every cursor, across sealed blocks', () => {
  const log = new RunLog('r');
  const logged: LoggedEvent[] = [];
  for (const e of mixedEvents(600)) logged.push(structuredClone(log.push(e.event, e.data)));
  assert.equal(log.lastSeq, 600);
  assert.deepEqual(
    logged.map((e) => e.seq),
    Array.from({ length: 600 }, (_, i) => i + 1),
  );
  for (let after = 0; after <= 601; after++) {
    assert.deepEqual(log.eventsAfter(after), logged.slice(after), `after ${after}`);
  }
  assert.deepEqual(log.eventsAfter(-5), logged, 'a negative cursor reads from the start');
  assert.deepEqual(log.eventsAfter(Number.NaN), logged, 'so does NaN');
  assert.deepEqual(log.eventsAfter(200.5), logged.slice(200), 'a fractional cursor counts as its integer part');
});

test('readers get every event as it is logged, and one that detaches while the run ends is not called again', () => {
  const log = new RunLog('r');
  const seen: number[] = [];
  let ends = 0;
  const detachA = log.attach({ onEvent: (e) => void seen.push(e.seq), onEnd: () => (ends++, detachA()) });
  log.attach({ onEvent: () => undefined, onEnd: () => void ends++ });
  for (const e of mixedEvents(300)) log.push(e.event, e.data);
  assert.equal(seen.length, 300);
  assert.equal(log.finish('completed'), true);
  assert.equal(ends, 2);
  assert.equal(log.readerCount, 1);
  assert.equal(log.finish('stopped'), false, 'a run ends once');
});
