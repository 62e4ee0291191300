//! The eval fixtures shared by the CLI and HTTP tests: every case of `tests/fixtures/eval/<contract>/*.json`
//! (repository root), so that every surface is held to the same expected answers as the core.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One fixture case.
pub struct Case {
    /// The contract's name, as the CLI and the HTTP routes spell it.
    pub contract: &'static str,
    pub name: String,
    pub input: Value,
    pub expected: Expected,
}

/// What a case expects.
pub enum Expected {
    /// This exact JSON answer.
    Output(Value),
    /// A rejection with a message containing this fragment, naming this JSON path when the fixture gives
    /// one (arithmetic errors such as an overflow point at no input field).
    Error {
        path: Option<String>,
        message: String,
    },
}

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/eval")
}

/// Runs `check` on every fixture case and fails, listing every failing case, if one fails — or if there is
/// no case at all (a test that checks nothing must not pass).
pub fn check_every_case(surface: &str, mut check: impl FnMut(&Case) -> Result<(), String>) {
    let mut failures = Vec::new();
    let mut cases_run = 0;
    for contract in ["charge", "aggregation", "period"] {
        let dir = fixture_root().join(contract);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("no fixture directory {}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        for file in files {
            let fixture: Value =
                serde_json::from_str(&std::fs::read_to_string(&file).expect("a readable fixture"))
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for case in fixture["cases"].as_array().into_iter().flatten() {
                cases_run += 1;
                let case = parse_case(contract, case);
                if let Err(failure) = check(&case) {
                    failures.push(format!("{}: - {}: {failure}", file.display(), case.name));
                }
            }
        }
    }
    assert!(
        cases_run > 0,
        "no fixture case found under {}",
        fixture_root().display()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases_run} {surface} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn parse_case(contract: &'static str, case: &Value) -> Case {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let expected = match case.get("output") {
        Some(output) => Expected::Output(output.clone()),
        None => Expected::Error {
            path: case["error"]["path"].as_str().map(str::to_owned),
            message: text(&case["error"]["message"]),
        },
    };
    Case {
        contract,
        name: case["name"].as_str().unwrap_or("(unnamed)").to_owned(),
        input: case["input"].clone(),
        expected,
    }
}

/// A fresh directory `name` under the test's temporary directory holding, as `.wasm` plugins, the listed
/// hostile/toy modules of `tests/fixtures/plugins/*.wat` and the listed example plugins of `plugins/`
/// (built for `wasm32-unknown-unknown` beforehand, as `./x test` does).
#[allow(dead_code)] // Not every test binary that shares this module loads plugins.
pub fn plugin_dir(name: &str, fixtures: &[&str], examples: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary plugin directory");
    for fixture in fixtures {
        let wat = root.join(format!("tests/fixtures/plugins/{fixture}.wat"));
        let wasm = wat::parse_file(&wat).unwrap_or_else(|e| panic!("{}: {e}", wat.display()));
        std::fs::write(dir.join(format!("{fixture}.wasm")), wasm).expect("a plugin is written");
    }
    for example in examples {
        let built = root.join(format!(
            "target/wasm32-unknown-unknown/release/{example}.wasm"
        ));
        assert!(
            built.is_file(),
            "{} is missing: build the examples first with `cargo build --release --target \
             wasm32-unknown-unknown -p time-of-day -p custom-aggregator` (./x test does)",
            built.display()
        );
        std::fs::copy(&built, dir.join(format!("{example}.wasm"))).expect("a plugin is copied");
    }
    dir
}
