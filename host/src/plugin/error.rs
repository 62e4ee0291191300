//! What can go wrong with a plugin: loading it (not WebAssembly, imports something, wrong exports or ABI
//! version) or calling it (a sandbox limit, a trap, a malformed or failed response). Every message names the
//! plugin and the reason, on one line.

use thiserror::Error;

/// A failure of the plugin runtime or of a `lagom plugin` command.
#[derive(Debug, Error)]
pub enum PluginError {
    /// One plugin could not be loaded or one call of it failed; other plugins and later calls are unaffected.
    #[error("plugin `{plugin}`: {reason}")]
    Plugin { plugin: String, reason: Reason },

    /// A call named a plugin that is not loaded.
    #[error("no plugin `{name}` is loaded (loaded: {})", if loaded.is_empty() { "none".to_owned() } else { loaded.join(", ") })]
    Unknown { name: String, loaded: Vec<String> },

    /// A file or directory could not be read or written.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    /// A command's input is wrong (a bad events file, a bad option value).
    #[error("{0}")]
    BadInput(String),

    /// Building a plugin with cargo failed (cargo's own diagnostics went to standard error).
    #[error("{0}")]
    Build(String),

    /// The WebAssembly engine could not be set up with the requested limits.
    #[error("cannot set up the WebAssembly engine: {0}")]
    Engine(String),
}

impl PluginError {
    /// The process exit code: 2 for bad input (a bad plugin, file or option: the user can fix it), 1 when
    /// the build or the engine failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            PluginError::Build(_) | PluginError::Engine(_) => 1,
            _ => 2,
        }
    }

    pub(crate) fn plugin(plugin: &str, reason: Reason) -> Self {
        PluginError::Plugin {
            plugin: plugin.to_owned(),
            reason,
        }
    }
}

/// Why one plugin failed to load or one call of it failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Reason {
    /// The bytes are not a WebAssembly module wasmtime accepts.
    #[error("is not a valid WebAssembly module: {0}")]
    Invalid(String),

    /// The module imports something; plugins run with nothing to import.
    #[error("imports `{module}::{name}`: plugins may import nothing")]
    Import { module: String, name: String },

    /// A required export is missing.
    #[error("does not export `{0}`")]
    MissingExport(String),

    /// The module exports neither call.
    #[error("exports neither `lagom_price` nor `lagom_aggregate`")]
    NoCall,

    /// An export has the wrong kind or signature.
    #[error("exports `{name}` as {found}, expected {expected}")]
    WrongExport {
        name: String,
        found: String,
        expected: String,
    },

    /// `lagom_abi_version` returned another version.
    #[error("ABI version {found}, this lagom speaks {}", super::abi::ABI_VERSION)]
    AbiVersion { found: i32 },

    /// The call used up its fuel (an endless loop, or too much work).
    #[error("ran out of fuel after {limit} instructions")]
    OutOfFuel { limit: u64 },

    /// The call ran past its wall-clock deadline.
    #[error("ran past its deadline of {} ms", limit.as_millis())]
    Deadline { limit: std::time::Duration },

    /// The call tried to grow its memory past the cap.
    #[error("exceeded the {} MiB memory limit", limit_bytes / (1024 * 1024))]
    MemoryLimit { limit_bytes: usize },

    /// The call recursed past the stack limit.
    #[error("stack overflow (the limit is {limit_bytes} bytes of stack)")]
    StackOverflow { limit_bytes: usize },

    /// The call trapped (`unreachable`, a panic, an out-of-bounds access, a division by zero, …).
    #[error("trapped: {0}")]
    Trap(String),

    /// The request is larger than plugins are given.
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    InputTooLarge { size: usize, limit: usize },

    /// The response is larger than the host reads.
    #[error("output of {size} bytes exceeds the limit of {limit} bytes")]
    OutputTooLarge { size: usize, limit: usize },

    /// A buffer the plugin handed over lies outside its memory.
    #[error("{what} at {ptr}..{ptr}+{len} lies outside its {memory_bytes}-byte memory")]
    OutOfBounds {
        what: &'static str,
        ptr: u32,
        len: u32,
        memory_bytes: usize,
    },

    /// The response is not `{"ok": …}` or `{"error": "…"}` in JSON.
    #[error("returned a malformed response: {0}")]
    MalformedResponse(String),

    /// The plugin reported an error in its own words (`{"error": "…"}`).
    #[error("failed: {0}")]
    Failed(String),
}

impl From<lagom_core::plugin_abi::ResponseError> for Reason {
    fn from(error: lagom_core::plugin_abi::ResponseError) -> Self {
        use lagom_core::plugin_abi::ResponseError;
        match error {
            ResponseError::Malformed(reason) => Reason::MalformedResponse(reason),
            ResponseError::Failed(message) => Reason::Failed(message),
        }
    }
}
