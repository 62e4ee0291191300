import { defineConfig } from 'vite';

// Preact's automatic JSX runtime through esbuild: no Babel preset needed.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // The dev server's dependency pre-bundling would move the package's code away from its .wasm file.
  optimizeDeps: { exclude: ['lagom-billing'] },
  // The package is linked from ../wasm/pkg: let the dev server read its .wasm there.
  server: { fs: { allow: ['.', '../wasm/pkg'] } },
  build: { target: 'es2022' },
});
