//! The scenario fixtures of `tests/fixtures/scenarios/`, read from disk (native tests only).

/// Every `*.json` scenario fixture as `(path, text)`, sorted by path.
pub fn scenario_fixtures() -> Vec<(String, String)> {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/scenarios");
    let mut files: Vec<(String, String)> = std::fs::read_dir(folder)
        .expect("the scenario fixtures")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a readable fixture");
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}
