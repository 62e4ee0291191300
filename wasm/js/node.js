// The package's entry for Node: loads the WebAssembly module synchronously on import, so the
// functions work at once (and `require()` of this ES module works on Node >= 20.19). `loadPlugin`
// also reads a plugin from a file path or a file: URL.
import { readFileSync } from 'node:fs';
import { initSync } from './index.js';

initSync(readFileSync(new URL('./lagom_wasm_bg.wasm', import.meta.url)));

export * from './index.js';
export { loadPlugin } from './plugin-node.js';
