//! Reading usage events in bulk — a JSON array, NDJSON or CSV text — for a workspace or a host that
//! loads many events at once.
//!
//! Each row is read on its own: a row that is not an event (bad JSON, a missing field, a timestamp
//! that is neither ISO 8601 nor Unix seconds) is skipped and reported with its 1-based line (the
//! item's position for an array) and the JSON path inside the event. What an event means is
//! [`crate::event`]'s business and billing it the simulator's; this module only reads.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::event::Event;

/// The text formats events can be loaded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of events.
    Json,
    /// One JSON event per line; blank lines are skipped.
    Ndjson,
    /// A header row, then one event per row (see [`read`]).
    Csv,
}

impl Format {
    /// Every format's name.
    pub const NAMES: &'static [&'static str] = &["json", "ndjson", "csv"];

    /// Looks a format up by name.
    ///
    /// ```
    /// use lagom_core::event_import::Format;
    /// assert_eq!(Format::from_name("csv", "format").unwrap(), Format::Csv);
    /// assert_eq!(Format::from_name("xml", "format").unwrap_err().code(), "unknown_variant");
    /// ```
    pub fn from_name(name: &str, path: &str) -> Result<Self> {
        match name {
            "json" => Ok(Format::Json),
            "ndjson" => Ok(Format::Ndjson),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::unknown_variant(path, "format", name, Self::NAMES)),
        }
    }
}

/// A row that was not loaded: its 1-based line, the path inside the event, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "LoadError", missing_as_null)
)]
pub struct RowError {
    /// The 1-based line of the row (the 1-based position for an array).
    pub line: usize,
    /// The JSON path inside the event, or null.
    pub path: Option<String>,
    pub message: String,
}

impl RowError {
    fn new(line: usize, err: &Error) -> Self {
        RowError {
            line,
            path: err.path().map(str::to_owned),
            message: err.to_string(),
        }
    }
}

/// The events read, and the rows skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Import {
    pub events: Vec<Event>,
    pub errors: Vec<RowError>,
}

impl Import {
    fn push(&mut self, line: usize, event: Result<Event>) {
        match event {
            Ok(event) => self.events.push(event),
            Err(err) => self.errors.push(RowError::new(line, &err)),
        }
    }
}

/// Reads events from `text` in `format`.
///
/// CSV: the header names the columns `transaction_id`, `code`, `timestamp` (required),
/// `external_subscription_id`, `external_customer_id`, `precise_total_amount_cents` (optional), and
/// any other column is a property, named `foo` or `properties.foo`. Fields may be quoted (`"a,b"`,
/// `""` for a quote, line breaks inside quotes); an empty cell leaves its field out; a timestamp is
/// ISO 8601 or Unix seconds; properties are read as text, as Lago's CSV upload does.
///
/// ```
/// use lagom_core::event_import::{Format, read};
/// let csv = "transaction_id,external_subscription_id,code,timestamp,properties.gb\n\
///            t1,s1,storage,2024-01-05T00:00:00Z,12.5\n\
///            t2,s1,storage,yesterday,3\n";
/// let import = read(csv, Format::Csv);
/// assert_eq!(import.events.len(), 1);
/// assert_eq!(import.events[0].properties["gb"], "12.5");
/// assert_eq!((import.errors[0].line, import.errors[0].path.as_deref()), (3, Some("timestamp")));
///
/// let ndjson = "{\"transaction_id\": \"t1\", \"code\": \"calls\", \"timestamp\": 1704067200}\n\n{oops}\n";
/// let import = read(ndjson, Format::Ndjson);
/// assert_eq!((import.events.len(), import.errors[0].line), (1, 3));
/// ```
pub fn read(text: &str, format: Format) -> Import {
    match format {
        Format::Json => match crate::eval::from_json::<Vec<Value>>(text) {
            Ok(items) => from_values(items),
            Err(err) => Import {
                events: Vec::new(),
                errors: vec![RowError::new(1, &err)],
            },
        },
        Format::Ndjson => {
            let mut import = Import::default();
            for (i, line) in text.lines().enumerate() {
                if !line.trim().is_empty() {
                    import.push(i + 1, crate::eval::from_json(line));
                }
            }
            import
        }
        Format::Csv => read_csv(text),
    }
}

/// Reads events from JSON values (an array's items); an item's "line" is its 1-based position.
///
/// ```
/// let items = vec![serde_json::json!({"transaction_id": "t1", "code": "calls"})];
/// let import = lagom_core::event_import::from_values(items);
/// assert_eq!(import.errors[0].message, "(input): missing field `timestamp`");
/// ```
pub fn from_values(items: Vec<Value>) -> Import {
    let mut import = Import::default();
    for (i, item) in items.into_iter().enumerate() {
        import.push(i + 1, crate::eval::from_value(item));
    }
    import
}

/// The CSV columns that are event fields; any other column is a property.
const FIELDS: &[&str] = &[
    "transaction_id",
    "external_subscription_id",
    "external_customer_id",
    "code",
    "timestamp",
    "precise_total_amount_cents",
];

fn read_csv(text: &str) -> Import {
    let mut import = Import::default();
    let mut records = csv_records(text);
    let Some((_, header)) = records.next() else {
        return import;
    };
    let header = match header.and_then(|names| check_header(&names).map(|()| names)) {
        Ok(names) => names,
        Err(err) => {
            import.errors.push(RowError::new(1, &err));
            return import;
        }
    };
    for (line, record) in records {
        let event = record.and_then(|cells| csv_event(&header, cells));
        import.push(line, event);
    }
    import
}

fn check_header(names: &[String]) -> Result<()> {
    for required in ["transaction_id", "code", "timestamp"] {
        if !names.iter().any(|n| n == required) {
            return Err(Error::invalid(
                "",
                format!("the CSV header has no `{required}` column"),
            ));
        }
    }
    Ok(())
}

/// One CSV row as an event: field columns as they are, the others under `properties`.
fn csv_event(header: &[String], cells: Vec<String>) -> Result<Event> {
    if cells.len() != header.len() {
        return Err(Error::invalid(
            "",
            format!(
                "the row has {} fields, the header {}",
                cells.len(),
                header.len()
            ),
        ));
    }
    let mut event = Map::new();
    let mut properties = Map::new();
    for (name, cell) in header.iter().zip(cells) {
        if cell.is_empty() {
            continue;
        }
        if name == "timestamp" {
            // A cell is text: read Unix seconds here, as the JSON formats read a number.
            let cell = Value::String(cell);
            let at = crate::time::from_json(&cell).map(|at| crate::time::format(at).into());
            event.insert(name.clone(), at.unwrap_or(cell));
        } else if FIELDS.contains(&name.as_str()) {
            event.insert(name.clone(), Value::String(cell));
        } else {
            let key = name.strip_prefix("properties.").unwrap_or(name);
            properties.insert(key.to_owned(), Value::String(cell));
        }
    }
    event.insert("properties".to_owned(), Value::Object(properties));
    crate::eval::from_value(Value::Object(event))
}

/// Splits CSV text into records with the 1-based line each starts on (RFC 4180 quoting).
fn csv_records(text: &str) -> impl Iterator<Item = (usize, Result<Vec<String>>)> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1;
    std::iter::from_fn(move || {
        // Skip blank lines between records.
        while let Some(&c) = chars.peek() {
            match c {
                '\n' => line += 1,
                '\r' => {}
                _ => break,
            }
            chars.next();
        }
        chars.peek()?;
        let start = line;
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut problem = None;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => {
                    if c == '\n' {
                        line += 1;
                    }
                    cell.push(c);
                }
                (false, '"') if cell.is_empty() => quoted = true,
                (false, ',') => cells.push(std::mem::take(&mut cell)),
                (false, '\r') => {}
                (false, '\n') => {
                    line += 1;
                    break;
                }
                (false, c) => {
                    if c == '"' {
                        problem.get_or_insert("a quote inside an unquoted field");
                    }
                    cell.push(c);
                }
            }
        }
        if quoted {
            problem = Some("a quoted field is not closed");
        }
        cells.push(cell);
        let record = match problem {
            Some(reason) => Err(Error::invalid("", reason)),
            None => Ok(cells),
        };
        Some((start, record))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(usize, Vec<String>)> {
        csv_records(text)
            .map(|(line, r)| (line, r.unwrap_or_default()))
            .collect()
    }

    #[test]
    fn csv_quotes_commas_and_line_breaks() {
        let text = "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\n";
        assert_eq!(
            records(text),
            [
                (1, vec!["a".to_owned(), "b".to_owned()]),
                (2, vec!["x,1".to_owned(), "say \"hi\"".to_owned()]),
                (4, vec!["two\nlines".to_owned(), "z".to_owned()]),
            ]
        );
    }

    #[test]
    fn csv_rows_that_do_not_fit_are_reported_on_their_line() {
        let text = "transaction_id,code,timestamp,external_subscription_id,seats\n\
                    t1,seats,1704067200,s1,3\n\
                    t2,seats,1704067200\n\
                    \"t3,seats,1704067200,s1,4\n";
        let import = read(text, Format::Csv);
        assert_eq!(import.events.len(), 1);
        assert_eq!(import.events[0].properties["seats"], "3");
        let lines: Vec<usize> = import.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4]);
        assert!(
            import.errors[0]
                .message
                .contains("the row has 3 fields, the header 5")
        );
        assert!(
            import.errors[1]
                .message
                .contains("a quoted field is not closed")
        );
    }

    #[test]
    fn a_header_without_a_required_column_loads_nothing() {
        let import = read("transaction_id,code\nt1,calls\n", Format::Csv);
        assert!(import.events.is_empty());
        assert_eq!(import.errors.len(), 1);
        assert_eq!(import.errors[0].line, 1);
        assert!(import.errors[0].message.contains("no `timestamp` column"));
    }

    #[test]
    fn a_json_text_that_is_not_an_array_is_one_error() {
        let import = read("{\"transaction_id\": \"t1\"}", Format::Json);
        assert_eq!((import.events.len(), import.errors.len()), (0, 1));
    }
}
