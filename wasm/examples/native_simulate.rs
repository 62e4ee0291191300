//! The native counterpart of the package's `bench/simulate.mjs`: runs the core's `simulate_json` on
//! scenario files that script wrote (`LAGOM_BENCH_SCENARIOS=DIR node bench/simulate.mjs`), so wasm and
//! native time the very same documents, and prints the CPU time of each run (the thread's, from
//! `/proc/self/schedstat`: on a shared machine wall-clock time includes waiting for a core).
//!
//! ```sh
//! cargo run --profile bench -p lagom-wasm --example native_simulate -- FILE... [--runs N]
//! ```

use std::error::Error;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut files = Vec::new();
    let mut runs = 3;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().ok_or("--runs needs a number")?.parse()?,
            _ => files.push(arg),
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for _ in 0..runs {
            let (cpu, wall) = (cpu_ns()?, Instant::now());
            let output = lagom_core::simulate::simulate_json(std::hint::black_box(&text))?;
            let (cpu, wall) = (cpu_ns()? - cpu, wall.elapsed());
            println!(
                "{file}: CPU {:.1} ms, wall {:.1} ms ({} B of output)",
                cpu as f64 / 1e6,
                wall.as_secs_f64() * 1e3,
                output.len()
            );
        }
    }
    Ok(())
}

/// The CPU time this thread has used so far, in nanoseconds (Linux: the first field of schedstat).
fn cpu_ns() -> Result<u64, Box<dyn Error>> {
    let schedstat = std::fs::read_to_string("/proc/self/schedstat")?;
    let first = schedstat
        .split_whitespace()
        .next()
        .ok_or("empty /proc/self/schedstat")?;
    Ok(first.parse()?)
}
