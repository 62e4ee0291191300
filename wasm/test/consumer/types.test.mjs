// The package's declarations type every input and output: no `any` in any `.d.ts` it ships (the types
// come from the core's Rust types through tsify; wasm-bindgen's raw-export parameters are `unknown`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const pkg = dirname(fileURLToPath(import.meta.resolve('lagom-billing/package.json')));

/** The lines of a declaration file that use `any` outside comments (prose may say "any value"). */
function anyLines(text) {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
    .replace(/\/\/.*$/gm, '');
  return code.split('\n').flatMap((line, i) => (/\bany\b/.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

test('anyLines finds `any` in code and not in comments', () => {
  const text = '/** Any value, any time. */\nexport type A = string;\n// any\nexport type B = { f: (a: any) => void };\n';
  assert.deepEqual(anyLines(text), ['4: export type B = { f: (a: any) => void };']);
});

test('no declaration file of the package uses `any`', () => {
  const files = readdirSync(pkg).filter((f) => f.endsWith('.d.ts'));
  assert.ok(files.includes('index.d.ts') && files.includes('lagom_wasm.d.ts'), `declarations: ${files}`);
  for (const file of files) {
    assert.deepEqual(anyLines(readFileSync(join(pkg, file), 'utf8')), [], `${file} uses \`any\``);
  }
});
