// custom-elements.json is generated from the element's class JSDoc (its public API), never written by hand.
export default {
  globs: ['src/ai-chat.ts', 'src/components/**/*.ts', 'src/events/**/*.ts'],
  exclude: ['src/**/*.styles.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [
    {
      // The analyzer also records `dispatchEvent(new SomeEvent(…))` calls, but cannot read the event's name from an
      // Event subclass; the `@fires` tags already list every event by name, so the nameless copies are dropped.
      name: 'ai-chat:drop-nameless-events',
      packageLinkPhase({ customElementsManifest }) {
        for (const mod of customElementsManifest.modules) {
          for (const decl of mod.declarations ?? []) {
            if (decl.events) decl.events = decl.events.filter((e) => e.name);
          }
        }
      },
    },
  ],
};
