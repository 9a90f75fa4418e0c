import { test } from 'node:test';
import assert from 'node:assert/strict';
import { framesFor } from '../../src/server/run-connection.js';

test('events are framed with <run>.<seq> ids; a stretch of tokens becomes one batch carrying the last id', () => {
  assert.equal(
    framesFor('r', [
      { seq: 1, event: 'thinking', data: { status: 'thinking' } },
      { seq: 2, event: 'token', data: { token: 'a' } },
      { seq: 3, event: 'token', data: { tokens: ['b', 'c'] } },
      { seq: 4, event: 'done', data: { status: 'completed' } },
    ]),
    'id: r.1\nevent: thinking\ndata: {"status":"thinking"}\n\n' +
      'id: r.3\nevent: token\ndata: {"tokens":["a","b","c"]}\n\n' +
      'id: r.4\nevent: done\ndata: {"status":"completed"}\n\n',
  );
});

test('a single pending token keeps the plain {token} shape', () => {
  assert.equal(
    framesFor('r', [{ seq: 7, event: 'token', data: { token: ' x' } }]),
    'id: r.7\nevent: token\ndata: {"token":" x"}\n\n',
  );
});
