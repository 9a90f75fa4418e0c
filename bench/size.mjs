// `npm run bench` (size part): gzip and brotli of dist/ai-chat.js beside the floor, i.e. its runtime dependencies
// (lit, marked, DOMPurify, fetch-event-source) bundled alone with the same minifier in the same run.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from 'vite';

const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

// Inside the project so the floor's imports resolve from its node_modules; dist/ is build output.
const dir = join('dist', 'bench-floor');
mkdirSync(dir, { recursive: true });
const entry = join(dir, 'floor.js');
writeFileSync(
  entry,
  `import { LitElement, html, css } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { marked } from 'marked';
import DOMPurify from 'dompurify';
import { fetchEventSource } from '@microsoft/fetch-event-source';
window.__floor = { LitElement, html, css, unsafeHTML, marked, DOMPurify, fetchEventSource };\n`,
);
await build({
  configFile: false,
  logLevel: 'warn',
  root: process.cwd(),
  build: {
    outDir: join(dir, 'out'),
    target: 'es2022',
    minify: true,
    lib: { entry, name: 'Floor', formats: ['iife'], fileName: () => 'floor.js' },
  },
});

const widget = sizes(readFileSync('dist/ai-chat.js'));
const floor = sizes(readFileSync(join(dir, 'out', 'floor.js')));
const kb = (n) => (n / 1024).toFixed(1).padStart(6) + ' KB';
console.log('size                      raw       gzip     brotli');
console.log(`dist/ai-chat.js      ${kb(widget.raw)} ${kb(widget.gzip)} ${kb(widget.brotli)}`);
console.log(`floor (deps alone)   ${kb(floor.raw)} ${kb(floor.gzip)} ${kb(floor.brotli)}`);
console.log(
  `widget's own code    ${kb(widget.raw - floor.raw)} ${kb(widget.gzip - floor.gzip)} ${kb(widget.brotli - floor.brotli)}`,
);
console.log(
  `gzip budget 42 KB: ${widget.gzip <= 42 * 1024 ? 'within' : 'OVER'} (${(widget.gzip / 1024).toFixed(1)} KB)`,
);
