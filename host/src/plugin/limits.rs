//! The sandbox's limits for one plugin call: fuel, wall-clock time, memory, stack, and request and
//! response sizes.

use std::time::Duration;

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
    /// Wall-clock time per call (instantiation included), checked every [`EPOCH_TICK`]: a call still
    /// running past it is stopped, whatever fuel it has left (a machine under load, a slow host path).
    pub deadline: Duration,
    /// The most linear memory an instance may have, in bytes.
    pub memory_bytes: usize,
    /// The most native stack a call may use, in bytes (deep recursion stops there).
    pub stack_bytes: usize,
    /// The largest request (JSON) handed to a plugin, in bytes.
    pub input_bytes: usize,
    /// The largest response (JSON) read back from a plugin, in bytes.
    pub output_bytes: usize,
}

/// How often the runtime's clock thread advances the engine's epoch: the granularity of
/// [`Limits::deadline`].
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

impl Limits {
    /// The deadline in epoch ticks, rounded up, at least one.
    ///
    /// ```
    /// use std::time::Duration;
    /// let limits = lagom::plugin::Limits { deadline: Duration::from_millis(25), ..Default::default() };
    /// assert_eq!(limits.deadline_ticks(), 3);
    /// ```
    pub fn deadline_ticks(&self) -> u64 {
        let tick = EPOCH_TICK.as_nanos();
        let ticks = self.deadline.as_nanos().div_ceil(tick).max(1);
        u64::try_from(ticks).unwrap_or(u64::MAX)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 10_000_000,
            deadline: Duration::from_secs(1),
            memory_bytes: 64 * 1024 * 1024,
            stack_bytes: 512 * 1024,
            input_bytes: 16 * 1024 * 1024,
            output_bytes: 1024 * 1024,
        }
    }
}
