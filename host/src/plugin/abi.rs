//! The host side of the Lagom plugin ABI v1 (specified in `docs/plugins.md`): which exports a module must
//! have and with which signatures, and how a response's address is packed. What a response must hold is
//! read by the core (`lagom_core::plugin_abi`), which the npm package's runtime shares.

use wasmtime::{ExternType, FuncType, Module};

use super::error::Reason;

/// The ABI version this host speaks.
pub const ABI_VERSION: i32 = 1;

/// The exported linear memory requests and responses live in.
pub const MEMORY: &str = "memory";
/// `() -> i32`: the ABI version the plugin speaks.
pub const ABI_VERSION_EXPORT: &str = "lagom_abi_version";
/// `(len: i32) -> i32`: reserves `len` bytes for a request, returns their address.
pub const ALLOC: &str = "lagom_alloc";

/// One of the two calls a plugin may export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `lagom_price(ptr: i32, len: i32) -> i64`: a custom charge model.
    Price,
    /// `lagom_aggregate(ptr: i32, len: i32) -> i64`: a custom aggregation (Lago's `custom_agg`).
    Aggregate,
}

impl Call {
    /// The export's name.
    pub fn export(self) -> &'static str {
        match self {
            Call::Price => "lagom_price",
            Call::Aggregate => "lagom_aggregate",
        }
    }
}

/// Which calls a module exports, once its interface has been checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calls {
    pub price: bool,
    pub aggregate: bool,
}

impl Calls {
    /// Whether `call` is exported.
    pub fn has(self, call: Call) -> bool {
        match call {
            Call::Price => self.price,
            Call::Aggregate => self.aggregate,
        }
    }
}

/// Checks that `module` imports nothing and exports the memory, `lagom_abi_version`, `lagom_alloc` and at
/// least one call, each with the ABI's signature.
pub fn check_interface(module: &Module) -> Result<Calls, Reason> {
    if let Some(import) = module.imports().next() {
        return Err(Reason::Import {
            module: import.module().to_owned(),
            name: import.name().to_owned(),
        });
    }
    match module.get_export(MEMORY) {
        None => return Err(Reason::MissingExport(MEMORY.to_owned())),
        Some(ExternType::Memory(memory)) if !memory.is_64() && !memory.is_shared() => {}
        Some(other) => {
            return Err(Reason::WrongExport {
                name: MEMORY.to_owned(),
                found: describe(&other),
                expected: "a 32-bit, unshared memory".to_owned(),
            });
        }
    }
    require_func(module, ABI_VERSION_EXPORT, "() -> i32")?;
    require_func(module, ALLOC, "(i32) -> i32")?;
    let calls = Calls {
        price: optional_func(module, Call::Price.export(), CALL_SIGNATURE)?,
        aggregate: optional_func(module, Call::Aggregate.export(), CALL_SIGNATURE)?,
    };
    if calls.price || calls.aggregate {
        Ok(calls)
    } else {
        Err(Reason::NoCall)
    }
}

const CALL_SIGNATURE: &str = "(i32, i32) -> i64";

fn require_func(module: &Module, name: &str, signature: &str) -> Result<(), Reason> {
    if optional_func(module, name, signature)? {
        Ok(())
    } else {
        Err(Reason::MissingExport(name.to_owned()))
    }
}

/// Whether `name` is exported, as a function of `signature`; an export of another kind or signature is an error.
fn optional_func(module: &Module, name: &str, signature: &str) -> Result<bool, Reason> {
    match module.get_export(name) {
        None => Ok(false),
        Some(ExternType::Func(func)) if func_signature(&func) == signature => Ok(true),
        Some(other) => Err(Reason::WrongExport {
            name: name.to_owned(),
            found: describe(&other),
            expected: format!("a function {signature}"),
        }),
    }
}

fn func_signature(func: &FuncType) -> String {
    let list = |types: Vec<String>| types.join(", ");
    let params = list(func.params().map(|t| t.to_string()).collect());
    let results: Vec<String> = func.results().map(|t| t.to_string()).collect();
    match results.as_slice() {
        [single] => format!("({params}) -> {single}"),
        _ => format!("({params}) -> ({})", list(results)),
    }
}

fn describe(export: &ExternType) -> String {
    match export {
        ExternType::Func(func) => format!("a function {}", func_signature(func)),
        ExternType::Memory(memory) if memory.is_64() => "a 64-bit memory".to_owned(),
        ExternType::Memory(memory) if memory.is_shared() => "a shared memory".to_owned(),
        ExternType::Memory(_) => "a memory".to_owned(),
        ExternType::Global(_) => "a global".to_owned(),
        ExternType::Table(_) => "a table".to_owned(),
        ExternType::Tag(_) => "a tag".to_owned(),
    }
}

/// Splits a call's result into the response's address and length: `(ptr << 32) | len`, both unsigned.
pub fn unpack(packed: i64) -> (u32, u32) {
    let bits = packed as u64;
    ((bits >> 32) as u32, bits as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_address_and_length() {
        // ptr 0x0001_0000 (65 536), len 22.
        assert_eq!(unpack(0x0001_0000_0000_0016), (65_536, 22));
        // A pointer with the top bit set makes the packed i64 negative; both halves stay unsigned.
        assert_eq!(unpack(-1), (u32::MAX, u32::MAX));
    }
}
