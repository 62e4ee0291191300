// The eval-only entry for Node: loads the eval-only module synchronously on import (see ./node.js).
import { readFileSync } from 'node:fs';
import { initSync } from './eval.js';

initSync(readFileSync(new URL('./lagom_eval_bg.wasm', import.meta.url)));

export * from './eval.js';
export { loadPlugin } from './plugin-node.js';
