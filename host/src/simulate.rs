//! `lagom simulate SCENARIO.json`: replays a scenario with `lagom_core::simulate` and prints its
//! output, as JSON or as a table of invoices for reading in a terminal.
//!
//! The billing lives in the core; this module reads the file, applies `--until`, hands `custom`
//! charges to the plugins when there are any, and formats.

use std::io::Write;
use std::path::Path;

use lagom::plugin::Runtime;
use lagom_core::simulate::{NoCustomCode, Scenario, SimulationOutput, simulate_with};

use crate::error::HostError;

/// How the output is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The whole output document, as JSON.
    Json,
    /// One line per invoice, then the warnings.
    Table,
}

/// Reads the scenario at `path`, runs it (up to `until` when given, overriding the document's) and
/// writes the output.
pub fn run(
    path: &Path,
    until: Option<&str>,
    format: Format,
    plugins: Option<&Runtime>,
    out: &mut impl Write,
) -> Result<(), HostError> {
    let text = std::fs::read_to_string(path).map_err(|source| HostError::Io {
        what: path.display().to_string(),
        source,
    })?;
    let mut scenario = Scenario::parse(&text)?;
    if let Some(until) = until {
        let at = lagom_core::time::parse(until).ok_or_else(|| {
            lagom_core::Error::invalid("--until", format!("not an ISO 8601 instant: {until}"))
        })?;
        scenario.until = Some(at);
    }
    let output = output(&scenario, plugins)?;
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&output).map_err(|e| {
            HostError::Core(lagom_core::Error::invalid(
                "",
                format!("cannot write the output: {e}"),
            ))
        })?,
        Format::Table => table(&output),
    };
    writeln!(out, "{text}").map_err(|source| HostError::Io {
        what: "standard output".into(),
        source,
    })
}

/// Runs `scenario`, pricing `custom` charges (and `custom_agg` metrics) with `plugins` when given.
pub fn output(
    scenario: &Scenario,
    plugins: Option<&Runtime>,
) -> Result<SimulationOutput, lagom_core::Error> {
    match plugins {
        Some(plugins) => simulate_with(scenario, plugins),
        None => simulate_with(scenario, &NoCustomCode),
    }
}

/// The invoices as aligned columns (amounts in cents), then one line per warning.
fn table(output: &SimulationOutput) -> String {
    let mut lines = vec![format!(
        "{:<10} {:<20} {:<10} {:<10} {:>4} {:>12} {:>10} {:>12} {:>12}",
        "invoice", "type", "status", "issued", "fees", "fees_cents", "taxes", "credits", "total"
    )];
    for invoice in &output.invoices {
        let credits = invoice
            .coupons_amount_cents
            .saturating_add(invoice.credit_notes_amount_cents)
            .saturating_add(invoice.prepaid_credit_amount_cents);
        lines.push(format!(
            "{:<10} {:<20} {:<10} {:<10} {:>4} {:>12} {:>10} {:>12} {:>12}",
            invoice.lago_id.as_deref().unwrap_or("-"),
            name(&invoice.invoice_type),
            name(&invoice.status),
            invoice.issuing_date,
            invoice.fees.len(),
            invoice.fees_amount_cents,
            invoice.taxes_amount_cents,
            credits,
            invoice.total_amount_cents,
        ));
    }
    for warning in &output.warnings {
        let cause = match (warning.step, warning.event) {
            (Some(step), _) => format!("step {step}"),
            (None, Some(event)) => format!("event {event}"),
            (None, None) => "clock".to_owned(),
        };
        lines.push(format!(
            "warning: {cause} at {}: {}",
            lagom_core::time::format(warning.at),
            warning.reason
        ));
    }
    lines.join("\n")
}

/// A serde enum's name as the API writes it.
fn name(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
