//! `lagom eval CONTRACT`: one JSON document in, one JSON document out.
//!
//! The contracts themselves live in `lagom_core::eval`; this module only reads the document (from a file
//! or standard input) and writes the answer.

use std::io::{Read, Write};
use std::path::Path;

use lagom_core::eval::Contract;

use crate::error::HostError;

/// Reads the input document, runs `contract` on it and writes the JSON answer followed by a newline.
pub fn run(
    contract: Contract,
    input: Option<&Path>,
    pretty: bool,
    out: &mut impl Write,
) -> Result<(), HostError> {
    let document = read_input(input)?;
    let answer = contract.run(&document)?;
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
