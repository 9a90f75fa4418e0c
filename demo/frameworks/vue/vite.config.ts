import { defineConfig } from 'vite';

// This example compiles its template in the browser, so it needs Vue's full build (runtime + compiler). With
// single-file components and @vitejs/plugin-vue none of this is needed.
export default defineConfig({
  resolve: { alias: { vue: 'vue/dist/vue.esm-bundler.js' } },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
});
