// The glue both entries share (`lagom-billing` and `lagom-billing/eval`): the one LagomError class, and
// the loading and calling of a wasm-bindgen module, so that a failure is thrown as a LagomError.
// Both entries import this one file, so a LagomError from either is `instanceof` the other's.

/** A failure of the billing core: `code` says what kind, `path` which input field (or null). */
export class LagomError extends Error {
  constructor(code, path, message, options) {
    super(message, options);
    this.name = 'LagomError';
    this.code = code;
    this.path = path;
  }
}

/**
 * Binds one wasm-bindgen module (the namespace of its `--target web` glue): `init` and `initSync` load
 * it once, `call` runs one of its exports, and the eval contracts every module exports are wrapped.
 */
export function bind(wasm) {
  let ready = false;

  /**
   * Loads the WebAssembly module. Browsers fetch the `.wasm` next to the module's glue unless given a
   * URL, a Response, the bytes or a compiled WebAssembly.Module. Under Node the module is already
   * loaded on import, and this resolves at once.
   */
  async function init(input) {
    if (!ready) {
      await wasm.default(input === undefined ? undefined : { module_or_path: input });
      ready = true;
    }
  }

  /** Loads the WebAssembly module from its bytes or a compiled WebAssembly.Module, synchronously. */
  function initSync(module) {
    if (!ready) {
      wasm.initSync({ module });
      ready = true;
    }
  }

  function call(raw, ...args) {
    if (!ready) {
      throw new LagomError('not_initialized', null, 'the WebAssembly module is not loaded: await init() first');
    }
    try {
      return raw(...args);
    } catch (thrown) {
      throw asLagomError(thrown, wasm.takePanicMessage);
    }
  }

  // Each wrapper hands on every argument, so an export that grows one (an options object) needs no change here.
  return {
    init,
    initSync,
    call,
    /** Prices units with one charge model (the `charge` contract). */
    evalCharge: (...args) => call(wasm.evalCharge, ...args),
    /** Aggregates events with a billable metric (the `aggregation` contract). */
    evalAggregation: (...args) => call(wasm.evalAggregation, ...args),
    /** Computes the billing period of a subscription on a billing date (the `period` contract). */
    billingPeriod: (...args) => call(wasm.billingPeriod, ...args),
    /** Prices `range.steps + 1` evenly spaced unit counts from `range.from` to `range.to` with one charge. */
    priceCurve: (...args) => call(wasm.priceCurve, ...args),
  };
}

function asLagomError(thrown, takePanicMessage) {
  if (thrown instanceof WebAssembly.RuntimeError) {
    // A panic traps; the core's panic hook kept its message.
    const panic = takePanicMessage();
    return new LagomError('internal', null, `internal error: ${panic ?? thrown.message}`, { cause: thrown });
  }
  if (thrown !== null && typeof thrown === 'object' && !(thrown instanceof Error) && typeof thrown.code === 'string') {
    return new LagomError(thrown.code, thrown.path ?? null, thrown.message);
  }
  return thrown;
}
