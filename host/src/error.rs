//! The host's one error type: what can go wrong between a user's command and the core.

use thiserror::Error;

/// A failure of a `lagom` command.
#[derive(Debug, Error)]
pub enum HostError {
    /// The input was read but the core rejected it (bad JSON, a bad field, an arithmetic failure).
    #[error("{0}")]
    Core(#[from] lagom_core::Error),

    /// The input or output could not be read or written.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl HostError {
    /// The process exit code: 2 for bad input (the user can fix it), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            HostError::Core(_) => 2,
            HostError::Io { .. } => 1,
        }
    }
}
