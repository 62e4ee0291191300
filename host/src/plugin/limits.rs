//! The sandbox's limits for one plugin call: fuel, memory, stack, and request and response sizes.

/// How much one plugin call may use. Every call gets a fresh instance with these limits.
///
/// ```
/// let limits = lagom::plugin::Limits { fuel: 1_000_000, ..Default::default() };
/// assert_eq!(limits.memory_bytes, 64 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel per call: roughly one unit per WebAssembly instruction. Running out stops the call.
    pub fuel: u64,
    /// The most linear memory an instance may have, in bytes.
    pub memory_bytes: usize,
    /// The most native stack a call may use, in bytes (deep recursion stops there).
    pub stack_bytes: usize,
    /// The largest request (JSON) handed to a plugin, in bytes.
    pub input_bytes: usize,
    /// The largest response (JSON) read back from a plugin, in bytes.
    pub output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 10_000_000,
            memory_bytes: 64 * 1024 * 1024,
            stack_bytes: 512 * 1024,
            input_bytes: 16 * 1024 * 1024,
            output_bytes: 1024 * 1024,
        }
    }
}
