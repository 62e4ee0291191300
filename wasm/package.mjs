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
  sideEffects: ['./node.js'],
  exports: {
    '.': {
      types: './index.d.ts',
      node: './node.js',
      default: './index.js',
    },
    './lagom_wasm_bg.wasm': './lagom_wasm_bg.wasm',
    './package.json': './package.json',
  },
  types: './index.d.ts',
  files: ['index.js', 'index.d.ts', 'node.js', 'plugin.js', 'lagom_wasm.js', 'lagom_wasm.d.ts', 'lagom_wasm_bg.wasm', 'README.md'],
};
process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
