//! `lagom plugin` end to end: the binary run on real files, its output and its exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn example(name: &str) -> PathBuf {
    let path = root().join(format!("target/wasm32-unknown-unknown/release/{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: build the examples first (./x test does)",
        path.display()
    );
    path
}

/// A scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lagom-plugin-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn lagom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(args)
        .output()
        .expect("lagom runs")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn check_describes_a_good_plugin() {
    let wasm = example("custom_aggregator");
    let output = lagom(&["plugin", "check", path_arg(&wasm)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let size = std::fs::metadata(&wasm).expect("a file").len();
    assert_eq!(
        text(&output.stdout),
        format!("plugin `custom_aggregator`: ABI 1, exports lagom_aggregate, {size} bytes\n")
    );
}

#[test]
fn check_refuses_a_plugin_that_imports_with_one_line_and_code_2() {
    let dir = scratch("check-wasi");
    let wasm = dir.join("sneaky.wasm");
    let bytes =
        wat::parse_file(root().join("tests/fixtures/plugins/imports_wasi.wat")).expect("parses");
    std::fs::write(&wasm, bytes).expect("written");
    let output = lagom(&["plugin", "check", path_arg(&wasm)]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        "error: plugin `sneaky`: imports `wasi_snapshot_preview1::fd_write`: plugins may import nothing\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn test_runs_an_aggregator_on_events_in_timestamp_order() {
    let dir = scratch("test-aggregator");
    let events = dir.join("events.json");
    // Listed out of order, with both timestamp forms; in time order they are eu 1, asia 10, us 35.
    std::fs::write(
        &events,
        json!([
            {"timestamp": "2024-03-03T00:00:00Z", "properties": {"value": 35, "storage_zone": "storage_us"}},
            {"timestamp": 1709251200, "properties": {"value": 1, "storage_zone": "storage_eu"}},
            {"timestamp": "2024-03-02T00:00:00Z", "properties": {"value": 10, "storage_zone": "storage_asia"}},
        ])
        .to_string(),
    )
    .expect("written");
    let properties = json!({"ranges": [
        {"from": 0, "to": 10, "storage_eu": "0", "storage_us": "0", "storage_asia": "0"},
        {"from": 10, "to": 20, "storage_eu": "0.10", "storage_us": "0.20", "storage_asia": "0.30"},
        {"from": 20, "to": null, "storage_eu": "0.20", "storage_us": "0.30", "storage_asia": "0.40"},
    ]})
    .to_string();
    let wasm = example("custom_aggregator");
    let output = lagom(&[
        "plugin",
        "test",
        path_arg(&wasm),
        "--events",
        path_arg(&events),
        "--properties",
        &properties,
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // In time order: 0→1 eu at 0; 1→11 asia, 1 unit at 0.30; 11→46 us, 9 at 0.20 + 26 at 0.30 = 9.60.
    // 46 units, 9.9. (In file order the us event would come first: 35 units, 10×0.20 + 15×0.30 = 6.5, …)
    assert_eq!(report["plugin"], "custom_aggregator");
    assert_eq!(report["aggregate"]["total_units"], "46");
    assert_eq!(report["aggregate"]["amount"], "9.9");
    assert_eq!(report["aggregate"]["calls"], 1);
    assert!(
        report["aggregate"]["fuel"]
            .as_u64()
            .is_some_and(|fuel| fuel > 0)
    );
    assert!(
        report["aggregate"]["peak_memory_bytes"]
            .as_u64()
            .is_some_and(|bytes| bytes >= 65_536)
    );
    assert_eq!(report.get("price"), None, "the aggregator exports no price");
}

#[test]
fn test_prices_the_given_units() {
    let dir = scratch("test-price");
    let events = dir.join("events.json");
    // 21:30 and 23:00 UTC are 22:30 and 00:00 at +01:00: night; 12:00 UTC is 13:00: day.
    std::fs::write(
        &events,
        json!({"events": [
            {"timestamp": "2024-03-01T21:30:00Z"},
            {"timestamp": "2024-03-01T23:00:00Z", "properties": {}},
            {"timestamp": "2024-03-01T12:00:00Z", "properties": {"ignored": true}},
        ]})
        .to_string(),
    )
    .expect("written");
    let properties =
        json!({"day_unit_amount": "1", "night_unit_amount": "0.25", "utc_offset": "+01:00"})
            .to_string();
    let wasm = example("time_of_day");
    let output = lagom(&[
        "plugin",
        "test",
        path_arg(&wasm),
        "--events",
        path_arg(&events),
        "--properties",
        &properties,
        "--units",
        "3",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // 1 day event × 1 + 2 night events × 0.25 = 1.5.
    assert_eq!(report["price"]["units"], "3");
    assert_eq!(report["price"]["amount"], "1.5");
    assert_eq!(report["price"]["unit_amount"], Value::Null);
    assert_eq!(report["price"]["amount_details"]["night_units"], "2");
}

#[test]
fn test_refuses_a_bad_event_with_its_path() {
    let dir = scratch("test-bad-event");
    let events = dir.join("events.json");
    std::fs::write(
        &events,
        r#"[{"timestamp": "2024-03-01T00:00:00Z"}, {"timestamp": "soon"}]"#,
    )
    .expect("written");
    let wasm = example("time_of_day");
    let output = lagom(&[
        "plugin",
        "test",
        path_arg(&wasm),
        "--events",
        path_arg(&events),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: {}: events[1].timestamp: expected ISO 8601 text or Unix seconds (got \"soon\")\n",
            events.display()
        )
    );
}

#[test]
fn new_scaffolds_a_crate_on_the_sdk() {
    let dir = scratch("new");
    let crate_dir = dir.join("night-owl");
    let output = lagom(&["plugin", "new", path_arg(&crate_dir)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("a manifest");
    assert!(manifest.contains("name = \"night-owl\""), "{manifest}");
    let sdk = std::fs::canonicalize(root().join("plugin-sdk")).expect("the SDK");
    assert!(
        manifest.contains(&format!(
            "lagom-plugin = {{ path = \"{}\" }}",
            sdk.display()
        )),
        "{manifest}"
    );
    let source = std::fs::read_to_string(crate_dir.join("src/lib.rs")).expect("a source");
    assert!(source.contains("lagom_plugin::export_price!(price);"));
    assert!(source.contains("target/wasm32-unknown-unknown/release/night_owl.wasm"));

    let again = lagom(&["plugin", "new", path_arg(&crate_dir)]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        text(&again.stderr),
        format!("error: {}: already exists\n", crate_dir.display())
    );
    let bad_name = lagom(&["plugin", "new", path_arg(&dir.join("9lives"))]);
    assert_eq!(bad_name.status.code(), Some(2));
}
