//! Cross-crate tests of Lagom live under `tests/`; this library is empty.
