import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through esbuild: no Babel preset needed.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // The dev server's dependency pre-bundling would move the package's code away from its .wasm file.
  optimizeDeps: { exclude: ['lagom-billing'] },
  build: { target: 'es2022' },
});
