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
    maxRuns: 1000,
    corsOrigins: [],
    runGraceMs: 20000,
    drainTimeoutMs: 30000,
    flushMs: 'auto',
    llm: undefined,
    redisUrl: undefined,
    apiToken: undefined,
    rateLimit: 60,
    trustProxy: 0,
    logLevel: 'info',
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
      MAX_RUNS: '7',
      RUN_GRACE_MS: '0',
      DRAIN_TIMEOUT_MS: '5',
      FLUSH_MS: '20',
      CORS_ORIGINS: ' https://a.example , https://b.example,',
      API_TOKEN: 'abcdefghijklmnop0123',
      RATE_LIMIT: '0',
      TRUST_PROXY: '1',
      LOG_LEVEL: 'warn',
    }),
    {
      port: 0,
      host: '0.0.0.0',
      heartbeatMs: 50,
      tokenDelayMs: 0,
      maxStreams: 1,
      maxRuns: 7,
      corsOrigins: ['https://a.example', 'https://b.example'],
      runGraceMs: 0,
      drainTimeoutMs: 5,
      flushMs: 20,
      llm: undefined,
      redisUrl: undefined,
      apiToken: 'abcdefghijklmnop0123',
      rateLimit: 0,
      trustProxy: 1,
      logLevel: 'warn',
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
  assert.throws(() => loadConfig({ RATE_LIMIT: '-1' }), /RATE_LIMIT/);
  assert.throws(() => loadConfig({ RATE_LIMIT: '10/min' }), /RATE_LIMIT/);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY/);
  assert.throws(() => loadConfig({ TRUST_PROXY: '11' }), /TRUST_PROXY/);
  assert.throws(() => loadConfig({ FLUSH_MS: 'fast' }), /FLUSH_MS.*auto or an integer/);
  assert.throws(() => loadConfig({ FLUSH_MS: '1001' }), /FLUSH_MS/);
  assert.throws(() => loadConfig({ FLUSH_MS: '-1' }), /FLUSH_MS/);
});

test('FLUSH_MS is auto by default, and takes auto or 0-1000 ms', () => {
  assert.equal(loadConfig({ FLUSH_MS: ' auto ' }).flushMs, 'auto');
  assert.equal(loadConfig({ FLUSH_MS: '' }).flushMs, 'auto');
  assert.equal(loadConfig({ FLUSH_MS: '0' }).flushMs, 0);
  assert.equal(loadConfig({ FLUSH_MS: '1000' }).flushMs, 1000);
});

test('LLM_* settings: parsed, defaulted and normalised', () => {
  assert.deepEqual(
    loadConfig({ LLM_BASE_URL: ' https://api.openai.com/v1/ ', LLM_API_KEY: 'sk-abc', LLM_MODEL: 'gpt-4o-mini' }).llm,
    {
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-abc',
      model: 'gpt-4o-mini',
      timeoutMs: 60000,
      streamUsage: false,
    },
  );
  assert.deepEqual(
    loadConfig({
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      LLM_MODEL: 'llama3.2',
      LLM_TIMEOUT_MS: '5000',
      LLM_STREAM_USAGE: 'true',
    }).llm,
    { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, model: 'llama3.2', timeoutMs: 5000, streamUsage: true },
  );
  assert.equal(
    loadConfig({ LLM_BASE_URL: 'http://h/v1', LLM_MODEL: 'm', LLM_STREAM_USAGE: '0' }).llm?.streamUsage,
    false,
  );
  assert.equal(loadConfig({ LLM_BASE_URL: '  ' }).llm, undefined);
});

test('invalid LLM_* settings throw an error naming the variable, never echoing the key', () => {
  const base = { LLM_BASE_URL: 'http://127.0.0.1:8080/v1', LLM_MODEL: 'm' };
  assert.throws(() => loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:8080/v1' }), /LLM_MODEL is required/);
  assert.throws(() => loadConfig({ ...base, LLM_BASE_URL: 'localhost:8080' }), /LLM_BASE_URL/);
  assert.throws(() => loadConfig({ ...base, LLM_BASE_URL: 'ftp://h/v1' }), /LLM_BASE_URL/);
  assert.throws(() => loadConfig({ ...base, LLM_BASE_URL: 'not a url' }), /LLM_BASE_URL/);
  assert.throws(() => loadConfig({ ...base, LLM_BASE_URL: 'https://user:pw@h/v1' }), /LLM_BASE_URL.*credentials/);
  assert.throws(() => loadConfig({ ...base, LLM_BASE_URL: 'https://h/v1?api-version=1' }), /LLM_BASE_URL/);
  assert.throws(() => loadConfig({ ...base, LLM_TIMEOUT_MS: '0' }), /LLM_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ ...base, LLM_TIMEOUT_MS: '1s' }), /LLM_TIMEOUT_MS/);
  assert.throws(() => loadConfig({ ...base, LLM_STREAM_USAGE: 'yes' }), /LLM_STREAM_USAGE/);
  // A stray setting without a base URL is a half-done configuration, not the demo.
  assert.throws(() => loadConfig({ LLM_MODEL: 'm' }), /LLM_MODEL is set but LLM_BASE_URL is not/);
  assert.throws(() => loadConfig({ LLM_API_KEY: 'sk-secret-1' }), /LLM_API_KEY is set but LLM_BASE_URL is not/);
  const secret = 'sk-secret-2 with a pasted\nnewline';
  assert.throws(
    () => loadConfig({ ...base, LLM_API_KEY: secret }),
    (e: Error) => /LLM_API_KEY/.test(e.message) && !e.message.includes('sk-secret-2'),
  );
});
