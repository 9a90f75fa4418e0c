// Browser tests of <ai-chat> in real (headless) Chromium. SSE fixture endpoints are served by the same dev server
// under /sse/..., so tests exercise real streaming bytes without a separate backend.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { classicBundle, sseFixtures } from './test/fixtures/sse-fixtures.mjs';
import { companionServers } from './test/fixtures/companion.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

// The real companion server (built by `npm run build`) for resume and stop tests, behind a cutting TCP proxy.
const companion = await companionServers();

export default {
  // csp.test.ts runs only inside csp.test.html, whose meta tag sets a strict CSP with Trusted Types.
  files: ['test/element/**/*.test.ts', '!test/element/csp.test.ts', 'test/element/csp.test.html'],
  nodeResolve: true,
  concurrency: 1,
  testsFinishTimeout: 90_000,
  testFramework: { config: { timeout: 10_000 } },
  middleware: [sseFixtures(), classicBundle(), companion.middleware],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
      },
    }),
  ],
};
