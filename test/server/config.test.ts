import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.js';

test('defaults when nothing is set', () => {
  assert.deepEqual(loadConfig({}), {
    port: 8787,
    host: '127.0.0.1',
    heartbeatMs: 15000,
    tokenDelayMs: 30,
    maxStreams: 100,
    corsOrigins: [],
    runGraceMs: 20000,
    drainTimeoutMs: 30000,
  });
});

test('every variable is read and typed', () => {
  assert.deepEqual(
    loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      HEARTBEAT_MS: '50',
      TOKEN_DELAY_MS: '0',
      MAX_STREAMS: '1',
      RUN_GRACE_MS: '0',
      DRAIN_TIMEOUT_MS: '5',
      CORS_ORIGINS: ' https://a.example , https://b.example,',
    }),
    {
      port: 0,
      host: '0.0.0.0',
      heartbeatMs: 50,
      tokenDelayMs: 0,
      maxStreams: 1,
      corsOrigins: ['https://a.example', 'https://b.example'],
      runGraceMs: 0,
      drainTimeoutMs: 5,
    },
  );
  assert.deepEqual(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins, ['*']);
});

test('invalid numbers throw an error naming the variable', () => {
  assert.throws(() => loadConfig({ PORT: '80a' }), /PORT/);
  assert.throws(() => loadConfig({ PORT: '70000' }), /PORT/);
  assert.throws(() => loadConfig({ HEARTBEAT_MS: '0' }), /HEARTBEAT_MS/);
  assert.throws(() => loadConfig({ TOKEN_DELAY_MS: '-5' }), /TOKEN_DELAY_MS/);
  assert.throws(() => loadConfig({ MAX_STREAMS: '1.5' }), /MAX_STREAMS/);
  assert.throws(() => loadConfig({ RUN_GRACE_MS: 'soon' }), /RUN_GRACE_MS/);
});
