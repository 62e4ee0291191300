// JSON.stringify for the module's inputs, when it gives what the Rust side would read from the value
// itself (lib.rs `to_json`): the fast way in for large documents.

/** Whether `value` holds only what JSON does: null, booleans, numbers, well-formed strings, arrays and plain objects. */
function plain(value) {
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return true;
    case 'string':
      // A lone surrogate: JSON.stringify escapes it, which serde_json refuses.
      return typeof value.isWellFormed !== 'function' || value.isWellFormed();
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        // A hole is undefined: not plain.
        for (let i = 0; i < value.length; i += 1) if (!plain(value[i])) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key of Object.keys(value)) if (!plain(value[key])) return false;
      return true;
    }
    default:
      // undefined, functions, symbols and BigInts: JSON.stringify would drop, null or refuse them.
      return false;
  }
}

/** `JSON.stringify(value)` when `value` is plain, else undefined (also for a cycle or deep nesting). */
export function plainJson(value) {
  try {
    return plain(value) ? JSON.stringify(value) : undefined;
  } catch {
    return undefined;
  }
}
