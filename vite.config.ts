import { defineConfig, type Plugin } from 'vite';

/**
 * Lit's `css` templates ship as written. In `*.styles.ts` files (which hold no `${}` interpolation) this drops
 * comments and collapses white space, leaving spaces around `:` alone (`.a :hover` and `.a:hover` differ).
 */
function minifyLitCss(): Plugin {
  return {
    name: 'ai-chat:minify-lit-css',
    transform(code, id) {
      if (!id.endsWith('.styles.ts')) return null;
      return code.replace(/css`([^`$]*)`/g, (_match, body: string) => {
        const min = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,])\s*/g, '$1')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${min}\``;
      });
    },
  };
}

/**
 * Two library builds from one config, chosen by `--mode`:
 * - `classic`: `dist/ai-chat.js`, one minified IIFE with every dependency inlined, for a plain `<script>` tag.
 * - `esm` (default): `dist/index.js` + `dist/protocol.js` for bundlers, runtime dependencies left external so the
 *   app's bundler dedupes lit, marked and DOMPurify with its own copies.
 */
export default defineConfig(({ mode }) => {
  if (mode === 'classic') {
    return {
      plugins: [minifyLitCss()],
      build: {
        outDir: 'dist',
        emptyOutDir: false,
        target: 'es2022',
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
    // No CSS collapsing here: this build ships sourcemaps, and the app's own bundler decides how far to minify.
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
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
