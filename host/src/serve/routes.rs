//! The routes of `lagom serve`: `GET /health`, `POST /api/v1/eval/{contract}`, and what `/` serves.
//!
//! An eval request's body is the contract's input document and the answer is its output document. The body
//! is checked to be JSON here (so a syntax error is a 400, not a 422), then handed to the core on the
//! blocking pool: evaluation is CPU work and must not stall the async runtime.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use lagom_core::eval::Contract;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::errors::{method_not_allowed, no_route};
use super::layers::{log_request, time_limit};
use super::static_files::Site;
use crate::error::HostError;

/// The limits a request must keep to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
}

#[derive(Clone)]
struct EvalState {
    max_body_bytes: usize,
    /// One permit per evaluation running on the blocking pool, as many as there are CPUs: more would only
    /// make each slower, and a flood of requests then waits here (within its time limit) instead of
    /// spawning threads without bound.
    slots: Arc<Semaphore>,
}

/// The whole application: health, the API, the site at `/`, and the request-wide layers.
pub fn router(site: &Site, limits: &Limits) -> Router {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let api = Router::new()
        .route("/v1/eval/{contract}", post(eval))
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .with_state(EvalState {
            max_body_bytes: limits.max_body_bytes,
            slots: Arc::new(Semaphore::new(cpus)),
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
    State(state): State<EvalState>,
    Path(name): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, HostError> {
    let contract = Contract::from_name(&name, "")
        .map_err(|_| HostError::UnknownContract { name: name.clone() })?;
    let document = json_text(body, state.max_body_bytes)?;
    // Acquired before spawning and released when the evaluation ends, even if the request gave up on it.
    let slot = Arc::clone(&state.slots)
        .acquire_owned()
        .await
        .map_err(|err| HostError::Internal(err.to_string()))?;
    let answer = tokio::task::spawn_blocking(move || {
        let answer = contract.run(&document);
        drop(slot);
        answer
    })
    .await
    .map_err(|err| HostError::Internal(format!("the evaluation did not finish: {err}")))??;
    Ok(Json(answer))
}

/// The request body as JSON text, or why it is not.
fn json_text(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<String, HostError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HostError::BodyTooLarge { limit }
        } else {
            HostError::BodyUnreadable(rejection.body_text())
        }
    })?;
    let text = String::from_utf8(body.into())
        .map_err(|err| HostError::MalformedJson(format!("the body is not UTF-8 text ({err})")))?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|err| HostError::MalformedJson(err.to_string()))?;
    Ok(text)
}
