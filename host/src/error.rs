//! The host's one error type: what can go wrong between a user's command (or HTTP request) and the core.
//!
//! How each error becomes an HTTP response (status, code) lives with the server, in `serve::errors`.

use thiserror::Error;

/// A failure of a `lagom` command.
#[derive(Debug, Error)]
pub enum HostError {
    /// The input was read but the core rejected it (bad JSON, a bad field, an arithmetic failure).
    #[error("{0}")]
    Core(#[from] lagom_core::Error),

    /// A plugin could not be loaded (`--plugins`), or the plugin runtime could not start.
    #[error("{0}")]
    Plugin(#[from] lagom::plugin::PluginError),

    /// The input or output could not be read or written.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },

    /// An HTTP request body is not JSON text (a syntax error, or bytes that are not UTF-8).
    #[error("malformed JSON: {0}")]
    MalformedJson(String),

    /// An HTTP request body is larger than the server accepts.
    #[error("the request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },

    /// An HTTP request body could not be read to its end (the client went away mid-upload).
    #[error("cannot read the request body: {0}")]
    BodyUnreadable(String),

    /// An HTTP request names an eval contract that does not exist.
    #[error("no eval contract `{name}`, expected one of: {}", lagom_core::eval::Contract::NAMES.join(", "))]
    UnknownContract { name: String },

    /// No HTTP route answers this path.
    #[error("no route for {method} {path}")]
    NoRoute { method: String, path: String },

    /// The HTTP route exists, but not for this method.
    #[error("method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },

    /// An HTTP request ran past the server's per-request time limit.
    #[error("the request took longer than the limit of {secs} s")]
    TimedOut { secs: u64 },

    /// An evaluation ended without an answer (its task panicked or was cancelled): a bug, not bad input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl HostError {
    /// The process exit code: 2 for bad input (the user can fix it), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            HostError::Core(_) => 2,
            HostError::Plugin(err) => err.exit_code(),
            _ => 1,
        }
    }
}
