//! Custom-pricing plugins: Lago's custom aggregation and custom charge model, run as sandboxed WebAssembly.
//!
//! A plugin is a core WebAssembly module that imports nothing and speaks the Lagom plugin ABI (`abi`, and
//! `docs/plugins.md` for authors). The [`Runtime`] loads plugins, checks them, and runs each call in a fresh
//! sandbox bounded by [`Limits`]; `cli` is the `lagom plugin` command (new, build, test, check).
//!
//! ```
//! use lagom::plugin::{Limits, Runtime};
//!
//! let mut runtime = Runtime::new(Limits::default()).unwrap();
//! let err = runtime.load("junk", b"not wasm").err().unwrap();
//! assert!(err.to_string().starts_with("plugin `junk`: is not a valid WebAssembly module"));
//! ```

pub mod abi;
pub mod cli;
mod custom;
mod error;
mod limits;
mod runtime;

pub use error::{PluginError, Reason};
pub use lagom_core::charge::PLUGIN_PROPERTY;
pub use limits::{EPOCH_TICK, Limits};
pub use runtime::{
    AGGREGATE_BATCH, CONCURRENT_CALLS, Metered, Plugin, Price, Runtime, State, Usage,
};
