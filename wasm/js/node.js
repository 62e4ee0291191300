// The package's entry for Node: loads the WebAssembly module synchronously on import, so the
// functions work at once (and `require()` of this ES module works on Node >= 20.19). `loadPlugin`
// also reads a plugin from a file path or a file: URL.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSync, loadPlugin as loadPluginFrom } from './index.js';

initSync(readFileSync(new URL('./lagom_wasm_bg.wasm', import.meta.url)));

export * from './index.js';

/** Compiles and checks a plugin; a path or file: URL is read from disk and named after its file stem. */
export async function loadPlugin(source, options = {}) {
  const path = source instanceof URL && source.protocol === 'file:' ? fileURLToPath(source)
    : typeof source === 'string' && !/^[a-z][a-z0-9+.-]+:/i.test(source) ? source : null;
  if (path === null) return loadPluginFrom(source, options);
  return loadPluginFrom(await readFile(path), { name: basename(path).replace(/\.wasm$/, ''), ...options });
}
