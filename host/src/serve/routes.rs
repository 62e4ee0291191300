//! The routes of `lagom serve`: `GET /health`, `POST /api/v1/eval/{contract}`, `POST /api/v1/simulate`,
//! `POST /api/v1/validate`, `GET /api/v1/plugins`, `GET /api/v1/openapi.json`, and what `/` serves.
//!
//! An eval request's body is the contract's input document and the answer is its output document; a
//! simulate request's body is a scenario and the answer the simulator's output (the JSON of
//! `lagom simulate`). The body is checked to be JSON here (so a syntax error is a 400, not a 422), then
//! handed to the core on the blocking pool: evaluation is CPU work and must not stall the async runtime.
//! A validate request's body is a scenario document too, but any text is read: its answer lists every
//! problem, a syntax error included (`{"problems": [{path, code, message}]}`, empty when it is valid).
//! With plugins loaded, `custom` charges are priced by the plugin their `properties.plugin` names.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use lagom::plugin::Runtime;
use lagom_core::eval::Contract;
use lagom_core::simulate::{Scenario, validate};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::errors::{method_not_allowed, no_route};
use super::layers::{log_request, time_limit};
use super::static_files::Site;
use crate::error::HostError;
use crate::{eval, openapi, simulate};

/// The limits a request must keep to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

#[derive(Clone)]
struct ApiState {
    max_body_bytes: usize,
    /// One permit per evaluation running on the blocking pool, as many as there are CPUs: more would only
    /// make each slower, and a flood of requests then waits here (within its time limit) instead of
    /// spawning threads without bound.
    slots: Arc<Semaphore>,
    /// The plugins of `--plugins`, compiled once at start-up.
    plugins: Option<Arc<Runtime>>,
    /// The OpenAPI document, built once.
    openapi: Arc<Value>,
}

/// The whole application: health, the API, the site at `/`, and the request-wide layers.
pub fn router(site: &Site, limits: &Limits, plugins: Option<Arc<Runtime>>) -> Router {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let api = Router::new()
        .route("/v1/eval/{contract}", post(eval))
        .route("/v1/simulate", post(simulate))
        .route("/v1/validate", post(validate_scenario))
        .route("/v1/plugins", get(list_plugins))
        .route("/v1/openapi.json", get(openapi_document))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .with_state(ApiState {
            max_body_bytes: limits.max_body_bytes,
            slots: Arc::new(Semaphore::new(cpus)),
            plugins,
            openapi: Arc::new(openapi::document()),
        });
    Router::new()
        .route("/health", get(health))
        .nest("/api", api)
        .merge(site.router())
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            time_limit,
        ))
        .layer(middleware::from_fn(log_request))
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

async fn eval(
    State(state): State<ApiState>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HostError> {
    let contract = Contract::from_name(&name, "")
        .map_err(|_| HostError::UnknownContract { name: name.clone() })?;
    let document = json_text(body, state.max_body_bytes)?;
    let plugins = state.plugins.clone();
    let answer = on_blocking_pool(&state, move || {
        eval::answer(contract, &document, plugins.as_deref())
    })
    .await?;
    Ok(Json(answer))
}

async fn simulate(
    State(state): State<ApiState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HostError> {
    let document = json_text(body, state.max_body_bytes)?;
    let plugins = state.plugins.clone();
    let output = on_blocking_pool(&state, move || {
        let scenario = Scenario::parse(&document)?;
        let output = simulate::output(&scenario, plugins.as_deref())?;
        serde_json::to_value(output)
            .map_err(|e| lagom_core::Error::invalid("", format!("cannot write the output: {e}")))
    })
    .await?;
    Ok(Json(output))
}

async fn validate_scenario(
    State(state): State<ApiState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HostError> {
    let document = utf8_text(body, state.max_body_bytes)?;
    let problems = on_blocking_pool(&state, move || Ok(validate(&document))).await?;
    Ok(Json(json!({ "problems": problems })))
}

/// The loaded plugins: each one's name, the calls it exports, its ABI version, its size and the limits
/// of each call (the same for all).
async fn list_plugins(State(state): State<ApiState>) -> Json<Value> {
    let plugins: Vec<Value> = state
        .plugins
        .iter()
        .flat_map(|runtime| {
            let limits = runtime.limits();
            runtime.plugins().map(move |plugin| {
                let calls = plugin.calls();
                let exports: Vec<&str> = [(calls.price, "price"), (calls.aggregate, "aggregate")]
                    .into_iter()
                    .filter_map(|(exported, name)| exported.then_some(name))
                    .collect();
                json!({
                    "name": plugin.name(),
                    "exports": exports,
                    "abi_version": lagom::plugin::abi::ABI_VERSION,
                    "size_bytes": plugin.size_bytes(),
                    "limits": {
                        "fuel": limits.fuel,
                        "deadline_ms": u64::try_from(limits.deadline.as_millis()).unwrap_or(u64::MAX),
                        "memory_bytes": limits.memory_bytes,
                        "stack_bytes": limits.stack_bytes,
                        "input_bytes": limits.input_bytes,
                        "output_bytes": limits.output_bytes,
                    },
                })
            })
        })
        .collect();
    Json(json!({ "plugins": plugins }))
}

async fn openapi_document(State(state): State<ApiState>) -> Json<Value> {
    Json(Value::clone(&state.openapi))
}

/// Runs `work` on the blocking pool once an evaluation slot is free, and returns its answer.
async fn on_blocking_pool<T: Send + 'static>(
    state: &ApiState,
    work: impl FnOnce() -> Result<T, lagom_core::Error> + Send + 'static,
) -> Result<T, HostError> {
    // Acquired before spawning and released when the work ends, even if the request gave up on it.
    let slot = Arc::clone(&state.slots)
        .acquire_owned()
        .await
        .map_err(|err| HostError::Internal(err.to_string()))?;
    let answer = tokio::task::spawn_blocking(move || {
        let answer = work();
        drop(slot);
        answer
    })
    .await
    .map_err(|err| HostError::Internal(format!("the evaluation did not finish: {err}")))??;
    Ok(answer)
}

/// The request body as JSON text, or why it is not.
fn json_text(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<String, HostError> {
    let text = utf8_text(body, limit)?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|err| HostError::MalformedJson(err.to_string()))?;
    Ok(text)
}

/// The request body as text, or why it is not.
fn utf8_text(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<String, HostError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HostError::BodyTooLarge { limit }
        } else {
            HostError::BodyUnreadable(rejection.body_text())
        }
    })?;
    String::from_utf8(body.into())
        .map_err(|err| HostError::MalformedJson(format!("the body is not UTF-8 text ({err})")))
}
