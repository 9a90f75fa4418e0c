// The event-stream parser the model responder reads upstreams with: WHATWG HTML §9.2.6 line and field rules, and
// the same events whatever the network's chunking (split at every byte, CRLF halves, UTF-8 sequences included).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, SseTooLargeError, type ParsedSseEvent } from '../../src/server/sse-parser.js';

const encoder = new TextEncoder();

/** Feeds `chunks` (strings or byte arrays) to one parser and collects every event. */
function parse(chunks: (string | Uint8Array)[], parser = new SseParser()): ParsedSseEvent[] {
  const out: ParsedSseEvent[] = [];
  for (const c of chunks) out.push(...parser.feed(typeof c === 'string' ? encoder.encode(c) : c));
  parser.end();
  return out;
}

/** A sample with everything that can go wrong in splitting: CRLF, lone CR, multi-byte UTF-8, comments, BOM. */
const SAMPLE =
  '\uFEFF: comment first\r\n' +
  'data: {"choices":[{"index":0,"delta":{"content":"héllo 👋"}}]}\r\n' +
  '\r\n' +
  'event: error\n' +
  'data: line one\n' +
  'data:line two\n' +
  'data\n' +
  '\n' +
  ':keep-alive\r' +
  'id: 7\r' +
  'data: 中文\r' +
  '\r' +
  'data: [DONE]\n' +
  '\n';

const SAMPLE_EVENTS: ParsedSseEvent[] = [
  { event: 'message', data: '{"choices":[{"index":0,"delta":{"content":"héllo 👋"}}]}', id: '' },
  { event: 'error', data: 'line one\nline two\n', id: '' },
  { event: 'message', data: '中文', id: '7' },
  { event: 'message', data: '[DONE]', id: '7' },
];

describe('SseParser', () => {
  test('parses a whole stream: comments, CRLF, lone CR, multi-line data, BOM, ids', () => {
    assert.deepEqual(parse([SAMPLE]), SAMPLE_EVENTS);
  });

  test('gives the same events when the bytes are split in two at every position', () => {
    const bytes = encoder.encode(SAMPLE);
    for (let i = 0; i <= bytes.length; i++) {
      assert.deepEqual(parse([bytes.slice(0, i), bytes.slice(i)]), SAMPLE_EVENTS, `split at byte ${i}`);
    }
  });

  test('gives the same events when fed one byte at a time', () => {
    const bytes = encoder.encode(SAMPLE);
    assert.deepEqual(parse([...bytes].map((b) => Uint8Array.of(b))), SAMPLE_EVENTS);
  });

  test('gives the same events when split in three at every pair of positions', () => {
    const bytes = encoder.encode(SAMPLE);
    for (let i = 0; i <= bytes.length; i += 3) {
      for (let j = i; j <= bytes.length; j += 5) {
        const events = parse([bytes.slice(0, i), bytes.slice(i, j), bytes.slice(j)]);
        assert.deepEqual(events, SAMPLE_EVENTS, `split at ${i} and ${j}`);
      }
    }
  });

  test('emits each event as soon as its blank line arrives, not at the end', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.feed(encoder.encode('data: a\n')), []);
    assert.deepEqual(parser.feed(encoder.encode('\ndata: b')), [{ event: 'message', data: 'a', id: '' }]);
    assert.deepEqual(parser.feed(encoder.encode('\n\n')), [{ event: 'message', data: 'b', id: '' }]);
  });

  test('a CR at the end of a chunk and a LF at the start of the next are one line end', () => {
    assert.deepEqual(parse(['data: a\r', '\ndata: b\r', '\n\r', '\n']), [{ event: 'message', data: 'a\nb', id: '' }]);
  });

  test('an event cut off by the end of the stream is never dispatched', () => {
    assert.deepEqual(parse(['data: [DONE]\n']), []);
    assert.deepEqual(parse(['data: {"partial":']), []);
  });

  test('only one space after the colon is removed; a field without a colon has an empty value', () => {
    assert.deepEqual(parse(['data:  two spaces\n\n', 'data\n\n', 'data:\n\n']), [
      { event: 'message', data: ' two spaces', id: '' },
      { event: 'message', data: '', id: '' },
      { event: 'message', data: '', id: '' },
    ]);
  });

  test('blank lines and events without data dispatch nothing; the event name resets after each event', () => {
    assert.deepEqual(parse(['\n\n\nevent: ping\n\nretry: 5\nfoo: bar\n\ndata: x\n\n']), [
      { event: 'message', data: 'x', id: '' },
    ]);
  });

  test('an id containing NUL is ignored', () => {
    assert.deepEqual(parse(['id: a\0b\ndata: x\n\n']), [{ event: 'message', data: 'x', id: '' }]);
  });

  test('a line or an event past the limit throws instead of growing memory', () => {
    const parser = new SseParser({ maxEventLength: 100 });
    assert.deepEqual(parser.feed(encoder.encode(`data: ${'a'.repeat(50)}\n\n`)), [
      { event: 'message', data: 'a'.repeat(50), id: '' },
    ]);
    assert.throws(() => parser.feed(encoder.encode('x'.repeat(101))), SseTooLargeError);
    const lines = new SseParser({ maxEventLength: 100 });
    assert.throws(
      () => lines.feed(encoder.encode(`data: ${'b'.repeat(60)}\ndata: ${'c'.repeat(60)}\n`)),
      SseTooLargeError,
    );
  });
});
