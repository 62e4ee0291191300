//! `lagom plugin`: scaffold, build, try out and check custom-pricing plugins.
//!
//! Every failure is one line on standard error; bad input (a bad plugin, file or option) exits with code 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{Limits, Metered, Plugin, PluginError, Runtime, State, Usage};

/// The `lagom plugin` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a plugin crate in a new directory NAME, using the lagom-plugin SDK.
    New {
        /// The crate's name, and the directory to create.
        name: String,
        /// Depend on the SDK at this path (default: the SDK beside this lagom's sources, when present).
        #[arg(long)]
        sdk_path: Option<PathBuf>,
        /// Depend on this version of the SDK from the registry instead of a path.
        #[arg(long, conflicts_with = "sdk_path")]
        sdk_version: Option<String>,
    },
    /// Build the plugin crate in DIR for wasm32-unknown-unknown (release), then check the .wasm.
    Build {
        /// The crate's directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Run a plugin on sample events; print its result and the fuel and memory it used.
    ///
    /// A plugin exporting lagom_aggregate folds the events from a zero state; one exporting lagom_price
    /// prices --units (default: the aggregation's total_units, else the number of events).
    Test {
        /// The plugin's .wasm file.
        plugin: PathBuf,
        /// A JSON file: an array of Lago events (or {"events": [...]}), timestamps as ISO 8601 or Unix seconds.
        #[arg(long)]
        events: PathBuf,
        /// The charge's properties, as a JSON object.
        #[arg(long, default_value = "{}")]
        properties: String,
        /// The units to price.
        #[arg(long)]
        units: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Check that a .wasm file is a plugin this lagom can run (no imports, the ABI's exports and version).
    Check {
        /// The plugin's .wasm file.
        plugin: PathBuf,
    },
}

/// The sandbox limits a command line may change (`lagom plugin test`, and every command taking `--plugins`).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Fuel per plugin call (about one unit per instruction).
    #[arg(long, default_value_t = Limits::default().fuel)]
    fuel: u64,
    /// Linear memory cap per plugin call, in MiB.
    #[arg(long, default_value_t = Limits::default().memory_bytes / (1024 * 1024))]
    memory_mib: usize,
    /// Wall-clock time limit per plugin call, in milliseconds.
    #[arg(long, default_value_t = Limits::default().deadline.as_millis() as u64, value_parser = clap::value_parser!(u64).range(1..))]
    deadline_ms: u64,
}

impl LimitArgs {
    /// The limits these options ask for (the others at their defaults).
    pub fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            memory_bytes: self.memory_mib.saturating_mul(1024 * 1024),
            deadline: std::time::Duration::from_millis(self.deadline_ms),
            ..Limits::default()
        }
    }
}

/// Runs one `lagom plugin` subcommand, writing its report to `out`.
pub fn run(command: Command, out: &mut impl Write) -> Result<(), PluginError> {
    match command {
        Command::New {
            name,
            sdk_path,
            sdk_version,
        } => {
            let dir = scaffold(Path::new(&name), &sdk_dependency(sdk_path, sdk_version)?)?;
            write_line(
                out,
                &format!(
                    "created plugin crate {}; build it with `lagom plugin build {}`",
                    dir.display(),
                    dir.display()
                ),
            )
        }
        Command::Build { dir } => {
            let wasm = build(&dir)?;
            let mut runtime = Runtime::new(Limits::default())?;
            let plugin = runtime.load_file(&wasm)?;
            write_line(
                out,
                &format!("built {}: {}", wasm.display(), summary(plugin)),
            )
        }
        Command::Test {
            plugin,
            events,
            properties,
            units,
            limits,
        } => {
            let mut runtime = Runtime::new(limits.limits())?;
            let plugin = runtime.load_file(&plugin)?;
            let report = try_out(
                plugin,
                &read_events(&events)?,
                &parse_properties(&properties)?,
                units.as_deref(),
            )?;
            let text = serde_json::to_string_pretty(&report)
                .map_err(|e| PluginError::BadInput(e.to_string()))?;
            write_line(out, &text)
        }
        Command::Check { plugin } => {
            let mut runtime = Runtime::new(Limits::default())?;
            let plugin = runtime.load_file(&plugin)?;
            write_line(
                out,
                &format!("plugin `{}`: {}", plugin.name(), summary(plugin)),
            )
        }
    }
}

fn write_line(out: &mut impl Write, text: &str) -> Result<(), PluginError> {
    writeln!(out, "{text}").map_err(|source| PluginError::Io {
        what: "standard output".to_owned(),
        source,
    })
}

/// "ABI 1, exports lagom_price, 1234 bytes".
fn summary(plugin: &Plugin) -> String {
    let calls = plugin.calls();
    let exports: Vec<&str> = [
        (calls.price, "lagom_price"),
        (calls.aggregate, "lagom_aggregate"),
    ]
    .into_iter()
    .filter_map(|(present, name)| present.then_some(name))
    .collect();
    format!(
        "ABI {}, exports {}, {} bytes",
        super::abi::ABI_VERSION,
        exports.join(" and "),
        plugin.size_bytes()
    )
}

/// The SDK line of a new plugin's Cargo.toml: a registry version, an explicit path, or this lagom's own SDK.
fn sdk_dependency(path: Option<PathBuf>, version: Option<String>) -> Result<String, PluginError> {
    if let Some(version) = version {
        return Ok(format!("{{ version = {} }}", toml_string(&version)));
    }
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugin-sdk");
    let path = match path {
        Some(path) => path,
        None if bundled.join("Cargo.toml").is_file() => bundled,
        None => return Ok(format!("{{ version = \"{}\" }}", env!("CARGO_PKG_VERSION"))),
    };
    let absolute = std::fs::canonicalize(&path).map_err(|source| PluginError::Io {
        what: format!("the SDK path {}", path.display()),
        source,
    })?;
    Ok(format!(
        "{{ path = {} }}",
        toml_string(&absolute.display().to_string())
    ))
}

fn toml_string(text: &str) -> String {
    // A JSON string is a valid TOML basic string.
    Value::String(text.to_owned()).to_string()
}

/// Writes a new plugin crate at `dir` from the template; refuses a bad crate name or an existing path.
fn scaffold(dir: &Path, sdk: &str) -> Result<PathBuf, PluginError> {
    let name = dir
        .file_name()
        .and_then(|name| name.to_str())
        .filter(|name| is_crate_name(name))
        .ok_or_else(|| {
            PluginError::BadInput(format!(
                "{}: a plugin name is a letter then letters, digits, `-` or `_`",
                dir.display()
            ))
        })?;
    if dir.exists() {
        return Err(PluginError::BadInput(format!(
            "{}: already exists",
            dir.display()
        )));
    }
    let manifest = include_str!("template/Cargo.toml.in")
        .replace("{name}", name)
        .replace("{sdk}", sdk);
    let source = include_str!("template/lib.rs.in").replace("{crate}", &name.replace('-', "_"));
    let io = |what: &Path| {
        let what = what.display().to_string();
        move |source| PluginError::Io { what, source }
    };
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(io(&src))?;
    for (path, text) in [
        (dir.join("Cargo.toml"), manifest.as_str()),
        (src.join("lib.rs"), source.as_str()),
        (dir.join(".gitignore"), "/target\n"),
    ] {
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(dir.to_path_buf())
}

fn is_crate_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Runs cargo on the crate in `dir` for wasm32-unknown-unknown (release) and returns the .wasm it built.
fn build(dir: &Path) -> Result<PathBuf, PluginError> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(PluginError::BadInput(format!(
            "{}: no Cargo.toml here",
            dir.display()
        )));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Process::new(cargo)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .args([
            "--message-format",
            "json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(&manifest)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| PluginError::Io {
            what: "cannot run cargo".to_owned(),
            source,
        })?;
    if !output.status.success() {
        return Err(PluginError::Build(format!(
            "cargo build for wasm32-unknown-unknown failed ({}); its messages are above (is the target installed? `rustup target add wasm32-unknown-unknown`)",
            output.status
        )));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .flat_map(|message| message["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|file| file.as_str().map(PathBuf::from))
        .rfind(|file| file.extension().is_some_and(|ext| ext == "wasm"))
        .ok_or_else(|| {
            PluginError::Build(format!(
                "{}: cargo built no .wasm (is crate-type = [\"cdylib\"] set in [lib]?)",
                manifest.display()
            ))
        })
}

/// Reads an events file into the form the ABI promises plugins: objects whose `timestamp` is
/// `YYYY-MM-DDTHH:MM:SSZ` and `properties` an object, sorted by timestamp (Lago folds them in that order).
fn read_events(path: &Path) -> Result<Vec<Value>, PluginError> {
    let text = std::fs::read_to_string(path).map_err(|source| PluginError::Io {
        what: path.display().to_string(),
        source,
    })?;
    let bad = |reason: String| PluginError::BadInput(format!("{}: {reason}", path.display()));
    let document: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON ({e})")))?;
    let list = match document {
        Value::Array(list) => list,
        Value::Object(mut fields) => match fields.remove("events") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(bad(
                    "expected an array of events or {\"events\": [...]}".to_owned()
                ));
            }
        },
        _ => {
            return Err(bad(
                "expected an array of events or {\"events\": [...]}".to_owned()
            ));
        }
    };
    let mut events = Vec::with_capacity(list.len());
    for (index, event) in list.into_iter().enumerate() {
        events.push(
            normalize_event(event).map_err(|reason| bad(format!("events[{index}]{reason}")))?,
        );
    }
    events.sort_by_key(|(at, _)| *at);
    Ok(events.into_iter().map(|(_, event)| event).collect())
}

fn normalize_event(event: Value) -> Result<(jiff::Timestamp, Value), String> {
    let Value::Object(mut fields) = event else {
        return Err(": must be an object".to_owned());
    };
    let raw = fields.get("timestamp").unwrap_or(&Value::Null);
    let at = lagom_core::time::from_json(raw)
        .ok_or_else(|| format!(".timestamp: expected ISO 8601 text or Unix seconds (got {raw})"))?;
    fields.insert(
        "timestamp".to_owned(),
        Value::String(lagom_core::time::format(at)),
    );
    match fields.get("properties") {
        None | Some(Value::Null) => {
            fields.insert("properties".to_owned(), Value::Object(Map::new()));
        }
        Some(Value::Object(_)) => {}
        Some(other) => return Err(format!(".properties: must be an object (got {other})")),
    }
    Ok((at, Value::Object(fields)))
}

fn parse_properties(text: &str) -> Result<Value, PluginError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(fields)) => Ok(Value::Object(fields)),
        Ok(other) => Err(PluginError::BadInput(format!(
            "--properties: must be a JSON object (got {other})"
        ))),
        Err(e) => Err(PluginError::BadInput(format!(
            "--properties: not JSON ({e})"
        ))),
    }
}

/// Runs what the plugin exports on `events`: the aggregation first, then the price of its units.
fn try_out(
    plugin: &Plugin,
    events: &[Value],
    properties: &Value,
    units: Option<&str>,
) -> Result<Value, PluginError> {
    let mut report = Map::new();
    report.insert("plugin".to_owned(), json!(plugin.name()));
    let mut aggregated_units = None;
    if plugin.calls().aggregate {
        let Metered {
            value: state,
            usage,
        } = plugin.aggregate(events, State::default(), properties)?;
        aggregated_units = Some(state.total_units);
        report.insert(
            "aggregate".to_owned(),
            with_usage(
                json!({"total_units": text(state.total_units), "amount": text(state.amount)}),
                usage,
            ),
        );
    }
    if plugin.calls().price {
        let units = match units {
            Some(units) => lagom_core::decimal::parse(units).ok_or_else(|| {
                PluginError::BadInput(format!(
                    "--units: expected a decimal number (got {units:?})"
                ))
            })?,
            None => aggregated_units.unwrap_or_else(|| Decimal::from(events.len())),
        };
        let Metered {
            value: price,
            usage,
        } = plugin.price(units, properties, &json!({"events": events}))?;
        report.insert(
            "price".to_owned(),
            with_usage(
                json!({
                    "units": text(units),
                    "amount": text(price.amount),
                    "unit_amount": price.unit_amount.map(text),
                    "amount_details": price.amount_details,
                }),
                usage,
            ),
        );
    }
    Ok(Value::Object(report))
}

fn with_usage(mut result: Value, usage: Usage) -> Value {
    if let Value::Object(fields) = &mut result {
        fields.insert("fuel".to_owned(), json!(usage.fuel));
        fields.insert(
            "peak_memory_bytes".to_owned(),
            json!(usage.peak_memory_bytes),
        );
        fields.insert("calls".to_owned(), json!(usage.calls));
    }
    result
}

fn text(value: Decimal) -> String {
    lagom_core::decimal::to_text(value)
}
