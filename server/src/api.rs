//! The HTTP API: signaling (`POST /api/sessions`, `DELETE
//! /api/sessions/{id}`), the registry (`GET /api/processors`) and
//! `GET /healthz`. Every error is JSON ([`ErrorBody`]) naming the problem.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use framewise::wire::{ErrorBody, SessionRequest};
use serde_json::json;

use crate::session::{self, SessionError};
use crate::AppState;

/// Seconds a client over the session limit is asked to wait.
pub const RETRY_AFTER_SECS: u32 = 5;

/// Why a request failed, and the status it gets.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is larger than the configured limit.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// The body is not the JSON we expect.
    #[error(
        "the body is not a session request ({0}); send JSON {{\"sdp\", \"processor\", \"params\"}}"
    )]
    BadJson(String),
    /// The session could not be made from this request.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// No session has this id.
    #[error("no session {0} (it ended, or never existed)")]
    NoSession(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BadJson(_) => StatusCode::BAD_REQUEST,
            ApiError::NoSession(_) => StatusCode::NOT_FOUND,
            ApiError::Session(error) => match error {
                SessionError::BadSdp(_)
                | SessionError::NoMedia
                | SessionError::NoVideo
                | SessionError::NoAudio => StatusCode::BAD_REQUEST,
                SessionError::Processor(_) => StatusCode::UNPROCESSABLE_ENTITY,
                SessionError::Full(_) => StatusCode::SERVICE_UNAVAILABLE,
                SessionError::WebRtc(_) | SessionError::Media(_) | SessionError::Audio(_) => {
                    StatusCode::INTERNAL_SERVER_ERROR
                }
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(ErrorBody {
            error: self.to_string(),
        });
        let mut response = (status, body).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

/// The API routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/processors", get(processors))
        .route("/api/sessions", post(create_session))
        .route("/api/sessions/{id}", delete(delete_session))
}

async fn healthz(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "sessions": state.sessions.count(),
        "max_sessions": state.sessions.max(),
    }))
}

async fn processors(State(state): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let infos: Vec<_> = state.registry.infos().collect();
    Json(json!(infos))
}

async fn create_session(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Response, ApiError> {
    let limit = state.config.max_body_bytes;
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge(limit))?;
    let request: SessionRequest =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::BadJson(e.to_string()))?;
    let answer = session::start(&state, request).await?;
    let location = format!("/api/sessions/{}", answer.session);
    let mut response = (StatusCode::CREATED, Json(&answer)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn delete_session(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.sessions.end(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NoSession(id))
    }
}
