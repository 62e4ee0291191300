//! The `lagom` command's library side: what its benchmarks and integration tests reach into.
//!
//! Only the plugin runtime lives here; the commands that use no plugin (`eval`, `serve`) stay in the binary.

pub mod plugin;
