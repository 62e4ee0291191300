//! `lagom eval CONTRACT`: one JSON document in, one JSON document out.
//!
//! The contracts themselves live in `lagom_core::eval`; this module reads the document (from a file or
//! standard input), hands `custom` charges to the plugins when there are any, and writes the answer.

use std::io::{Read, Write};
use std::path::Path;

use lagom::plugin::Runtime;
use lagom_core::eval::{Contract, charge, from_json};
use serde_json::Value;

use crate::error::HostError;

/// Reads the input document, runs `contract` on it and writes the JSON answer followed by a newline.
pub fn run(
    contract: Contract,
    input: Option<&Path>,
    pretty: bool,
    plugins: Option<&Runtime>,
    out: &mut impl Write,
) -> Result<(), HostError> {
    let document = read_input(input)?;
    let answer = answer(contract, &document, plugins)?;
    let text = if pretty {
        serde_json::to_string_pretty(&answer)
    } else {
        serde_json::to_string(&answer)
    }
    .map_err(|e| {
        HostError::Core(lagom_core::Error::invalid(
            "",
            format!("cannot write the answer: {e}"),
        ))
    })?;
    writeln!(out, "{text}").map_err(|source| HostError::Io {
        what: "standard output".into(),
        source,
    })
}

/// Runs `contract` on `document`; with `plugins`, a `custom` charge is priced by the plugin its
/// `properties.plugin` names.
pub fn answer(
    contract: Contract,
    document: &str,
    plugins: Option<&Runtime>,
) -> Result<Value, lagom_core::Error> {
    match (contract, plugins) {
        (Contract::Charge, Some(plugins)) => {
            let output = charge::evaluate_with(&from_json(document)?, plugins)?;
            serde_json::to_value(output).map_err(|e| {
                lagom_core::Error::invalid("", format!("cannot write the answer: {e}"))
            })
        }
        _ => contract.run(document),
    }
}

fn read_input(input: Option<&Path>) -> Result<String, HostError> {
    match input {
        Some(path) => std::fs::read_to_string(path).map_err(|source| HostError::Io {
            what: path.display().to_string(),
            source,
        }),
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|source| HostError::Io {
                    what: "standard input".into(),
                    source,
                })?;
            Ok(text)
        }
    }
}
