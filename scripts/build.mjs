// `npm run build`: the library bundles (vite), their types (tsc), the element manifest (CEM analyzer), and the
// Node side (server, node tests) compiled by tsc. Each step is a child process so a failure names its step.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const steps = [
  ['vite (esm)', 'vite', ['build', '--mode', 'esm', '--logLevel', 'warn']],
  ['vite (classic)', 'vite', ['build', '--mode', 'classic', '--logLevel', 'warn']],
  ['types', 'tsc', ['-p', 'tsconfig.types.json']],
  ['manifest', 'cem', ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet']],
  ['node', 'tsc', ['-p', 'tsconfig.node.json']],
];

rmSync('dist', { recursive: true, force: true });
for (const [name, cmd, args] of steps) {
  const r = spawnSync('npx', ['--no-install', cmd, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: step "${name}" failed (exit ${r.status})`);
    process.exit(1);
  }
}
console.log('build: dist/ai-chat.js, dist/index.js, dist/types/, dist/custom-elements.json, dist/node/');
