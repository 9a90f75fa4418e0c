// End to end behind Debian's nginx, configured by the shipped deploy/nginx.conf (test/fixtures/nginx.ts rewrites
// only its `listen` and upstream address). The companion server is the real `main.js` process with slow demo
// tokens. What is shown: tokens reach the client while the server is still generating (nginx does not hold them),
// a client cut mid-answer resumes through nginx with Last-Event-ID and gets the exact answer once, the server logs
// the run with the client address nginx reported, and, as negative controls, what buffering does to the stream.
// No timing is asserted: "incremental" means the first token arrived while /healthz still showed the run active.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startNginx, type RunningNginx } from '../fixtures/nginx.js';
import { loadConfig } from '../../src/server/config.js';
import { startChatServer, type RunningChatServer } from '../../src/server/chat-server.js';
import type { Responder } from '../../src/server/responder.js';
import { parseFrames, type Frame } from '../server/helpers.js';

const T = { timeout: 30_000 };
const QUESTION = 'How do I theme the widget?';
const MAIN = fileURLToPath(new URL('../../src/server/main.js', import.meta.url));

interface Health {
  active_streams: number;
  readers?: number;
}

/** The companion server as `npm start` runs it, in its own process; its stdout lines are kept (the run log). */
async function startCompanion(env: Record<string, string>): Promise<{
  url: string;
  lines: string[];
  stop(): Promise<void>;
}> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    // A clean environment: nothing from the caller (REDIS_URL, LLM_BASE_URL, …) changes what is tested.
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      pending += c.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const m = /^ai-chat demo server: (http\S+)/.exec(line);
        if (m) resolve(m[1]);
      }
    });
    void exited.then(() => reject(new Error(`the companion server exited at start: ${stderr}`)));
    setTimeout(() => reject(new Error(`the companion server printed no URL within 15 s: ${stderr}`)), 15_000).unref();
  });
  return {
    url,
    lines,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

async function health(serverUrl: string): Promise<Health> {
  return (await (await fetch(new URL('/healthz', serverUrl))).json()) as Health;
}

/** Text of the token frames, in order. */
function tokenText(frames: Frame[]): string {
  return frames
    .filter((f) => f.event === 'token')
    .map((f) => {
      const d = JSON.parse(f.data!) as { token?: string; tokens?: string[] };
      return d.token ?? d.tokens!.join('');
    })
    .join('');
}

/**
 * POSTs a question through `origin` and reads the stream chunk by chunk. `onFirstToken` runs the moment the first
 * token frame has arrived (before reading on); `stopAfterTokens` aborts the request after that many token frames.
 */
async function ask(
  origin: string,
  messageId: string,
  options: {
    headers?: Record<string, string>;
    onFirstToken?: () => Promise<void>;
    stopAfterTokens?: number;
  } = {},
): Promise<{ text: string; reads: number; status: number }> {
  const ctrl = new AbortController();
  const res = await fetch(`${origin}/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ conversation_id: 'nginx', message: QUESTION, message_id: messageId }),
    signal: ctrl.signal,
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let reads = 0;
  let sawToken = false;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
    reads += 1;
    const complete = text.slice(0, text.lastIndexOf('\n\n') + 2);
    const tokens = parseFrames(complete).filter((f) => f.event === 'token').length;
    if (tokens > 0 && !sawToken) {
      sawToken = true;
      await options.onFirstToken?.();
    }
    if (options.stopAfterTokens !== undefined && tokens >= options.stopAfterTokens) {
      ctrl.abort();
      return { text: complete, reads, status: res.status };
    }
  }
  return { text, reads, status: res.status };
}

describe('behind nginx with deploy/nginx.conf', () => {
  let companion: Awaited<ReturnType<typeof startCompanion>>;
  let nginx: RunningNginx;
  let fullAnswer: string;

  before(
    async () => {
      companion = await startCompanion({ TOKEN_DELAY_MS: '40', TRUST_PROXY: '1', RUN_GRACE_MS: '20000' });
      nginx = await startNginx({ upstreamPort: Number(new URL(companion.url).port) });
    },
    { timeout: 30_000 },
  );
  after(async () => {
    await nginx?.stop();
    await companion?.stop();
  });

  test('tokens arrive while the server is still generating, and the answer completes', T, async (t) => {
    let atFirstToken: Health | undefined;
    const started = Date.now();
    let firstTokenMs = 0;
    const { text, reads } = await ask(nginx.origin, 'n1', {
      onFirstToken: async () => {
        firstTokenMs = Date.now() - started;
        atFirstToken = await health(companion.url);
      },
    });
    const doneMs = Date.now() - started;
    const frames = parseFrames(text);
    assert.ok(atFirstToken, 'a token arrived');
    assert.ok(atFirstToken.active_streams >= 1, 'the first token arrived while the run was still generating');
    assert.equal(frames.at(-1)!.raw, `id: n1.${frames.length}\nevent: done\ndata: {"status":"completed"}\n\n`);
    assert.equal(frames.filter((f) => f.event === 'done').length, 1);
    fullAnswer = tokenText(frames);
    assert.ok(fullAnswer.length > 0);
    const tokenFrames = frames.filter((f) => f.event === 'token').length;
    // Figures only, never asserted (speed belongs to benchmarks).
    t.diagnostic(
      `first token after ${firstTokenMs} ms, done after ${doneMs} ms; ${tokenFrames} token frames in ${reads} reads`,
    );
  });

  test('a client cut mid-answer resumes through nginx with Last-Event-ID: exact answer, once', T, async () => {
    const first = await ask(nginx.origin, 'r1', { stopAfterTokens: 3 });
    const head = parseFrames(first.text);
    const lastId = head.at(-1)!.id!;
    assert.match(lastId, /^r1\.\d+$/);
    // The cut reached the server through nginx: no reader is left, and the run goes on (grace window).
    let h = await health(companion.url);
    for (let i = 0; i < 200 && (h.readers ?? 0) > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      h = await health(companion.url);
    }
    assert.equal(h.readers, 0, 'nginx closed the upstream request when the client left');
    assert.equal(h.active_streams, 1, 'the run outlived the connection');

    const second = await ask(nginx.origin, 'r1', { headers: { 'last-event-id': lastId } });
    const tail = parseFrames(second.text);
    const seq = Number(lastId.split('.')[1]);
    assert.equal(tail[0].id, `r1.${seq + 1}`, 'the resumed stream starts right after the last event received');
    assert.ok(!tail.some((f) => f.event === 'thinking' || f.event === 'sources'), 'nothing is replayed');
    assert.equal(tail.filter((f) => f.event === 'done').length, 1);
    assert.equal(tokenText(head) + tokenText(tail), fullAnswer);
  });

  test('the run is logged once, with the address nginx saw, not the one the client claimed', T, async () => {
    await ask(nginx.origin, 'x1', { headers: { 'x-forwarded-for': '203.0.113.66' } });
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && line === undefined; i++) {
      line = companion.lines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.type === 'run' && l.run_id === 'x1');
      if (line === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(line, 'a run line was written');
    assert.equal(line.outcome, 'completed');
    assert.equal(line.conversation_id, 'nginx');
    // TRUST_PROXY=1: the entry nginx appended ($remote_addr = 127.0.0.1), never the forged one to its left.
    assert.equal(line.client_ip, '127.0.0.1');
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(line.tokens, fullAnswer.match(/\s*\S+|\s+/g)!.length);
    assert.equal(companion.lines.filter((l) => l.includes('"run_id":"x1"')).length, 1);
  });
});

describe('negative controls: what buffering does', () => {
  /** Twenty short tokens, slowly: the whole stream is far below one nginx buffer, so buffering holds all of it. */
  const slow: Responder = async function* (_q, { signal }) {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (signal.aborted) return;
      yield { event: 'token', data: { token: `t${i} ` } };
    }
  };
  let server: RunningChatServer;
  before(async () => {
    server = await startChatServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'off', RATE_LIMIT: '0' }),
      rootDir: fileURLToPath(new URL('../../../../', import.meta.url)),
      responder: slow,
    });
  });
  after(() => server?.close());

  const firstTokenWhile = async (nginx: RunningNginx, id: string) => {
    let atFirst: Health | undefined;
    const { text } = await ask(nginx.origin, id, {
      onFirstToken: async () => void (atFirst = await health(server.url)),
    });
    assert.equal(tokenText(parseFrames(text)), Array.from({ length: 20 }, (_, i) => `t${i} `).join(''));
    return atFirst!.active_streams;
  };

  test('the shipped config streams this responder too', T, async () => {
    const nginx = await startNginx({ upstreamPort: Number(new URL(server.url).port) });
    try {
      assert.ok((await firstTokenWhile(nginx, 'c1')) >= 1);
    } finally {
      await nginx.stop();
    }
  });

  test('with `proxy_buffering on`, the server’s X-Accel-Buffering: no still keeps the stream live', T, async () => {
    const nginx = await startNginx({
      upstreamPort: Number(new URL(server.url).port),
      edit: (c) => c.replace('proxy_buffering off;', 'proxy_buffering on;'),
    });
    try {
      assert.match(nginx.conf, /proxy_buffering on;/);
      assert.ok((await firstTokenWhile(nginx, 'c2')) >= 1);
    } finally {
      await nginx.stop();
    }
  });

  /** The article's "wrong" location (8.1): only `proxy_pass`, so nginx's defaults (HTTP/1.0, buffering on) apply. */
  const bare = (conf: string, extra = '') => {
    const block = /location = \/chat\/stream \{[\s\S]*?\n {4}\}\n/;
    assert.match(conf, block);
    return conf.replace(block, `location = /chat/stream {\n        proxy_pass http://ai_chat;${extra}\n    }\n`);
  };

  test('even a bare `proxy_pass` location streams, because the server sends X-Accel-Buffering: no', T, async () => {
    const nginx = await startNginx({ upstreamPort: Number(new URL(server.url).port), edit: (c) => bare(c) });
    try {
      assert.doesNotMatch(nginx.conf, /proxy_buffering off/);
      assert.ok((await firstTokenWhile(nginx, 'c3')) >= 1);
    } finally {
      await nginx.stop();
    }
  });

  test('a bare location that also ignores that header holds every byte until the answer has ended', T, async () => {
    const nginx = await startNginx({
      upstreamPort: Number(new URL(server.url).port),
      edit: (c) => bare(c, '\n        proxy_ignore_headers X-Accel-Buffering;'),
    });
    try {
      assert.equal(await firstTokenWhile(nginx, 'c4'), 0, 'the first token came only after generation ended');
    } finally {
      await nginx.stop();
    }
  });
});
