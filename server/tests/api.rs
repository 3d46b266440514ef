//! The HTTP API through `tower::ServiceExt::oneshot` (no port): health,
//! the registry, and every bad-input case with its status and message.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use framewise::Registry;
use framewise_server::{app, AppState, ServerConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

use common::post_session;

/// A syntactically valid offer with a video section (never connected).
const VIDEO_OFFER: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
a=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n\
a=mid:0\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\na=ice-ufrag:abcd\r\n\
a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 \
00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n\
a=setup:actpass\r\na=rtcp-mux\r\n";

fn state(max_sessions: usize) -> std::sync::Arc<AppState> {
    let config = ServerConfig {
        max_sessions,
        ..ServerConfig::default()
    };
    AppState::new(Registry::with_builtins(), config)
}

async fn get(app: axum::Router, path: &str) -> (StatusCode, Value) {
    let response = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn health_and_the_registry_with_schemas() {
    let (status, health) = get(app(state(4)), "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        health,
        json!({"status": "ok", "sessions": 0, "max_sessions": 4})
    );
    let (status, processors) = get(app(state(4)), "/api/processors").await;
    assert_eq!(status, StatusCode::OK);
    let canny = processors
        .as_array()
        .and_then(|list| list.iter().find(|p| p["name"] == "canny"))
        .expect("canny is listed");
    assert!(canny["params"].as_array().is_some_and(|p| !p.is_empty()));
}

/// Posts `body` and checks the status and that the JSON error names the
/// problem (contains `needle`).
async fn expect_error(max_sessions: usize, body: String, status: StatusCode, needle: &str) {
    let (got, _, json) = post_session(app(state(max_sessions)), body).await;
    let error = json["error"].as_str().unwrap_or_default();
    println!("{got}: {error}");
    assert_eq!(got, status, "{json}");
    assert!(
        error.contains(needle),
        "{error:?} should mention {needle:?}"
    );
}

fn request(sdp: &str, processor: &str, params: Value) -> String {
    json!({"sdp": sdp, "processor": processor, "params": params}).to_string()
}

#[tokio::test]
async fn bad_input_gets_a_status_and_a_message_that_names_it() {
    expect_error(
        4,
        "not json".into(),
        StatusCode::BAD_REQUEST,
        "not a session request",
    )
    .await;
    expect_error(
        4,
        json!({"sdp": 1}).to_string(),
        StatusCode::BAD_REQUEST,
        "sdp",
    )
    .await;
    let big = request(&"a".repeat(100 * 1024), "invert", json!({}));
    expect_error(4, big, StatusCode::PAYLOAD_TOO_LARGE, "larger than").await;
    let sdp = request("hello", "invert", json!({}));
    expect_error(4, sdp, StatusCode::BAD_REQUEST, "not valid SDP").await;
    let audio_only = VIDEO_OFFER.replace(
        "m=video 9 UDP/TLS/RTP/SAVPF 96",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    );
    let no_video = request(&audio_only, "invert", json!({}));
    expect_error(4, no_video, StatusCode::BAD_REQUEST, "no video").await;
    let nothing = json!({"sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"});
    expect_error(
        4,
        nothing.to_string(),
        StatusCode::BAD_REQUEST,
        "neither video",
    )
    .await;
    let unnamed = json!({"sdp": VIDEO_OFFER});
    expect_error(
        4,
        unnamed.to_string(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "names no",
    )
    .await;
    let no_audio = json!({"sdp": VIDEO_OFFER, "processor": "invert", "audio_processor": "gain"});
    expect_error(4, no_audio.to_string(), StatusCode::BAD_REQUEST, "no audio").await;
    // Audio processors are checked exactly as video ones.
    let audio = |name: &str, params: Value| {
        json!({"sdp": audio_only, "audio_processor": name, "audio_params": params}).to_string()
    };
    let unknown = audio("nope", json!({}));
    expect_error(4, unknown, StatusCode::UNPROCESSABLE_ENTITY, "nope").await;
    let range = audio("gain", json!({"gain_db": 99}));
    expect_error(4, range, StatusCode::UNPROCESSABLE_ENTITY, "gain_db").await;
    let video_one = audio("invert", json!({}));
    expect_error(4, video_one, StatusCode::UNPROCESSABLE_ENTITY, "invert").await;
    let unknown = request(VIDEO_OFFER, "nope", json!({}));
    expect_error(4, unknown, StatusCode::UNPROCESSABLE_ENTITY, "nope").await;
    let params = request(VIDEO_OFFER, "canny", json!({"threshold1": 5000}));
    expect_error(4, params, StatusCode::UNPROCESSABLE_ENTITY, "threshold1").await;
    let wrong = request(VIDEO_OFFER, "canny", json!({"colour": 1}));
    expect_error(4, wrong, StatusCode::UNPROCESSABLE_ENTITY, "colour").await;
}

#[tokio::test]
async fn over_the_session_limit_is_503_with_retry_after() {
    let body = request(VIDEO_OFFER, "invert", json!({}));
    let request = Request::post("/api/sessions")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app(state(0)).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("5")
    );
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    let json: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(json["error"]
        .as_str()
        .unwrap()
        .contains("maximum of 0 sessions"));
}

#[tokio::test]
async fn deleting_an_unknown_session_is_404() {
    let request = Request::delete("/api/sessions/123")
        .body(Body::empty())
        .unwrap();
    let response = app(state(1)).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    tokio::time::sleep(Duration::from_millis(1)).await;
}
