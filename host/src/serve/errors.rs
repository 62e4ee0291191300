//! How a [`HostError`] reads over HTTP: a status and a JSON body `{"error", "code", "path"}`.
//!
//! `error` is the human message, `code` a stable machine-readable name, `path` the JSON path of the
//! offending input field when the core named one (else `null`). Statuses: 400 malformed JSON, 404 unknown
//! route or contract, 405 wrong method, 413 body too large, 422 a document the core rejects, 503 over the
//! time limit, 500 a bug.

use axum::Json;
use axum::extract::OriginalUri;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::HostError;

impl HostError {
    fn status(&self) -> StatusCode {
        match self {
            HostError::Core(_) | HostError::Plugin(_) => StatusCode::UNPROCESSABLE_ENTITY,
            HostError::MalformedJson(_) | HostError::BodyUnreadable(_) => StatusCode::BAD_REQUEST,
            HostError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HostError::UnknownContract { .. } | HostError::NoRoute { .. } => StatusCode::NOT_FOUND,
            HostError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            HostError::TimedOut { .. } => StatusCode::SERVICE_UNAVAILABLE,
            HostError::Io { .. } | HostError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            HostError::Core(err) => err.code(),
            HostError::Plugin(_) => "plugin",
            HostError::MalformedJson(_) => "malformed_json",
            HostError::BodyUnreadable(_) => "unreadable_body",
            HostError::BodyTooLarge { .. } => "body_too_large",
            HostError::UnknownContract { .. } => "unknown_contract",
            HostError::NoRoute { .. } => "not_found",
            HostError::MethodNotAllowed { .. } => "method_not_allowed",
            HostError::TimedOut { .. } => "timeout",
            HostError::Io { .. } => "io",
            HostError::Internal(_) => "internal",
        }
    }

    fn path(&self) -> Option<&str> {
        match self {
            HostError::Core(err) => err.path(),
            _ => None,
        }
    }
}

impl IntoResponse for HostError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!("{self}");
        }
        let body = json!({"error": self.to_string(), "code": self.code(), "path": self.path()});
        (status, Json(body)).into_response()
    }
}

/// The fallback for paths no route answers (the original URI: inside `/api` the path is seen without it).
pub async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> HostError {
    HostError::NoRoute {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

/// The fallback for a known path asked with the wrong method (axum adds the `Allow` header).
pub async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> HostError {
    HostError::MethodNotAllowed {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}
