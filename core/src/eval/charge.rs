//! The `charge` eval contract (input and output types, and the function that answers it).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The `charge` contract's input.
#[derive(Debug, Clone, Deserialize)]
pub struct Input {}

/// The `charge` contract's output.
#[derive(Debug, Clone, Serialize)]
pub struct Output {}

/// Answers the `charge` contract.
pub fn evaluate(_input: &Input) -> Result<Output> {
    Err(Error::invalid("", "not built yet"))
}
