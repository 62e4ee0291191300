//! The `aggregation` eval contract (input and output types, and the function that answers it).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The `aggregation` contract's input.
#[derive(Debug, Clone, Deserialize)]
pub struct Input {}

/// The `aggregation` contract's output.
#[derive(Debug, Clone, Serialize)]
pub struct Output {}

/// Answers the `aggregation` contract.
pub fn evaluate(_input: &Input) -> Result<Output> {
    Err(Error::invalid("", "not built yet"))
}
