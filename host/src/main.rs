//! `lagom`: Lago's billing core on the command line (`lagom eval`) and over HTTP (`lagom serve`), and the
//! tooling for custom-pricing plugins (`lagom plugin`).

mod error;
mod eval;
mod openapi;
mod plugins;
mod serve;
mod simulate;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use lagom::plugin;
use lagom_core::eval::Contract;

use crate::error::HostError;

/// Lagom: Lago's billing semantics, evaluated locally.
#[derive(Debug, Parser)]
#[command(name = "lagom", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate one contract: a JSON document on standard input (or --input), a JSON answer on standard output.
    ///
    /// Bad input exits with code 2 and one line on standard error naming the JSON path and the reason.
    Eval {
        /// Which contract to evaluate.
        contract: ContractName,
        /// Read the document from this file instead of standard input.
        #[arg(long, short)]
        input: Option<PathBuf>,
        /// Indent the answer.
        #[arg(long)]
        pretty: bool,
        #[command(flatten)]
        plugins: plugins::PluginArgs,
    },
    /// Serve the eval contracts over HTTP (and the web app, or a built-in page, at `/`) until SIGTERM or Ctrl-C.
    ///
    /// Routes: GET /health, POST /api/v1/eval/{charge,aggregation,period}, POST /api/v1/simulate,
    /// POST /api/v1/validate, GET /api/v1/plugins. Logs go to standard error at the level RUST_LOG sets (default info).
    Serve(serve::Options),
    /// Replay a scenario (catalog, customers, timeline of API calls) on a virtual clock and print the
    /// invoices Lago would produce, the queries' answers and the warnings.
    ///
    /// A bad scenario exits with code 2 and one line naming the step, the JSON path and the reason.
    Simulate {
        /// The scenario document (JSON).
        scenario: PathBuf,
        /// Run the clock up to this instant (ISO 8601), instead of the document's `until`.
        #[arg(long)]
        until: Option<String>,
        /// Print the whole output as JSON, or a table of invoices.
        #[arg(long, value_enum, default_value = "json")]
        format: simulate::Format,
        #[command(flatten)]
        plugins: plugins::PluginArgs,
    },
    /// Print the JSON Schema (draft 2020-12) of a document, generated from the Rust types that read it.
    Schema {
        /// Which document.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(openapi::SCHEMAS))]
        name: String,
    },
    /// Create, build, try out and check custom-pricing plugins (sandboxed WebAssembly; see docs/plugins.md).
    ///
    /// Bad input (a bad plugin, file or option) exits with code 2 and one line on standard error.
    Plugin {
        #[command(subcommand)]
        command: plugin::cli::Command,
    },
}

/// The eval contracts, as named on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ContractName {
    /// Price units with a charge model: {charge_model, properties, units, events?, period_ratio?}.
    Charge,
    /// Aggregate events with a billable metric: {billable_metric, events, from_datetime, to_datetime, …}.
    Aggregation,
    /// Compute a billing period: {interval, billing_time, subscription_at, billing_at, timezone, pay_in_advance, …}.
    Period,
}

impl From<ContractName> for Contract {
    fn from(name: ContractName) -> Self {
        match name {
            ContractName::Charge => Contract::Charge,
            ContractName::Aggregation => Contract::Aggregation,
            ContractName::Period => Contract::Period,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Eval {
            contract,
            input,
            pretty,
            plugins,
        } => Ok(eval::run(
            contract.into(),
            input.as_deref(),
            pretty,
            plugins.load()?.as_ref(),
            &mut std::io::stdout().lock(),
        )?),
        Command::Serve(options) => Ok(serve::run(options)?),
        Command::Simulate {
            scenario,
            until,
            format,
            plugins,
        } => Ok(simulate::run(
            &scenario,
            until.as_deref(),
            format,
            plugins.load()?.as_ref(),
            &mut std::io::stdout().lock(),
        )?),
        Command::Schema { name } => {
            let schema = openapi::schema(&name).unwrap_or_default();
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            let mut out = std::io::stdout().lock();
            Ok(writeln!(out, "{text}").map_err(|source| HostError::Io {
                what: "standard output".into(),
                source,
            })?)
        }
        Command::Plugin { command } => {
            Ok(plugin::cli::run(command, &mut std::io::stdout().lock())?)
        }
    }
}

/// How a failed command ends the process: one line on standard error and an exit code.
///
/// Plugin commands have their own error type ([`plugin::PluginError`]): the HTTP layer's mapping of
/// [`HostError`] does not cover plugins.
struct Failure {
    message: String,
    exit_code: u8,
}

impl From<HostError> for Failure {
    fn from(err: HostError) -> Self {
        Failure {
            message: err.to_string(),
            exit_code: err.exit_code(),
        }
    }
}

impl From<plugin::PluginError> for Failure {
    fn from(err: plugin::PluginError) -> Self {
        Failure {
            message: err.to_string(),
            exit_code: err.exit_code(),
        }
    }
}
