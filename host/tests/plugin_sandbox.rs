//! Hostile and broken plugins (WAT fixtures in `tests/fixtures/plugins/`): each fails with a clear error
//! naming the plugin and the reason, and the same runtime still serves a good plugin's next call.

use std::path::{Path, PathBuf};

use lagom::plugin::{Limits, PluginError, Reason, Runtime, State};
use rust_decimal::Decimal;
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/plugins")
        .join(name)
}

fn wasm(wat_file: &str) -> Vec<u8> {
    wat::parse_file(fixture(wat_file)).unwrap_or_else(|e| panic!("{wat_file}: {e}"))
}

/// A runtime with small limits (so hostile calls end fast) and the good plugin loaded.
fn runtime() -> Runtime {
    let limits = Limits {
        fuel: 1_000_000,
        memory_bytes: 4 * 1024 * 1024,
        ..Limits::default()
    };
    let mut runtime = Runtime::new(limits).expect("an engine");
    runtime
        .load("good", &wasm("good.wat"))
        .expect("the good plugin loads");
    runtime
}

/// The good plugin still answers as its fixture says: amount 42, unit amount 4.2.
fn assert_good_call_succeeds(runtime: &Runtime) {
    let priced = runtime
        .get("good")
        .and_then(|good| good.price(Decimal::from(10), &json!({}), &json!({"events": []})))
        .expect("the good plugin answers");
    assert_eq!(priced.value.amount, Decimal::from(42));
    assert_eq!(priced.value.unit_amount, Some(Decimal::new(42, 1)));
}

/// Loads `wat_file` as `name`, calls its `lagom_price`, and returns the failure's reason and message.
fn failing_price_call(runtime: &mut Runtime, name: &str, wat_file: &str) -> (Reason, String) {
    let plugin = runtime
        .load(name, &wasm(wat_file))
        .expect("the hostile plugin loads");
    match plugin.price(Decimal::ONE, &json!({}), &json!({"events": []})) {
        Ok(priced) => panic!("{wat_file}: expected a failure, got {priced:?}"),
        Err(err @ PluginError::Plugin { .. }) => {
            let message = err.to_string();
            let PluginError::Plugin { plugin, reason } = err else {
                unreachable!()
            };
            assert_eq!(plugin, name);
            (reason, message)
        }
        Err(other) => panic!("{wat_file}: expected a plugin error, got {other}"),
    }
}

/// Loads `wasm` as `name`, expecting the load to fail; returns the failure's message.
fn failing_load(runtime: &mut Runtime, name: &str, wasm: &[u8]) -> String {
    match runtime.load(name, wasm) {
        Ok(_) => panic!("{name}: expected the load to fail"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn an_infinite_loop_runs_out_of_fuel() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "looper", "infinite_loop.wat");
    assert_eq!(reason, Reason::OutOfFuel { limit: 1_000_000 });
    assert_eq!(
        message,
        "plugin `looper`: ran out of fuel after 1000000 instructions"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_memory_grow_bomb_hits_the_memory_limit() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "bomb", "memory_bomb.wat");
    assert_eq!(
        reason,
        Reason::MemoryLimit {
            limit_bytes: 4 * 1024 * 1024
        }
    );
    assert_eq!(message, "plugin `bomb`: exceeded the 4 MiB memory limit");
    assert_good_call_succeeds(&runtime);
}

#[test]
fn deep_recursion_overflows_the_stack() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "recursive", "deep_recursion.wat");
    let limit_bytes = Limits::default().stack_bytes;
    assert_eq!(reason, Reason::StackOverflow { limit_bytes });
    assert_eq!(
        message,
        format!("plugin `recursive`: stack overflow (the limit is {limit_bytes} bytes of stack)")
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_huge_output_is_refused_before_it_is_read() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "chatty", "huge_output.wat");
    // The fixture claims 2 MiB = 2 097 152 bytes; the default output limit is 1 MiB = 1 048 576 bytes.
    assert_eq!(
        reason,
        Reason::OutputTooLarge {
            size: 2_097_152,
            limit: 1_048_576
        }
    );
    assert_eq!(
        message,
        "plugin `chatty`: output of 2097152 bytes exceeds the limit of 1048576 bytes"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_response_outside_memory_is_refused() {
    let mut runtime = runtime();
    let (reason, _) = failing_price_call(&mut runtime, "wild", "out_of_bounds.wat");
    // One page is 65 536 bytes; 65 530 + 20 runs 14 bytes past its end.
    assert_eq!(
        reason,
        Reason::OutOfBounds {
            what: "the response",
            ptr: 65_530,
            len: 20,
            memory_bytes: 65_536
        }
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_trap_is_reported_as_such() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "panicky", "unreachable.wat");
    assert_eq!(
        reason,
        Reason::Trap("wasm `unreachable` instruction executed".to_owned())
    );
    assert_eq!(
        message,
        "plugin `panicky`: trapped: wasm `unreachable` instruction executed"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_response_that_is_not_json_is_refused() {
    let mut runtime = runtime();
    let (reason, message) = failing_price_call(&mut runtime, "garbled", "not_json.wat");
    assert!(matches!(reason, Reason::MalformedResponse(_)), "{reason:?}");
    assert!(
        message.starts_with("plugin `garbled`: returned a malformed response: not JSON"),
        "{message}"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_missing_export_is_refused_at_load() {
    let mut runtime = runtime();
    let message = failing_load(&mut runtime, "incomplete", &wasm("missing_alloc.wat"));
    assert_eq!(
        message,
        "plugin `incomplete`: does not export `lagom_alloc`"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_missing_call_is_refused_when_called() {
    let mut runtime = runtime();
    let plugin = runtime
        .load("pricer", &wasm("unreachable.wat"))
        .expect("loads");
    let err = plugin
        .aggregate(&[json!({})], State::default(), &json!({}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin `pricer`: does not export `lagom_aggregate`"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn an_export_with_the_wrong_signature_is_refused_at_load() {
    let mut runtime = runtime();
    let message = failing_load(&mut runtime, "odd", &wasm("wrong_signature.wat"));
    assert_eq!(
        message,
        "plugin `odd`: exports `lagom_price` as a function (i64) -> i64, expected a function (i32, i32) -> i64"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn another_abi_version_is_refused_at_load() {
    let mut runtime = runtime();
    let message = failing_load(&mut runtime, "future", &wasm("abi_version_7.wat"));
    assert_eq!(
        message,
        "plugin `future`: ABI version 7, this lagom speaks 1"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_module_importing_wasi_is_refused_at_load() {
    let mut runtime = runtime();
    let message = failing_load(&mut runtime, "wasi", &wasm("imports_wasi.wat"));
    assert_eq!(
        message,
        "plugin `wasi`: imports `wasi_snapshot_preview1::fd_write`: plugins may import nothing"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn malformed_bytes_are_refused_at_load() {
    let mut runtime = runtime();
    let message = failing_load(&mut runtime, "junk", b"\0asm but not really");
    assert!(
        message.starts_with("plugin `junk`: is not a valid WebAssembly module"),
        "{message}"
    );
    assert_good_call_succeeds(&runtime);
}

#[test]
fn a_request_over_the_input_limit_is_refused() {
    let mut runtime = Runtime::new(Limits {
        input_bytes: 100,
        ..Limits::default()
    })
    .expect("an engine");
    let good = runtime.load("good", &wasm("good.wat")).expect("loads");
    // The request is {"units":"1","properties":{"pad":"xxx…"},"context":{}}: over 200 bytes of padding alone.
    let err = good
        .price(Decimal::ONE, &json!({"pad": "x".repeat(200)}), &json!({}))
        .unwrap_err();
    assert!(
        err.to_string().starts_with("plugin `good`: input of ")
            && err.to_string().ends_with("exceeds the limit of 100 bytes"),
        "{err}"
    );
}

#[test]
fn each_call_gets_a_fresh_instance() {
    let runtime = runtime();
    let good = runtime.get("good").expect("loaded");
    // The bump allocator's pointer lives in a global: were the instance reused, the second request would be
    // written further up. Equal fuel for equal requests shows both calls started from the same state.
    let first = good
        .price(Decimal::ONE, &json!({}), &json!({}))
        .expect("first call");
    let second = good
        .price(Decimal::ONE, &json!({}), &json!({}))
        .expect("second call");
    assert_eq!(first.usage, second.usage);
    assert_eq!(first.usage.calls, 1);
    // One page of memory, never grown.
    assert_eq!(first.usage.peak_memory_bytes, 65_536);
    assert!(first.usage.fuel > 0);
}

#[test]
fn aggregation_runs_in_batches_of_a_hundred_events() {
    let runtime = runtime();
    let good = runtime.get("good").expect("loaded");
    let events = vec![json!({"timestamp": "2024-03-01T00:00:00Z", "properties": {}}); 201];
    let folded = good
        .aggregate(&events, State::default(), &json!({}))
        .expect("aggregates");
    // 201 events = batches of 100, 100 and 1; the fixture answers {total_units 3, amount 1.5} to each.
    assert_eq!(folded.usage.calls, 3);
    assert_eq!(
        folded.value,
        State {
            total_units: Decimal::from(3),
            amount: Decimal::new(15, 1)
        }
    );
    let none = good
        .aggregate(&[], State::default(), &json!({}))
        .expect("no events");
    assert_eq!((none.value, none.usage.calls), (State::default(), 0));
}

#[test]
fn a_directory_loads_every_wasm_file_and_names_the_broken_one() {
    let dir = std::env::temp_dir().join(format!("lagom-plugin-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    std::fs::write(dir.join("b_good.wasm"), wasm("good.wat")).expect("written");
    std::fs::write(dir.join("a_good.wasm"), wasm("good.wat")).expect("written");
    std::fs::write(dir.join("notes.txt"), "not a plugin").expect("written");
    let mut runtime = Runtime::new(Limits::default()).expect("an engine");
    assert_eq!(runtime.load_dir(&dir).expect("loads"), ["a_good", "b_good"]);
    std::fs::write(dir.join("c_wasi.wasm"), wasm("imports_wasi.wat")).expect("written");
    let err = runtime.load_dir(&dir).unwrap_err();
    assert_eq!(
        err.to_string(),
        "plugin `c_wasi`: imports `wasi_snapshot_preview1::fd_write`: plugins may import nothing"
    );
    std::fs::remove_dir_all(&dir).expect("cleaned up");
    let unknown = runtime.get("c_wasi").err().expect("not loaded");
    assert_eq!(
        unknown.to_string(),
        "no plugin `c_wasi` is loaded (loaded: a_good, b_good)"
    );
}
