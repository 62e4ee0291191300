//! Lagom's billing core: Lago's billing semantics as pure, deterministic functions.
//!
//! Data flows one way: the serde types of the Lago API are parsed into checked values, events are
//! aggregated by a [`metric::BillableMetric`], the result is priced by a [`charge::ChargeModel`], and
//! billing periods come from [`period`]. Nothing here reads a clock, a file or the network, and no
//! money is ever held in a float: amounts are [`rust_decimal::Decimal`], checked for overflow.
//!
//! [`eval`] exposes the three JSON contracts (`charge`, `aggregation`, `period`) that the `lagom eval`
//! command, the wasm package and the HTTP server share.
#![forbid(unsafe_code)]

pub mod add_on;
pub mod charge;
pub mod coupon;
pub mod credit_note;
pub mod customer;
pub mod decimal;
pub mod error;
pub mod eval;
pub mod event;
pub mod event_import;
pub mod fee;
pub mod invoice;
pub mod metric;
pub mod money;
pub mod period;
pub mod plan;
pub mod plugin_abi;
pub mod simulate;
pub mod subscription;
pub mod tax;
pub mod time;
#[cfg(feature = "typescript")]
mod typescript;
pub mod usage;
mod validate;
pub mod wallet;

pub use error::{Error, Result};
