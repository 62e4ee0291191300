//! Request-wide layers of `lagom serve`: one log line per request, and the per-request time limit.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::HostError;

/// Logs one line per request, once its response is ready: method, path, status and latency.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        latency = ?started.elapsed(),
        "request"
    );
    response
}

/// Answers 503 when a request (reading its body included) takes longer than `limit`.
///
/// An evaluation already running on the blocking pool cannot be interrupted: it finishes in the background
/// and its answer is dropped. The evaluation slots of [`super::routes`] keep such leftovers from piling up.
pub async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => HostError::TimedOut {
            secs: limit.as_secs(),
        }
        .into_response(),
    }
}
