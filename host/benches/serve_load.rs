//! A bounded load test of `lagom serve` on loopback: a fixed number of requests from N concurrent
//! keep-alive clients against `POST /api/v1/eval/charge` (a graduated charge) and `POST /api/v1/simulate`
//! (the `monthly_in_arrears` scenario fixture), reporting requests per second and latency percentiles.
//! A benchmark, not a test: it asserts only that every answer is a 200.
//!
//! `cargo bench -p lagom --bench serve_load` (`LOAD_CLIENTS`, default 8, and `LOAD_REQUESTS`, default
//! 20000 for eval and a tenth of that for simulate, change the load). The server is the `lagom` binary
//! of the bench build; clients and server share the machine's cores.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server under load, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lagom"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("lagom serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the URL line");
        let url = line
            .trim()
            .strip_prefix("Lagom listening on ")
            .expect("lagom announces its URL")
            .to_owned();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Sends `requests` POSTs of `body` to `url` from `clients` threads, each with its own keep-alive
/// connection; returns the wall time and every request's latency.
fn load(url: &str, body: &str, clients: usize, requests: usize) -> (Duration, Vec<Duration>) {
    let started = Instant::now();
    let latencies = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|i| {
                let share = requests / clients + usize::from(i < requests % clients);
                scope.spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    (0..share)
                        .map(|_| {
                            let sent = Instant::now();
                            let mut response = agent
                                .post(url)
                                .header("content-type", "application/json")
                                .send(body)
                                .expect("the server answers");
                            let status = response.status().as_u16();
                            let text = response.body_mut().read_to_string().expect("a body");
                            assert_eq!(status, 200, "{text}");
                            sent.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a client thread"))
            .collect::<Vec<_>>()
    });
    (started.elapsed(), latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(route: &str, clients: usize, elapsed: Duration, mut latencies: Vec<Duration>) {
    latencies.sort_unstable();
    let rate = latencies.len() as f64 / elapsed.as_secs_f64();
    println!(
        "{route:<22} {:>6} requests, {clients} clients: {rate:>8.0} req/s  p50 {:>8.2?}  p99 {:>8.2?}  max {:>8.2?}",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
}

fn main() {
    let clients = env_number("LOAD_CLIENTS", 8).max(1);
    let requests = env_number("LOAD_REQUESTS", 20_000).max(clients);
    let fixture: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures/scenarios/monthly_in_arrears.json"),
        )
        .expect("the scenario fixture"),
    )
    .expect("JSON");
    let scenario = fixture["scenario"].to_string();
    let charge = r#"{"charge_model": "graduated", "units": "15", "properties": {"graduated_ranges": [
        {"from_value": 0, "to_value": 10, "per_unit_amount": "1", "flat_amount": "2"},
        {"from_value": 11, "to_value": null, "per_unit_amount": "0.5", "flat_amount": "3"}]}}"#;
    let server = Server::start();
    let routes = [
        ("/api/v1/eval/charge", charge, requests),
        (
            "/api/v1/simulate",
            scenario.as_str(),
            (requests / 10).max(clients),
        ),
    ];
    for (route, body, count) in routes {
        let url = format!("{}{route}", server.url);
        // Warm up: connections, allocator, caches.
        load(&url, body, clients, clients * 10);
        let (elapsed, latencies) = load(&url, body, clients, count);
        report(route, clients, elapsed, latencies);
    }
}
