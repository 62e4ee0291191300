// Tests the npm package as a user gets it: packs wasm/pkg/ (built by wasm/build.sh), installs the
// tarball into a fresh consumer project in a temporary folder, copies test/consumer/ there, then runs
// `node --test` (the consumer imports the package by its name) and `tsc --noEmit --strict` over an
// example TypeScript consumer and over every fixture case typed with the package's contract types.
// The scenario fixtures' native outputs come from the `lagom simulate` command (built with cargo here),
// so the consumer tests can assert the package prints byte for byte the same JSON; the plugin scenarios
// (tests/fixtures/plugin_scenarios/) run with `--plugins DIR`, DIR holding the example plugins built for
// wasm32-unknown-unknown, which the consumer loads too. The host's hostile test modules
// (tests/fixtures/plugins/*.wat) are compiled to .wasm with wabt for the consumer's plugin tests.
// test/browser.mjs loads the package in headless Chromium, as it is, bundled by Vite and through Vite's
// dev server.
// A failing run keeps the consumer folder and prints where it is.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import initWabt from 'wabt';

const wasmDir = fileURLToPath(new URL('..', import.meta.url));
const fixtureRoot = fileURLToPath(new URL('../../tests/fixtures', import.meta.url));
const fixtures = join(fixtureRoot, 'eval');
const scenarios = join(fixtureRoot, 'scenarios');
const pluginScenarios = join(fixtureRoot, 'plugin_scenarios');
const examplePlugins = ['time_of_day', 'custom_aggregator'];
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
  writeFileSync(join(consumer, 'fixture-types.ts'), fixtureTypes());
  const plugins = join(consumer, 'plugins');
  copyExamplePlugins(plugins);
  await compileHostilePlugins(join(consumer, 'hostile'));
  const native = nativeOutputs(join(consumer, 'native'), plugins);

  const env = {
    ...process.env, LAGOM_FIXTURES: fixtures, LAGOM_FIXTURE_ROOT: fixtureRoot, LAGOM_SCENARIOS: scenarios,
    LAGOM_NATIVE: native, LAGOM_PLUGINS: plugins, LAGOM_PLUGIN_SCENARIOS: pluginScenarios, LAGOM_HOSTILE: join(consumer, 'hostile'),
  };
  const tests = spawnSync(process.execPath, ['--test'], { cwd: consumer, env, stdio: 'inherit' });
  console.log('\n# the package in headless Chromium');
  const browser = spawnSync(process.execPath, [join(wasmDir, 'test', 'browser.mjs'), consumer], { stdio: 'inherit' });
  console.log('\n# tsc --noEmit --strict over example.ts and fixture-types.ts');
  const types = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '-p', 'tsconfig.json'], { cwd: consumer, stdio: 'inherit' });
  status = [tests, browser, types].every((run) => run.status === 0) ? 0 : 1;
} finally {
  if (status === 0) rmSync(consumer, { recursive: true, force: true });
  else console.error(`\nthe consumer project is kept in ${consumer}`);
}
process.exit(status);

/** `lagom simulate --format json` over each scenario fixture that simulates, into `folder`/<file>, and
 * with `--plugins plugins` over each plugin scenario, into `folder`/plugin_scenarios/<file>. */
function nativeOutputs(folder, plugins) {
  mkdirSync(folder);
  const repo = join(wasmDir, '..');
  execFileSync('cargo', ['build', '--quiet', '-p', 'lagom', '--bin', 'lagom'], { cwd: repo, stdio: 'inherit' });
  const targetDir = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo, encoding: 'utf8' })).target_directory;
  const lagom = join(targetDir, 'debug', 'lagom');
  for (const file of readdirSync(scenarios).filter((f) => f.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(join(scenarios, file), 'utf8'));
    if (fixture.error) continue;
    const input = join(folder, `input-${file}`);
    writeFileSync(input, JSON.stringify(fixture.scenario));
    writeFileSync(join(folder, file), execFileSync(lagom, ['simulate', input, '--format', 'json'], { encoding: 'utf8' }));
  }
  mkdirSync(join(folder, 'plugin_scenarios'));
  for (const file of readdirSync(pluginScenarios).filter((f) => f.endsWith('.json'))) {
    const input = join(folder, `input-plugins-${file}`);
    writeFileSync(input, JSON.stringify(JSON.parse(readFileSync(join(pluginScenarios, file), 'utf8')).scenario));
    const output = execFileSync(lagom, ['simulate', input, '--format', 'json', '--plugins', plugins], { encoding: 'utf8' });
    writeFileSync(join(folder, 'plugin_scenarios', file), output);
  }
  return folder;
}

/** The example plugins as `cargo build --release --target wasm32-unknown-unknown` leaves them. */
function copyExamplePlugins(folder) {
  mkdirSync(folder);
  const repo = join(wasmDir, '..');
  const targetDir = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo, encoding: 'utf8' })).target_directory;
  for (const name of examplePlugins) {
    const built = join(targetDir, 'wasm32-unknown-unknown', 'release', `${name}.wasm`);
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: cargo build --release --target wasm32-unknown-unknown -p time-of-day -p custom-aggregator`);
    }
    cpSync(built, join(folder, `${name}.wasm`));
  }
}

/** tests/fixtures/plugins/*.wat → `folder`/<name>.wasm. */
async function compileHostilePlugins(folder) {
  mkdirSync(folder);
  const wabt = await initWabt();
  const wats = join(fixtureRoot, 'plugins');
  for (const file of readdirSync(wats).filter((f) => f.endsWith('.wat'))) {
    const module = wabt.parseWat(file, readFileSync(join(wats, file), 'utf8'));
    writeFileSync(join(folder, file.replace(/\.wat$/, '.wasm')), module.toBinary({}).buffer);
    module.destroy();
  }
}

/** Every fixture case's input and output as a typed constant: the types must accept what the core does. */
function fixtureTypes() {
  const types = {
    charge: ['ChargeEvalInput', 'ChargeEvalOutput'],
    aggregation: ['AggregationEvalInput', 'AggregationEvalOutput'],
    period: ['BillingPeriodInput', 'BillingPeriodOutput'],
  };
  const names = [...Object.values(types).flat(), 'Scenario'];
  const lines = [`import type { ${names.join(', ')} } from 'lagom-billing';`, ''];
  // Every scenario fixture that simulates is a `Scenario`.
  for (const file of readdirSync(scenarios).filter((f) => f.endsWith('.json')).sort()) {
    const fixture = JSON.parse(readFileSync(join(scenarios, file), 'utf8'));
    if (fixture.error) continue;
    lines.push(`export const scenario_${file.replace(/\W/g, '_')}: Scenario = ${JSON.stringify(fixture.scenario)};`);
  }
  for (const [contract, [input, output]] of Object.entries(types)) {
    const folder = join(fixtures, contract);
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')).sort() : [];
    for (const file of files) {
      const { cases } = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      // Bad inputs are meant not to fit the contract.
      cases.filter((c) => c.output !== undefined).forEach((c, i) => {
        const name = `${contract}_${file.replace(/\W/g, '_')}_${i}`;
        lines.push(`// ${contract}/${file}: ${c.name}`);
        lines.push(`export const ${name}_in: ${input} = ${JSON.stringify(c.input)};`);
        lines.push(`export const ${name}_out: ${output} = ${JSON.stringify(c.output)};`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}
