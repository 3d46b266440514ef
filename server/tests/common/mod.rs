//! Test support: the generated video, sessions through `app` without a
//! port, and a [`Peer`] on 127.0.0.1 standing in for the browser.

#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use framewise::synth::moving_frame;
use framewise::wire::{ServerMessage, SessionAnswer};
use framewise::{ColorRange, I420Frame, VideoFrame};
use framewise_server::peer::Peer;
use framewise_vpx::TIMEBASE_HZ;
use tower::ServiceExt;

/// The test video's size and rate.
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
pub const FPS: u32 = 30;

/// Frame `index` of the generated video (moving shapes, index strip).
pub fn test_frame(index: u32) -> VideoFrame {
    moving_frame(
        WIDTH,
        HEIGHT,
        index,
        i64::from(index) * 1_000_000 / i64::from(FPS),
    )
}

/// A peer on 127.0.0.1 sending at [`FPS`].
pub async fn peer() -> Peer {
    Peer::new("127.0.0.1:0", FPS).await.unwrap()
}

/// Sends frames `from..to` of the test video at [`FPS`], with a keyframe
/// every half second (as a browser answers the server's requests).
pub async fn send_frames(peer: &Peer, from: u32, to: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / FPS);
    for index in from..to {
        tick.tick().await;
        let frame = I420Frame::from_rgba(&test_frame(index), ColorRange::Limited);
        let pts = i64::from(index) * TIMEBASE_HZ / i64::from(FPS);
        let keyframe = (index - from).is_multiple_of(FPS / 2);
        peer.send(&frame, pts, keyframe).await.unwrap();
    }
    assert!(peer.bitrate_kbps() >= 1000, "{} kbps", peer.bitrate_kbps());
}

/// POSTs `body` to `/api/sessions` of `app`; returns status, headers'
/// Location and the JSON body.
pub async fn post_session(
    app: axum::Router,
    body: String,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let request = Request::post("/api/sessions")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, location, json)
}

/// Starts a session with `processor` for `peer` through `app`.
pub async fn connect(app: axum::Router, peer: &mut Peer, processor: &str) -> SessionAnswer {
    let request = serde_json::json!({"processor": processor, "params": {}});
    connect_with(app, peer, request).await
}

/// Starts a session for `peer` through `app` with `request` (a session
/// request's JSON without its `sdp`, which the peer's offer fills in).
pub async fn connect_with(
    app: axum::Router,
    peer: &mut Peer,
    mut request: serde_json::Value,
) -> SessionAnswer {
    request["sdp"] = peer.offer().await.unwrap().into();
    let body = request.to_string();
    let (status, location, json) = post_session(app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let answer: SessionAnswer = serde_json::from_value(json).unwrap();
    assert_eq!(location, Some(format!("/api/sessions/{}", answer.session)));
    peer.accept(answer.sdp.clone()).await.unwrap();
    answer
}

/// The server's last stats message.
pub fn last_stats(peer: &Peer) -> Option<framewise::wire::RemoteStats> {
    peer.messages().into_iter().rev().find_map(|m| match m {
        ServerMessage::Stats(stats) => Some(stats),
        _ => None,
    })
}

/// Luma PSNR between two equally sized I420 frames, dB.
pub fn psnr(a: &I420Frame, b: &I420Frame) -> f64 {
    let (ya, yb) = (a.y(), b.y());
    let mse = ya
        .iter()
        .zip(yb)
        .map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2))
        .sum::<f64>()
        / ya.len().max(1) as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
