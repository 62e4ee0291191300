//! Starts the real `lagom serve` binary on a free loopback port and talks HTTP to it: health, every eval
//! fixture (the same answers as the core and the CLI), every scenario fixture through `/api/v1/simulate`,
//! plugins (`--plugins`: listed, pricing `custom` charges, hostile ones failing alone), the JSON errors
//! (400, 404, 405, 413, 422, 503), the page at `/`, the request log, and a graceful exit on SIGTERM and
//! Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Case, Expected};
use lagom_core::eval::Contract;
use serde_json::{Value, json};

/// A running server, killed when dropped so that a failing test never leaks one.
struct Server {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `lagom serve --addr 127.0.0.1:0 ARGS…` in an empty directory (so no `www/dist` is found) and
    /// waits for the URL it prints.
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lagom"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lagom binary starts");
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let mut server = Server {
            child,
            url: String::new(),
            stderr,
        };
        let mut stdout = BufReader::new(server.child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("stdout is readable");
        match line.trim().strip_prefix("Lagom listening on ") {
            Some(url) => server.url = url.to_owned(),
            None => {
                let status = server.child.wait().expect("lagom exits");
                panic!(
                    "lagom serve did not announce its URL (stdout {line:?}, {status}); stderr:\n{}",
                    server.log()
                );
            }
        }
        drain(stdout.into_inner());
        server
    }

    fn get(&self, path: &str) -> Answer {
        Answer::read(agent().get(format!("{}{path}", self.url)).call())
    }

    fn post(&self, path: &str, body: impl ureq::AsSendBody) -> Answer {
        Answer::read(
            agent()
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/json")
                .send(body),
        )
    }

    fn host_port(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// Everything the server has logged so far.
    fn log(&self) -> String {
        self.stderr.lock().expect("the log is readable").clone()
    }

    /// Sends a signal (`TERM`, `INT`) with the `kill` command.
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed: {status}");
    }

    /// Waits up to `limit` for the process to exit (checks at least once).
    fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the process can be waited on") {
                return Some(status);
            }
            if started.elapsed() >= limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already exited is fine: kill then fails, wait returns at once.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe to its end on a thread (so the server never blocks on a full pipe), keeping the text.
fn drain(pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut sink = sink.lock().expect("the log is writable");
            sink.push_str(&line);
            sink.push('\n');
        }
    });
    text
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// An HTTP answer: status, headers of interest, body text.
struct Answer {
    status: u16,
    content_type: String,
    allow: String,
    body: String,
}

impl Answer {
    fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut response = response.expect("the server answers");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (content_type, allow) = (header("content-type"), header("allow"));
        let body = response.body_mut().read_to_string().expect("a text body");
        Answer {
            status: response.status().as_u16(),
            content_type,
            allow,
            body,
        }
    }

    /// The body as JSON; fails unless the answer is declared and written as JSON.
    fn json(&self) -> Value {
        assert_eq!(self.content_type, "application/json", "body: {}", self.body);
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a JSON error with this status and code and no JSON path; returns its message.
    fn error(&self, status: u16, code: &str) -> String {
        let body = self.json();
        assert_eq!(self.status, status, "body: {body}");
        assert_eq!(body["code"], code, "body: {body}");
        assert_eq!(body["path"], Value::Null, "body: {body}");
        body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {body}"))
            .to_owned()
    }
}

#[test]
fn health_says_ok_and_the_version() {
    let server = Server::start(&[]);
    let answer = server.get("/health");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})
    );
}

fn check_case(server: &Server, case: &Case) -> Result<(), String> {
    let answer = server.post(
        &format!("/api/v1/eval/{}", case.contract),
        case.input.to_string(),
    );
    let body: Value = serde_json::from_str(&answer.body).map_err(|e| {
        format!(
            "status {}, body is not JSON ({e}): {}",
            answer.status, answer.body
        )
    })?;
    match &case.expected {
        Expected::Output(expected) if answer.status == 200 && body == *expected => Ok(()),
        Expected::Output(expected) => Err(format!(
            "status {}\n    expected {expected}\n    got      {body}",
            answer.status
        )),
        Expected::Error { path, message }
            if answer.status == 422
                && path
                    .as_ref()
                    .is_none_or(|path| body["path"] == path.as_str())
                && body["error"]
                    .as_str()
                    .is_some_and(|error| error.contains(message.as_str())) =>
        {
            Ok(())
        }
        Expected::Error { path, message } => Err(format!(
            "expected 422 at {path:?} with {message:?}; got status {}: {body}",
            answer.status
        )),
    }
}

#[test]
fn every_eval_fixture_over_http() {
    let server = Server::start(&[]);
    common::check_every_case("HTTP", |case| check_case(&server, case));
}

/// A document the core rejects is a 422 carrying exactly the core's message and JSON path.
#[test]
fn a_rejected_document_is_a_422_with_the_core_error_and_path() {
    let server = Server::start(&[]);
    let bad_field = [
        (
            Contract::Charge,
            "charge",
            json!({"charge_model": "stairs", "properties": {"amount": "1"}, "units": "3"}),
        ),
        (
            Contract::Aggregation,
            "aggregation",
            json!({
                "billable_metric": {"code": "calls", "aggregation_type": "avg_agg"},
                "events": [],
                "from_datetime": "2024-03-01T00:00:00Z",
                "to_datetime": "2024-03-31T23:59:59Z"
            }),
        ),
        (
            Contract::Period,
            "period",
            json!({
                "interval": "daily",
                "billing_time": "calendar",
                "subscription_at": "2024-01-15T00:00:00Z",
                "billing_at": "2024-03-01T00:00:00Z",
                "timezone": "UTC",
                "pay_in_advance": false
            }),
        ),
    ];
    for (contract, name, document) in bad_field {
        let expected = contract
            .run(&document.to_string())
            .expect_err("the core rejects this document");
        let code = match expected {
            lagom_core::Error::Invalid { .. } => "invalid",
            lagom_core::Error::UnknownVariant { .. } => "unknown_variant",
            lagom_core::Error::Overflow { .. } => "overflow",
            lagom_core::Error::DivisionByZero { .. } => "division_by_zero",
            lagom_core::Error::Custom { .. } => "custom",
        };
        let answer = server.post(&format!("/api/v1/eval/{name}"), document.to_string());
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
        assert_eq!(
            answer.json(),
            json!({"error": expected.to_string(), "code": code, "path": expected.path()}),
            "{name}"
        );
    }
}

#[test]
fn malformed_json_is_a_400() {
    let server = Server::start(&[]);
    for name in Contract::NAMES {
        let route = format!("/api/v1/eval/{name}");
        let message = server
            .post(&route, "{\"charge_model\": ")
            .error(400, "malformed_json");
        assert!(message.contains("EOF while parsing"), "{name}: {message}");
        let message = server
            .post(&route, &b"{\"units\": \"\xff\"}"[..])
            .error(400, "malformed_json");
        assert!(message.contains("not UTF-8"), "{name}: {message}");
    }
}

#[test]
fn a_body_over_the_limit_is_a_413() {
    let server = Server::start(&["--max-body-bytes", "1024"]);
    let document = json!({"units": "1", "padding": "x".repeat(2048)}).to_string();
    for name in Contract::NAMES {
        let message = server
            .post(&format!("/api/v1/eval/{name}"), document.as_str())
            .error(413, "body_too_large");
        assert!(message.contains("1024 bytes"), "{name}: {message}");
    }
    // At the limit exactly, the body is read and goes on to the core.
    let at_limit = format!("{{\"p\":\"{}\"}}", "x".repeat(1024 - 8));
    assert_eq!(at_limit.len(), 1024);
    assert_ne!(server.post("/api/v1/eval/charge", at_limit).status, 413);
}

/// The default limit is 16 MiB, well above the 2 MiB axum would apply on its own.
#[test]
fn a_body_of_a_few_mebibytes_is_accepted_by_default() {
    let server = Server::start(&[]);
    let document = json!({"padding": "x".repeat(3 * 1024 * 1024)}).to_string();
    let answer = server.post("/api/v1/eval/charge", document.as_str());
    let core = Contract::Charge.run(&document);
    match core {
        Ok(output) => assert_eq!((answer.status, answer.json()), (200, output)),
        Err(err) => assert_eq!(
            (answer.status, answer.json()["path"].clone()),
            (422, json!(err.path()))
        ),
    }
}

#[test]
fn unknown_routes_and_contracts_are_json_404s() {
    let server = Server::start(&[]);
    let message = server.get("/api/v1/nothing").error(404, "not_found");
    assert_eq!(message, "no route for GET /api/v1/nothing");
    server
        .post("/api/v2/eval/charge", "{}")
        .error(404, "not_found");
    server.get("/nothing-here").error(404, "not_found");
    let message = server
        .post("/api/v1/eval/invoice", "{}")
        .error(404, "unknown_contract");
    assert!(
        message.contains("invoice") && message.contains("charge, aggregation, period"),
        "{message}"
    );
}

#[test]
fn a_wrong_method_is_a_json_405_with_the_allowed_ones() {
    let server = Server::start(&[]);
    let answer = server.get("/api/v1/eval/charge");
    let message = answer.error(405, "method_not_allowed");
    assert_eq!(message, "method GET is not allowed on /api/v1/eval/charge");
    assert_eq!(answer.allow, "POST");
    let answer = server.post("/health", "{}");
    answer.error(405, "method_not_allowed");
    assert_eq!(answer.allow, "GET,HEAD");
}

/// A client that sends its headers and then stalls holds the request past the limit: 503, promptly.
#[test]
fn a_request_over_the_time_limit_is_a_503() {
    let server = Server::start(&["--request-timeout-secs", "1"]);
    let mut stream = TcpStream::connect(server.host_port()).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a read timeout can be set");
    let started = Instant::now();
    stream
        .write_all(
            b"POST /api/v1/eval/charge HTTP/1.1\r\nHost: lagom\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"units\":",
        )
        .expect("the request head is sent");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let waited = started.elapsed();
    assert!(
        response.starts_with("HTTP/1.1 503"),
        "response: {response:?}"
    );
    assert!(response.contains("\"code\":\"timeout\""), "{response:?}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
}

#[test]
fn the_root_serves_the_built_in_page_without_a_www_build() {
    let server = Server::start(&[]);
    let answer = server.get("/");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "text/html; charset=utf-8");
    for needle in [
        "<link rel=\"icon\" href=\"data:,\">",
        "/health",
        "/api/v1/eval/charge",
        "/api/v1/eval/aggregation",
        "/api/v1/eval/period",
        "/api/v1/simulate",
        "/api/v1/validate",
        "/api/v1/plugins",
        "/api/v1/openapi.json",
        "curl ",
        "<form",
    ] {
        assert!(answer.body.contains(needle), "the page lacks {needle:?}");
    }
}

#[test]
fn www_serves_a_directory_at_the_root() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-www");
    std::fs::create_dir_all(dir.join("assets")).expect("a temporary www directory");
    std::fs::write(dir.join("index.html"), "<p>the web app</p>").expect("index.html is written");
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").expect("app.js is written");
    let server = Server::start(&["--www", dir.to_str().expect("a UTF-8 path")]);
    assert_eq!(server.get("/").body, "<p>the web app</p>");
    let script = server.get("/assets/app.js");
    assert_eq!(
        (script.status, script.body.as_str()),
        (200, "console.log(1)")
    );
    assert!(
        script.content_type.contains("javascript"),
        "{}",
        script.content_type
    );
    assert_eq!(server.get("/missing.js").status, 404);
    assert_eq!(server.get("/health").status, 200);
}

#[test]
fn a_missing_www_directory_stops_the_start_with_exit_code_1() {
    let out = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(["serve", "--addr", "127.0.0.1:0", "--www", "no/such/dir"])
        .output()
        .expect("lagom runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(stderr.contains("--www no/such/dir"), "stderr: {stderr}");
}

#[test]
fn a_busy_address_stops_the_start_with_exit_code_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = taken.local_addr().expect("a bound address").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(["serve", "--addr", &addr])
        .output()
        .expect("lagom runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("listening on {addr}")),
        "stderr: {stderr}"
    );
}

#[test]
fn each_request_is_one_log_line_with_method_path_status_and_latency() {
    let server = Server::start(&[]);
    server.get("/health");
    server.post("/api/v1/eval/charge", "[");
    let started = Instant::now();
    let lines = loop {
        let log = server.log();
        let lines: Vec<String> = log
            .lines()
            .filter(|line| line.contains(" request "))
            .map(str::to_owned)
            .collect();
        if lines.len() >= 2 || started.elapsed() > Duration::from_secs(5) {
            break lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(lines.len(), 2, "log:\n{}", server.log());
    for (line, parts) in lines.iter().zip([
        ["method=GET", "path=/health", "status=200"],
        ["method=POST", "path=/api/v1/eval/charge", "status=400"],
    ]) {
        for part in parts {
            assert!(line.contains(part), "{line:?} lacks {part:?}");
        }
        assert!(line.contains("latency="), "{line:?}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_and_ctrl_c_stop_the_server_with_exit_code_0() {
    for signal in ["TERM", "INT"] {
        let mut server = Server::start(&[]);
        assert_eq!(server.get("/health").status, 200);
        server.signal(signal);
        let status = server.exit_within(Duration::from_secs(5));
        assert!(
            status.is_some_and(|status| status.success()),
            "SIG{signal}: exit {status:?}; log:\n{}",
            server.log()
        );
    }
}

/// A request in flight when SIGTERM arrives is still answered, then the server exits 0.
#[cfg(unix)]
#[test]
fn a_request_in_flight_at_sigterm_is_answered_before_the_exit() {
    let mut server = Server::start(&[]);
    let mut stream = TcpStream::connect(server.host_port()).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("a read timeout can be set");
    let body = "{\"units\": 3}";
    let head = format!(
        "POST /api/v1/eval/charge HTTP/1.1\r\nHost: lagom\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{{",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .expect("the request head is sent");
    // Give the server time to accept the connection and start reading the request.
    std::thread::sleep(Duration::from_millis(300));
    server.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.exit_within(Duration::ZERO).is_none(),
        "the server exited with a request in flight"
    );
    stream
        .write_all(&body.as_bytes()[1..])
        .expect("the rest of the body is sent");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let expected = Contract::Charge.run(body).map_or(422, |_| 200);
    assert!(
        response.starts_with(&format!("HTTP/1.1 {expected} ")),
        "response: {response:?}"
    );
    let status = server.exit_within(Duration::from_secs(5));
    assert!(
        status.is_some_and(|status| status.success()),
        "exit {status:?}; log:\n{}",
        server.log()
    );
}

/// Every scenario fixture of `tests/fixtures/scenarios/`, posted to `/api/v1/simulate`: the answer holds
/// what the fixture's `expected` names (worked out by hand in its `note`), or is the 422 its `error` names.
#[test]
fn every_scenario_fixture_over_http() {
    let server = Server::start(&[]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the scenario fixtures")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "too few scenario fixtures: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(file).expect("readable"))
                .expect("a JSON fixture");
        let answer = server.post("/api/v1/simulate", fixture["scenario"].to_string());
        let body = answer.json();
        let failure = match (&fixture["expected"], &fixture["error"]) {
            (expected @ Value::Object(_), _) if answer.status == 200 => {
                let mut mismatches = Vec::new();
                subset("", expected, &body, &mut mismatches);
                (!mismatches.is_empty()).then(|| mismatches.join("\n    "))
            }
            (Value::Null, Value::Object(error)) if answer.status == 422 => {
                let path = error.get("path").and_then(Value::as_str);
                let message = error["message"].as_str().unwrap_or_default();
                let matches = path.is_none_or(|p| body["path"] == p)
                    && body["error"].as_str().is_some_and(|e| e.contains(message));
                (!matches).then(|| format!("expected {path:?} / {message:?}, got {body}"))
            }
            _ => Some(format!("status {}: {body}", answer.status)),
        };
        if let Some(failure) = failure {
            failures.push(format!("{}: {failure}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where `actual` differs from `expected`: every key `expected` names must match (extra keys are
/// allowed), arrays must have the same length.
fn subset(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    Some(actual) => subset(&format!("{path}.{key}"), value, actual, out),
                    None => out.push(format!("{path}.{key}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                subset(&format!("{path}[{i}]"), e, a, out);
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

#[test]
fn a_malformed_scenario_is_a_400_and_a_bad_one_a_422_with_its_path() {
    let server = Server::start(&[]);
    server
        .post("/api/v1/simulate", "{\"timeline\": [")
        .error(400, "malformed_json");
    let answer = server.post(
        "/api/v1/simulate",
        json!({"timeline": [{"at": "2024-01-01T00:00:00Z", "op": "create_subscription",
            "body": {"external_id": "s1", "external_customer_id": "c", "plan_code": "pro"}}]})
        .to_string(),
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        answer.json(),
        json!({"error": "timeline[0].body.plan_code: unknown plan code `pro`, known: none",
               "code": "invalid", "path": "timeline[0].body.plan_code"})
    );
}

/// A scenario billing March 2024 for one customer in UTC, with one `custom` charge on `metric`.
fn custom_charge_scenario(metric: Value, properties: Value, events: &[(&str, Value)]) -> Value {
    let mut timeline = vec![
        json!({"at": "2024-03-01T00:00:00Z", "op": "create_subscription",
        "body": {"external_id": "s1", "external_customer_id": "acme", "plan_code": "p"}}),
    ];
    for (i, (at, properties)) in events.iter().enumerate() {
        timeline.push(json!({"at": at, "op": "event", "body": {
            "transaction_id": format!("t{i}"), "external_subscription_id": "s1",
            "code": metric["code"], "properties": properties}}));
    }
    json!({
        "customer": {"external_id": "acme", "currency": "EUR", "timezone": "UTC"},
        "billable_metrics": [metric],
        "plans": [{"name": "P", "code": "p", "interval": "monthly", "amount_cents": 0,
                   "amount_currency": "EUR", "pay_in_advance": false,
                   "charges": [{"billable_metric_code": metric["code"], "charge_model": "custom",
                                "properties": properties}]}],
        "timeline": timeline,
        "until": "2024-04-01T00:00:00Z"
    })
}

/// The one charge fee of the one invoice of a simulation's output.
fn charge_fee(output: &Value) -> &Value {
    let invoices = output["invoices"].as_array().expect("invoices");
    assert_eq!(invoices.len(), 1, "{output}");
    let fees: Vec<&Value> = invoices[0]["fees"]
        .as_array()
        .expect("fees")
        .iter()
        .filter(|fee| fee["item"]["type"] == "charge")
        .collect();
    assert_eq!(fees.len(), 1, "{output}");
    fees[0]
}

fn plugin_server(dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--plugins", dir.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra);
    Server::start(&args)
}

#[test]
fn plugins_are_listed_with_their_exports_abi_version_and_limits() {
    let dir = common::plugin_dir("serve-list", &["good", "infinite_loop"], &["time_of_day"]);
    let server = plugin_server(&dir, &["--fuel", "5000000", "--deadline-ms", "250"]);
    let answer = server.get("/api/v1/plugins");
    assert_eq!(answer.status, 200);
    let body = answer.json();
    let listed: Vec<(String, Value)> = body["plugins"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                p["exports"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("good".to_owned(), json!(["price", "aggregate"])),
            ("infinite_loop".to_owned(), json!(["price"])),
            ("time_of_day".to_owned(), json!(["price"])),
        ]
    );
    let first = &body["plugins"][0];
    assert_eq!(first["abi_version"], 1);
    assert_eq!(first["limits"]["fuel"], 5_000_000);
    assert_eq!(first["limits"]["deadline_ms"], 250);
    assert_eq!(first["limits"]["memory_bytes"], 64 * 1024 * 1024);
    // Without --plugins the list is empty.
    let bare = Server::start(&[]);
    assert_eq!(bare.get("/api/v1/plugins").json(), json!({"plugins": []}));
}

#[test]
fn a_bad_plugin_stops_the_start_naming_its_file() {
    let dir = common::plugin_dir("serve-bad", &["good", "imports_wasi"], &[]);
    let out = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(["serve", "--addr", "127.0.0.1:0", "--plugins"])
        .arg(&dir)
        .output()
        .expect("lagom runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("plugin `imports_wasi`: imports `wasi_snapshot_preview1::"),
        "stderr: {stderr}"
    );
}

/// `good` answers `{"amount": "42", "unit_amount": "4.2"}` whatever it is asked; the hostile plugins each
/// fail their own request with a 422 naming the plugin and the limit, and the next request still succeeds.
#[test]
fn a_custom_charge_is_priced_by_its_plugin_and_hostile_plugins_fail_alone() {
    let dir = common::plugin_dir(
        "serve-hostile",
        &[
            "good",
            "infinite_loop",
            "memory_bomb",
            "deep_recursion",
            "unreachable",
            "huge_output",
        ],
        &[],
    );
    let server = plugin_server(&dir, &[]);
    let charge = |plugin: &str| {
        json!({"charge_model": "custom", "units": "10", "properties": {"plugin": plugin}})
            .to_string()
    };
    let good = || {
        let answer = server.post("/api/v1/eval/charge", charge("good"));
        assert_eq!(
            (answer.status, answer.json()),
            (
                200,
                json!({"amount": "42", "unit_amount": "4.2", "amount_details": {}})
            )
        );
    };
    good();
    for (plugin, reason) in [
        (
            "infinite_loop",
            "ran out of fuel after 10000000 instructions",
        ),
        ("memory_bomb", "exceeded the 64 MiB memory limit"),
        ("deep_recursion", "stack overflow"),
        ("unreachable", "trapped: "),
        (
            "huge_output",
            "output of 2097152 bytes exceeds the limit of 1048576 bytes",
        ),
    ] {
        let answer = server.post("/api/v1/eval/charge", charge(plugin));
        assert_eq!(answer.status, 422, "{plugin}: {}", answer.body);
        let body = answer.json();
        assert_eq!(body["code"], "custom", "{body}");
        let message = body["error"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("plugin `{plugin}`: {reason}")),
            "{plugin}: {message}"
        );
        good();
    }
    // A charge naming no plugin, or one not loaded, says which plugins there are.
    let answer = server.post(
        "/api/v1/eval/charge",
        json!({"charge_model": "custom", "units": "1"}).to_string(),
    );
    let message = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("properties.plugin: a `custom` charge must name its plugin (loaded: deep_recursion, good, huge_output, infinite_loop, memory_bomb, unreachable)"), "{message}");
    let answer = server.post("/api/v1/eval/charge", charge("nope"));
    let message = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("properties.plugin: no plugin `nope` is loaded"),
        "{message}"
    );
}

/// With fuel to spare, the wall-clock deadline stops an endless loop.
#[test]
fn the_deadline_stops_a_plugin_that_fuel_would_not() {
    let dir = common::plugin_dir("serve-deadline", &["good", "infinite_loop"], &[]);
    let server = plugin_server(
        &dir,
        &["--fuel", "1000000000000000", "--deadline-ms", "100"],
    );
    let started = Instant::now();
    let answer = server.post(
        "/api/v1/eval/charge",
        json!({"charge_model": "custom", "units": "1", "properties": {"plugin": "infinite_loop"}})
            .to_string(),
    );
    let message = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(answer.status, 422, "{message}");
    assert!(
        message.contains("plugin `infinite_loop`: ran past its deadline of 100 ms"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

/// The time-of-day example prices a simulated month: 5 calls in March 2024, UTC, night from 22:00 to
/// 06:00 at 0.04, day at 0.10. Night: 03:00 and 23:00 on the 5th → 2 × 0.04 = 0.08; day: 12:00 on the
/// 5th, 10:00 and 10:30 on the 6th → 3 × 0.10 = 0.30. Amount 0.38 EUR = 38 cents, 5 units, unit amount
/// (none from the plugin, so Lago's rule) 0.38 / 5 = 0.076. A call at 2024-04-01T00:00:00Z is April's
/// and not in the fee. A looping plugin in the same place is a 422 naming the charge.
#[test]
fn a_simulated_custom_charge_is_priced_by_the_time_of_day_example() {
    let dir = common::plugin_dir("serve-simulate", &["infinite_loop"], &["time_of_day"]);
    let server = plugin_server(&dir, &[]);
    let metric = json!({"name": "Calls", "code": "calls", "aggregation_type": "count_agg"});
    let events = [
        ("2024-03-05T03:00:00Z", json!({})),
        ("2024-03-05T12:00:00Z", json!({})),
        ("2024-03-05T23:00:00Z", json!({})),
        ("2024-03-06T10:00:00Z", json!({})),
        ("2024-03-06T10:30:00Z", json!({})),
        ("2024-04-01T00:00:00Z", json!({})),
    ];
    let tariff =
        json!({"plugin": "time_of_day", "day_unit_amount": "0.10", "night_unit_amount": "0.04"});
    let answer = server.post(
        "/api/v1/simulate",
        custom_charge_scenario(metric.clone(), tariff, &events).to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let output = answer.json();
    let fee = charge_fee(&output);
    assert_eq!(fee["amount_cents"], 38, "{fee}");
    assert_eq!(fee["units"], "5", "{fee}");
    assert_eq!(fee["precise_unit_amount"], "0.076", "{fee}");
    assert_eq!(
        fee["amount_details"],
        json!({"day_units": "3", "day_amount": "0.3", "night_units": "2", "night_amount": "0.08"})
    );
    assert_eq!(output["invoices"][0]["total_amount_cents"], 38);

    let answer = server.post(
        "/api/v1/simulate",
        custom_charge_scenario(metric, json!({"plugin": "infinite_loop"}), &events).to_string(),
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    let body = answer.json();
    let path = body["path"].as_str().unwrap_or_default();
    assert!(path.ends_with("plans.p.charges[0]"), "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("plugin `infinite_loop`: ran out of fuel"),
        "{body}"
    );
}

/// The storage example as a `custom_agg` metric's aggregator, priced by Lago's custom rule (the amount
/// the aggregation computed). Units 0→1 in eu (tier 0–10 at 0) → 0; 1→11 in asia: 9 units at 0 and 1 in
/// 10–20 at 0.30 → 0.30; 11→46 in us: 9 in 10–20 at 0.20 = 1.80 and 26 in 20+ at 0.30 = 7.80 → 9.60.
/// Amount 9.90 = 990 cents over 46 units: unit amount 9.9 / 46 = 0.2152173913043478260869565217.
#[test]
fn a_simulated_custom_aggregation_is_folded_by_the_storage_example() {
    let dir = common::plugin_dir("serve-aggregate", &[], &["custom_aggregator"]);
    let server = plugin_server(&dir, &[]);
    let metric = json!({"name": "Storage", "code": "storage", "aggregation_type": "custom_agg"});
    let properties = json!({"plugin": "custom_aggregator", "custom_properties": {"ranges": [
        {"from": 0, "to": 10, "storage_eu": "0", "storage_us": "0", "storage_asia": "0"},
        {"from": 10, "to": 20, "storage_eu": "0.10", "storage_us": "0.20", "storage_asia": "0.30"},
        {"from": 20, "to": null, "storage_eu": "0.20", "storage_us": "0.30", "storage_asia": "0.40"}
    ]}});
    let events = [
        (
            "2024-03-01T00:00:00Z",
            json!({"value": 1, "storage_zone": "storage_eu"}),
        ),
        (
            "2024-03-02T00:00:00Z",
            json!({"value": 10, "storage_zone": "storage_asia"}),
        ),
        (
            "2024-03-03T00:00:00Z",
            json!({"value": 35, "storage_zone": "storage_us"}),
        ),
    ];
    let answer = server.post(
        "/api/v1/simulate",
        custom_charge_scenario(metric, properties, &events).to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let output = answer.json();
    let fee = charge_fee(&output);
    assert_eq!(fee["amount_cents"], 990, "{fee}");
    assert_eq!(fee["units"], "46", "{fee}");
    assert_eq!(
        fee["precise_unit_amount"], "0.2152173913043478260869565217",
        "{fee}"
    );

    // The charge contract has no events to fold: it prices the aggregation state it is given, by the
    // same rule (9.9 over 46 units), and refuses a charge without one.
    let charge = |state: Value| {
        let mut input = json!({"charge_model": "custom", "units": "46",
                               "properties": {"plugin": "custom_aggregator"}});
        if !state.is_null() {
            input["custom_aggregation"] = state;
        }
        server.post("/api/v1/eval/charge", input.to_string())
    };
    let answer = charge(json!({"total_units": "46", "amount": "9.9"}));
    assert_eq!(
        (answer.status, answer.json()),
        (
            200,
            json!({"amount": "9.9", "unit_amount": "0.2152173913043478260869565217", "amount_details": {}})
        )
    );
    let answer = charge(Value::Null);
    assert_eq!(answer.status, 422);
    let message = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("plugin `custom_aggregator` exports only lagom_aggregate"),
        "{message}"
    );
}

/// Every case of `tests/fixtures/validate/documents.json` posted to `/api/v1/validate`: the same problems,
/// in order, each with the fixture's path and code and a message containing its fragment. Raw text that is
/// not JSON is a problem like any other here, not a 400.
#[test]
fn every_validate_fixture_over_http() {
    let server = Server::start(&[]);
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/validate/documents.json");
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("readable")).expect("JSON");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 3, "too few cases");
    let mut failures = Vec::new();
    for case in cases {
        let text = match case["text"].as_str() {
            Some(text) => text.to_owned(),
            None => case["document"].to_string(),
        };
        let answer = server.post("/api/v1/validate", text);
        let body = answer.json();
        let actual = body["problems"].as_array().cloned().unwrap_or_default();
        let expected = case["problems"].as_array().cloned().unwrap_or_default();
        let matches = answer.status == 200
            && actual.len() == expected.len()
            && actual.iter().zip(&expected).all(|(a, e)| {
                a["path"] == e["path"]
                    && a["code"] == e["code"]
                    && a["message"]
                        .as_str()
                        .is_some_and(|a| a.contains(e["message"].as_str().unwrap_or_default()))
            });
        if !matches {
            failures.push(format!(
                "{}: status {}: {body}",
                case["name"], answer.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    server
        .post("/api/v1/validate", &b"{\"plans\": \"\xff\"}"[..])
        .error(400, "malformed_json");
}

/// The OpenAPI document parses, lists every route the server answers (each of which is really answered,
/// not a 404), and describes the scenario with the same schema `lagom schema scenario` prints.
#[test]
fn the_openapi_document_lists_every_route() {
    let server = Server::start(&[]);
    let answer = server.get("/api/v1/openapi.json");
    assert_eq!(answer.status, 200);
    let document = answer.json();
    assert!(
        document["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        document["openapi"]
    );
    let paths = document["paths"].as_object().expect("paths");
    let mut listed: Vec<(&str, &str)> = paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item");
            item.keys()
                .map(move |method| (path.as_str(), method.as_str()))
        })
        .collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            ("/api/v1/eval/aggregation", "post"),
            ("/api/v1/eval/charge", "post"),
            ("/api/v1/eval/period", "post"),
            ("/api/v1/openapi.json", "get"),
            ("/api/v1/plugins", "get"),
            ("/api/v1/simulate", "post"),
            ("/api/v1/validate", "post"),
            ("/health", "get"),
        ]
    );
    for (path, method) in &listed {
        let status = match *method {
            "get" => server.get(path).status,
            _ => server.post(path, "{}").status,
        };
        assert_ne!(status, 404, "{method} {path}");
        assert_ne!(status, 405, "{method} {path}");
    }
    let scenario = &document["paths"]["/api/v1/simulate"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(scenario, "#/components/schemas/Scenario");
    let schemas = &document["components"]["schemas"];
    for name in [
        "Scenario",
        "Step",
        "Plan",
        "BillableMetric",
        "ChargeInput",
        "Problem",
        "Error",
    ] {
        assert!(schemas[name].is_object(), "no schema {name}");
    }
    let printed = Command::new(env!("CARGO_BIN_EXE_lagom"))
        .args(["schema", "scenario"])
        .output()
        .expect("lagom runs");
    let printed: Value = serde_json::from_slice(&printed.stdout).expect("JSON");
    let served = schemas["Scenario"]
        .to_string()
        .replace("#/components/schemas/", "#/$defs/");
    assert_eq!(served, printed["$defs"]["Scenario"].to_string());
}
