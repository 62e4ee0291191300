// Prints the npm package's package.json; the version is the Cargo workspace's.
import { execFileSync } from 'node:child_process';

const metadata = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps']));
const crate = metadata.packages.find((p) => p.name === 'lagom-wasm');

const manifest = {
  name: 'lagom-billing',
  version: crate.version,
  description: "Lagom's billing core (Lago's charge models, aggregations and billing periods) in WebAssembly.",
  license: crate.license,
  repository: { type: 'git', url: `git+${crate.repository}.git`, directory: 'wasm' },
  type: 'module',
  engines: { node: '>=18' },
  sideEffects: ['./node.js', './eval-node.js'],
  exports: {
    '.': {
      types: './index.d.ts',
      node: './node.js',
      default: './index.js',
    },
    // The eval contracts and price curves alone, over a module a fraction of the size: pricing pages.
    './eval': {
      types: './eval.d.ts',
      node: './eval-node.js',
      default: './eval.js',
    },
    './lagom_wasm_bg.wasm': './lagom_wasm_bg.wasm',
    './lagom_eval_bg.wasm': './lagom_eval_bg.wasm',
    './package.json': './package.json',
  },
  types: './index.d.ts',
  files: [
    'index.js', 'index.d.ts', 'node.js', 'glue.js', 'plugin.js', 'plugin-node.js', 'lagom_wasm.js', 'lagom_wasm.d.ts', 'lagom_wasm_bg.wasm',
    'eval.js', 'eval.d.ts', 'eval-node.js', 'lagom_eval.js', 'lagom_eval.d.ts', 'lagom_eval_bg.wasm',
    // wasm-bindgen's copies of the JS the Rust side imports (src/plain_json.js).
    'snippets/',
    'README.md',
  ],
};
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
