// `node bench/article-backend.mjs [port]`: a backend shaped exactly like the article's FastAPI sketch (section 3.1),
// in plain node:http, to show bench/load-client.mjs reads any server that speaks the protocol, not only ours.
//
// What it keeps from the article: `POST /chat/stream`, `event: thinking|sources|token|done` frames with
// `data: {json}` (Python's `json.dumps` spacing), no `id:`, no heartbeats, no resume, no run store, the same headers.
// What it adds: every token is `t<epoch ms>` so the client can measure latency, and the question sets the pace the
// way bench/rate-responder-server.mjs reads it (`rate=100 ms=10000`), one timer per stream as a naive server would.
//
//   node bench/article-backend.mjs 8790 &
//   node bench/load-client.mjs --url http://127.0.0.1:8790/chat/stream --streams 100 --rate 50 --duration 5
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const sse = (event, data) =>
  `event: ${event}\ndata: ${JSON.stringify(data).replace(/":/g, '": ').replace(/,"/g, ', "')}\n\n`;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.startsWith('/chat/stream')) {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let question = '';
    try {
      question = String(JSON.parse(body).message ?? '');
    } catch {
      // the article's sketch takes `question` from the query string instead; either is fine for a bench
      question = new URL(req.url, 'http://x').searchParams.get('question') ?? '';
    }
    const p = { rate: 10, ms: 10_000 };
    for (const m of question.matchAll(/(\w+)=(\d+)/g)) if (m[1] in p) p[m[1]] = Number(m[2]);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(sse('thinking', { status: 'retrieving', message: '正在检索知识库...' }));
    res.write(sse('sources', { count: 0, sources: [] }));
    const end = performance.now() + p.ms;
    if (p.rate === 0) return; // idle: the article's sketch has no heartbeat, so nothing at all is sent
    const timer = setInterval(() => {
      if (performance.now() >= end) {
        clearInterval(timer);
        res.end(sse('done', { status: 'completed' }));
        return;
      }
      res.write(sse('token', { token: `t${(performance.timeOrigin + performance.now()).toFixed(3)}` }));
    }, 1000 / p.rate);
    res.on('close', () => clearInterval(timer));
  });
});
server.listen(Number(process.argv[2] ?? 8790), '127.0.0.1', () => {
  console.log(`article-style backend: http://127.0.0.1:${server.address().port}/chat/stream`);
});
