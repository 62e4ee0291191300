// `loadPlugin` for Node, shared by both Node entries: a plugin given as a file path or a file: URL is
// read from disk and named after its file stem; any other source goes to ./plugin.js as it is.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlugin as loadPluginFrom } from './plugin.js';

/** Compiles and checks a plugin; a path or file: URL is read from disk and named after its file stem. */
export async function loadPlugin(source, options = {}) {
  const path = source instanceof URL && source.protocol === 'file:' ? fileURLToPath(source)
    : typeof source === 'string' && !/^[a-z][a-z0-9+.-]+:/i.test(source) ? source : null;
  if (path === null) return loadPluginFrom(source, options);
  return loadPluginFrom(await readFile(path), { name: basename(path).replace(/\.wasm$/, ''), ...options });
}
