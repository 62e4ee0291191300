// Tests the npm package as a user gets it: packs wasm/pkg/ (built by wasm/build.sh), installs the
// tarball into a fresh consumer project in a temporary folder, copies test/consumer/ there, then runs
// `node --test` (the consumer imports the package by its name) and `tsc --noEmit --strict` over an
// example TypeScript consumer.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const wasmDir = fileURLToPath(new URL('..', import.meta.url));
const fixtures = fileURLToPath(new URL('../../tests/fixtures/eval', import.meta.url));
const tsc = join(wasmDir, 'node_modules', 'typescript', 'bin', 'tsc');

const consumer = mkdtempSync(join(tmpdir(), 'lagom-consumer-'));
let status = 1;
try {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', consumer, join(wasmDir, 'pkg')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [tarball] = readdirSync(consumer).filter((f) => f.endsWith('.tgz'));
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'lagom-consumer', private: true, type: 'module' }));
  // The package has no dependencies: installing it needs no network.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', `./${tarball}`], { cwd: consumer, stdio: 'inherit' });
  cpSync(join(wasmDir, 'test', 'consumer'), consumer, { recursive: true });

  const env = { ...process.env, LAGOM_FIXTURES: fixtures };
  const tests = spawnSync(process.execPath, ['--test'], { cwd: consumer, env, stdio: 'inherit' });
  console.log('\n# tsc --noEmit --strict over example.ts');
  const types = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '-p', 'tsconfig.json'], { cwd: consumer, stdio: 'inherit' });
  status = tests.status === 0 && types.status === 0 ? 0 : 1;
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
process.exit(status);
