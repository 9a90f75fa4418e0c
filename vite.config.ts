import { defineConfig } from 'vite';

/**
 * Two library builds from one config, chosen by `--mode`:
 * - `classic`: `dist/ai-chat.js`, one minified IIFE with every dependency inlined, for a plain `<script>` tag.
 * - `esm` (default): `dist/index.js` + `dist/protocol.js` for bundlers, runtime dependencies left external so the
 *   app's bundler dedupes lit, marked and DOMPurify with its own copies.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'classic') {
    return {
      build: {
        outDir: 'dist',
        emptyOutDir: false,
        target: 'es2021',
        minify: true,
        sourcemap: false,
        lib: {
          entry: 'src/ai-chat-classic.ts',
          name: 'AiChat',
          formats: ['iife'],
          fileName: () => 'ai-chat.js',
        },
      },
    };
  }
  return {
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2021',
      minify: false,
      sourcemap: true,
      lib: {
        entry: { index: 'src/index.ts', protocol: 'src/protocol.ts' },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rollupOptions: {
        // Every runtime dependency and its subpaths (lit/decorators.js, lit/directives/…) stay imports.
        external: (id) =>
          /^(lit|@lit\/|lit-html|lit-element|marked|dompurify|@microsoft\/fetch-event-source)(\/|$)/.test(id),
      },
    },
  };
});
