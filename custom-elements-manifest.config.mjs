// custom-elements.json is generated from the element's class JSDoc (its public API), never written by hand.
export default {
  globs: ['src/ai-chat.ts', 'src/components/**/*.ts', 'src/events/**/*.ts'],
  exclude: ['src/**/*.styles.ts'],
  outdir: 'dist',
  litelement: true,
};
