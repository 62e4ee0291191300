// Plugins in JavaScript: the same .wasm plugin the native host runs (docs/plugins.md, ABI version 1),
// compiled with the WebAssembly API of the browser or of Node. `loadPlugin` compiles and checks a
// module once; each `call` runs in a fresh instance, like the host's. What JavaScript cannot do is
// meter fuel or stop a running call: see the README's "Custom pricing" section.
import { LagomError } from './index.js';

/** The ABI version this package speaks. */
export const ABI_VERSION = 1;

/** The host's default limits (docs/plugins.md, "Limits") that JavaScript can enforce. */
export const PLUGIN_LIMITS = Object.freeze({
  memoryBytes: 64 * 1024 * 1024,
  inputBytes: 16 * 1024 * 1024,
  outputBytes: 1024 * 1024,
});

const CALLS = { price: 'lagom_price', aggregate: 'lagom_aggregate' };
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A compiled, checked plugin. Give it to `simulate`, `evalCharge` or `Workspace#simulate` as `{ custom: { plugins: [plugin] } }`. */
export class Plugin {
  #module;

  constructor(name, module, calls) {
    this.name = name;
    this.calls = Object.freeze(calls);
    this.#module = module;
    Object.freeze(this);
  }

  /** The compiled module. */
  get module() {
    return this.#module;
  }

  /**
   * One ABI call in a fresh instance: `request` (JSON text) in, the response (JSON text) out, as the
   * plugin wrote it. Throws a LagomError (code `custom`) naming the plugin when the call fails.
   */
  call(kind, request) {
    const name = CALLS[kind];
    if (name === undefined) throw new LagomError('invalid', 'kind', `must be "price" or "aggregate" (got ${String(kind)})`);
    if (!this.calls[kind]) throw this.#fail(`does not export \`${name}\``);
    const bytes = encoder.encode(request);
    if (bytes.length > PLUGIN_LIMITS.inputBytes) {
      throw this.#fail(`input of ${bytes.length} bytes exceeds the limit of ${PLUGIN_LIMITS.inputBytes} bytes`);
    }
    const exports = this.#instantiate();
    const memory = exports.memory;
    const ptr = this.#run(() => exports.lagom_alloc(bytes.length)) >>> 0;
    this.#inBounds(memory, 'the request buffer from lagom_alloc', ptr, bytes.length);
    new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
    const packed = this.#run(() => exports[name](ptr | 0, bytes.length));
    if (typeof packed !== 'bigint') {
      throw this.#fail(`returned ${typeof packed} from \`${name}\`, expected an i64 (the export's signature must be (i32, i32) -> i64)`);
    }
    this.#withinMemory(memory);
    const bits = BigInt.asUintN(64, packed);
    const [out, length] = [Number(bits >> 32n), Number(bits & 0xffffffffn)];
    if (length > PLUGIN_LIMITS.outputBytes) {
      throw this.#fail(`output of ${length} bytes exceeds the limit of ${PLUGIN_LIMITS.outputBytes} bytes`);
    }
    this.#inBounds(memory, 'the response', out, length);
    try {
      return decoder.decode(new Uint8Array(memory.buffer, out, length));
    } catch {
      throw this.#fail('returned a malformed response: not JSON (not UTF-8)');
    }
  }

  /** A fresh instance's exports, its memory checked against the cap. */
  #instantiate() {
    // A synchronous `new WebAssembly.Instance` of an already compiled module is allowed on a browser's
    // main thread whatever the module's size (only synchronous *compilation* is limited to 4 KB).
    const instance = this.#run(() => new WebAssembly.Instance(this.#module, {}));
    this.#withinMemory(instance.exports.memory);
    return instance.exports;
  }

  /** Runs guest code, naming a trap as the host does. */
  #run(guest) {
    try {
      return guest();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw this.#fail(`trapped: ${e.message}`, e);
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw this.#fail('stack overflow', e);
      throw this.#fail(`failed in JavaScript: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }

  /** The memory cap can only be checked between guest calls: JavaScript cannot refuse a grow. */
  #withinMemory(memory) {
    if (memory.buffer.byteLength > PLUGIN_LIMITS.memoryBytes) {
      throw this.#fail(`exceeded the ${PLUGIN_LIMITS.memoryBytes / (1024 * 1024)} MiB memory limit`);
    }
  }

  #inBounds(memory, what, ptr, length) {
    const size = memory.buffer.byteLength;
    if (ptr + length > size) throw this.#fail(`${what} at ${ptr}..${ptr}+${length} lies outside its ${size}-byte memory`);
  }

  #fail(reason, cause) {
    return new LagomError('custom', null, `plugin \`${this.name}\`: ${reason}`, cause === undefined ? undefined : { cause });
  }
}

/**
 * Compiles and checks a plugin. `source` is its bytes (a Uint8Array or an ArrayBuffer), a Response,
 * a URL or URL string to fetch, or a compiled WebAssembly.Module; `options.name` is the name charges
 * use in `properties.plugin` (by default the file stem of a URL or Response's URL, like the host's).
 */
export async function loadPlugin(source, options = {}) {
  const name = options.name ?? fileStem(source);
  if (typeof name !== 'string' || name === '') {
    throw new LagomError('invalid', 'name', 'a plugin needs a name: pass { name } (only a URL gives one by itself)');
  }
  let module;
  try {
    module = await compile(source);
  } catch (e) {
    if (e instanceof LagomError) throw e;
    throw new LagomError('invalid', null, `plugin \`${name}\`: is not a valid WebAssembly module: ${e.message}`, { cause: e });
  }
  const calls = checkInterface(name, module);
  const plugin = new Plugin(name, module, calls);
  checkVersion(plugin);
  return plugin;
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof Response !== 'undefined' && source instanceof Response) return compileResponse(source);
  if (typeof source === 'string' || source instanceof URL) return compileResponse(await fetch(source));
  throw new LagomError('invalid', 'source', 'must be the bytes, a Response, a URL or a WebAssembly.Module of a plugin');
}

async function compileResponse(response) {
  if (!response.ok) throw new LagomError('invalid', 'source', `cannot fetch ${response.url}: HTTP ${response.status}`);
  // compileStreaming needs the application/wasm content type; other servers get the bytes compiled.
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

function fileStem(source) {
  let url = null;
  if (typeof source === 'string' || source instanceof URL) url = String(source);
  else if (typeof Response !== 'undefined' && source instanceof Response) url = source.url;
  const file = url?.split(/[?#]/)[0].split(/[\\/]/).pop() ?? '';
  return file.replace(/\.wasm$/, '') || undefined;
}

/**
 * The ABI's interface check, as far as JavaScript can see it: imports, and each export's kind and
 * number of parameters. Value types are invisible to the WebAssembly JS API; a result of the wrong
 * type shows at the first call.
 */
function checkInterface(name, module) {
  const refuse = (reason) => new LagomError('invalid', null, `plugin \`${name}\`: ${reason}`);
  const [imported] = WebAssembly.Module.imports(module);
  if (imported) throw refuse(`imports \`${imported.module}::${imported.name}\`: plugins may import nothing`);
  const kinds = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const expect = (exportName, kind, expected, required) => {
    const found = kinds.get(exportName);
    if (found === undefined) {
      if (required) throw refuse(`does not export \`${exportName}\``);
      return false;
    }
    if (found !== kind) throw refuse(`exports \`${exportName}\` as a ${found}, expected ${expected}`);
    return true;
  };
  expect('memory', 'memory', 'a 32-bit, unshared memory', true);
  expect('lagom_abi_version', 'function', 'a function () -> i32', true);
  expect('lagom_alloc', 'function', 'a function (i32) -> i32', true);
  const calls = {
    price: expect(CALLS.price, 'function', 'a function (i32, i32) -> i64', false),
    aggregate: expect(CALLS.aggregate, 'function', 'a function (i32, i32) -> i64', false),
  };
  if (!calls.price && !calls.aggregate) throw refuse('exports neither `lagom_price` nor `lagom_aggregate`');
  return calls;
}

/** Asks a fresh instance its ABI version, and checks what the instance shows of its exports. */
function checkVersion(plugin) {
  const refuse = (reason) => new LagomError('invalid', null, `plugin \`${plugin.name}\`: ${reason}`);
  let exports;
  let version;
  try {
    exports = new WebAssembly.Instance(plugin.module, {}).exports;
    version = exports.lagom_abi_version();
  } catch (e) {
    throw refuse(e instanceof WebAssembly.RuntimeError ? `trapped: ${e.message}` : e.message);
  }
  if (typeof SharedArrayBuffer !== 'undefined' && exports.memory.buffer instanceof SharedArrayBuffer) {
    throw refuse('exports `memory` as a shared memory, expected a 32-bit, unshared memory');
  }
  const parameters = { lagom_abi_version: 0, lagom_alloc: 1, lagom_price: 2, lagom_aggregate: 2 };
  for (const [exportName, count] of Object.entries(parameters)) {
    const found = exports[exportName]?.length;
    if (found !== undefined && found !== count) {
      throw refuse(`exports \`${exportName}\` as a function of ${found} parameter${found === 1 ? '' : 's'}, expected ${count}`);
    }
  }
  if (version !== ABI_VERSION) throw refuse(`ABI version ${version}, this lagom speaks ${ABI_VERSION}`);
}
