import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEARTBEAT_FRAME } from '../../src/protocol.js';
import { formatComment, formatEvent } from '../../src/server/sse-writer.js';

test('a full event is id, event, data and a blank line, byte for byte', () => {
  assert.equal(
    formatEvent({ id: 'm1.1', event: 'thinking', data: '{"status":"retrieving"}' }),
    'id: m1.1\nevent: thinking\ndata: {"status":"retrieving"}\n\n',
  );
});

test('data alone is a plain message frame', () => {
  assert.equal(formatEvent({ data: 'hello' }), 'data: hello\n\n');
});

test('multi-line data becomes one data line per line, whatever the line ending', () => {
  assert.equal(formatEvent({ data: 'a\nb\r\nc\rd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
  assert.equal(formatEvent({ data: '' }), 'data: \n\n');
  assert.equal(formatEvent({ data: 'end\n' }), 'data: end\ndata: \n\n');
});

test('CR, LF and NUL are stripped from event and id so they cannot inject fields', () => {
  assert.equal(
    formatEvent({ id: 'm1\n.2\r', event: 'tok\nevent: done', data: 'x' }),
    'id: m1.2\nevent: tokevent: done\ndata: x\n\n',
  );
  assert.equal(formatEvent({ id: 'a\0b', data: 'x' }), 'id: ab\ndata: x\n\n');
});

test('retry is written as an integer and rejects anything else', () => {
  assert.equal(formatEvent({ retry: 3000, data: 'x' }), 'retry: 3000\ndata: x\n\n');
  assert.throws(() => formatEvent({ retry: -1, data: 'x' }), RangeError);
  assert.throws(() => formatEvent({ retry: 1.5, data: 'x' }), RangeError);
});

test('comments start with a colon and the heartbeat matches the protocol frame', () => {
  assert.equal(formatComment('heartbeat'), HEARTBEAT_FRAME);
  assert.equal(formatComment('two\nlines'), ': two\n: lines\n\n');
});
