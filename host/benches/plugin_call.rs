//! A warm plugin call: the plugin is compiled and pre-linked once, each iteration is one call in a fresh
//! instance (instantiate, allocate, write the request, run, read and parse the response).
//!
//! `cargo bench -p lagom --bench plugin_call`. The minimal plugin (`tests/fixtures/plugins/good.wat`) does no
//! work, so its time is the runtime's own overhead; the time-of-day example (built by `./x test`, skipped when
//! missing) adds a real plugin's JSON parsing and pricing of ten events.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use lagom::plugin::{Limits, Runtime};
use rust_decimal::Decimal;
use serde_json::json;

fn warm_calls(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut runtime = Runtime::new(Limits::default()).expect("an engine");
    let good =
        wat::parse_file(root.join("tests/fixtures/plugins/good.wat")).expect("the fixture parses");
    runtime.load("good", &good).expect("loads");
    let properties = json!({"unit_amount": "0.5"});
    let context = json!({"events": []});
    let plugin = runtime.get("good").expect("loaded");
    c.bench_function("warm call, minimal plugin (runtime overhead)", |b| {
        b.iter(|| {
            plugin
                .price(black_box(Decimal::from(10)), &properties, &context)
                .expect("priced")
        })
    });

    let time_of_day = root.join("target/wasm32-unknown-unknown/release/time_of_day.wasm");
    if !time_of_day.is_file() {
        eprintln!(
            "skipping the time-of-day benchmark: {} is not built",
            time_of_day.display()
        );
        return;
    }
    runtime.load_file(&time_of_day).expect("loads");
    let plugin = runtime.get("time_of_day").expect("loaded");
    let properties =
        json!({"day_unit_amount": "0.10", "night_unit_amount": "0.04", "utc_offset": "+02:00"});
    let events: Vec<_> = (0..10)
        .map(|hour| json!({"timestamp": format!("2024-03-01T{:02}:00:00Z", hour * 2), "properties": {}}))
        .collect();
    let context = json!({"events": events});
    c.bench_function("warm call, time-of-day plugin, 10 events", |b| {
        b.iter(|| {
            plugin
                .price(black_box(Decimal::from(10)), &properties, &context)
                .expect("priced")
        })
    });
}

criterion_group!(benches, warm_calls);
criterion_main!(benches);
