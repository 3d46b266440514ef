//! Real WebRTC sessions on 127.0.0.1: a webrtc-rs peer sends the
//! generated video as VP8 (≥ 1 Mbps), the server runs the processor and
//! sends it back; the peer decodes and checks the pixels. Then the
//! session ends (DELETE, or the peer going away) and nothing of it is left.

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bytes::Bytes;
use framewise::synth::index_strip;
use framewise::wire::{self, ClientMessage, ServerMessage};
use framewise::{ColorRange, I420Frame, Registry};
use framewise_server::{app, AppState, IceServer, ServerConfig};
use tower::ServiceExt;

use common::{connect, last_stats, peer, psnr, send_frames, test_frame};

fn server(idle: Duration) -> std::sync::Arc<AppState> {
    let config = ServerConfig {
        idle_timeout: idle,
        ..ServerConfig::default()
    };
    AppState::new(Registry::with_builtins(), config)
}

/// The UDP ports of the server's host candidates in an answer.
fn candidate_ports(sdp: &str) -> Vec<u16> {
    sdp.lines()
        .filter(|line| line.starts_with("a=candidate:") && line.contains(" 127.0.0.1 "))
        .filter_map(|line| line.split_whitespace().nth(5)?.parse().ok())
        .collect()
}

/// Waits until `check` holds, up to `limit`.
async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invert_comes_back_as_255_minus_the_input() {
    let state = server(Duration::from_secs(30));
    let mut peer = peer().await;
    let answer = connect(app(state.clone()), &mut peer, "invert").await;
    let ports = candidate_ports(&answer.sdp);
    assert!(
        !ports.is_empty(),
        "no 127.0.0.1 candidate in {}",
        answer.sdp
    );
    assert_eq!(state.sessions.count(), 1);

    send_frames(&peer, 0, 120).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Pair each output with its input by the index strip (inverted, it
    // still reads) and compare with 255 − input.
    let mut scores = Vec::new();
    for output in peer.frames() {
        let rgba = output.to_rgba(ColorRange::Limited);
        let Some(index) = index_strip::read(&rgba, false) else {
            continue;
        };
        let mut expected = test_frame(index);
        for pixel in expected.data_mut().chunks_exact_mut(4) {
            for c in &mut pixel[..3] {
                *c = 255 - *c;
            }
        }
        let expected = I420Frame::from_rgba(&expected, ColorRange::Limited);
        scores.push((index, psnr(&expected, &output)));
    }
    println!(
        "received {} frames; PSNR by index: {scores:?}",
        peer.frames().len()
    );
    assert!(
        scores.len() >= 30,
        "only {} output frames paired",
        scores.len()
    );
    let worst = scores.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
    assert!(
        worst >= 30.0,
        "an output frame is {worst:.1} dB from 255 - input"
    );

    let stats = last_stats(&peer).expect("stats on the DataChannel");
    println!("server stats: {stats:?}");
    assert!(stats.decoded >= 30 && stats.sent >= 30);
    assert_eq!((stats.width, stats.height), (640, 480));

    // DELETE ends it: table, tasks and sockets.
    let request = Request::delete(format!("/api/sessions/{}", answer.session))
        .body(Body::empty())
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let gone = eventually(Duration::from_secs(5), || {
        state.sessions.count() == 0 && state.sessions.running_tasks() == 0
    })
    .await;
    assert!(
        gone,
        "after DELETE: {} sessions, {} tasks",
        state.sessions.count(),
        state.sessions.running_tasks()
    );
    for port in ports {
        assert!(
            UdpSocket::bind(("127.0.0.1", port)).is_ok(),
            "the session's UDP port {port} is still open"
        );
    }
    peer.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn params_on_the_data_channel_change_the_output_and_bad_ones_are_errors() {
    let state = server(Duration::from_secs(30));
    let mut peer = peer().await;
    connect(app(state.clone()), &mut peer, "brightness-contrast").await;
    send_frames(&peer, 0, 45).await;
    let mean = |frames: &[I420Frame]| {
        let last = frames.last().expect("frames came back");
        last.y().iter().map(|&v| f64::from(v)).sum::<f64>() / last.y().len() as f64
    };
    let before = mean(&peer.frames());

    let params = ClientMessage::Params {
        params: serde_json::json!({"brightness": 60}),
    };
    peer.send_text(&wire::encode(&params)).await.unwrap();
    let bad = ClientMessage::Params {
        params: serde_json::json!({"brightness": 9999}),
    };
    send_frames(&peer, 45, 60).await;
    peer.send_text(&wire::encode(&bad)).await.unwrap();
    peer.send_text(r#"{"v": 7, "type": "params", "params": {}}"#)
        .await
        .unwrap();
    send_frames(&peer, 60, 90).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = mean(&peer.frames());
    println!("mean luma before {before:.1}, after brightness +60: {after:.1}");
    // +60 in RGB is about +51 in limited-range luma.
    assert!(
        after - before > 35.0,
        "brightness did not change the output"
    );

    let errors: Vec<String> = peer
        .messages()
        .into_iter()
        .filter_map(|m| match m {
            ServerMessage::Error { message } => Some(message),
            _ => None,
        })
        .collect();
    println!("errors: {errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("brightness")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("version 7")), "{errors:?}");
    // The rejected change kept +60.
    assert!(mean(&peer.frames()) - before > 35.0);
    peer.close().await;
    state.sessions.shutdown().await;
    assert_eq!(state.sessions.count(), 0);
}

/// Opus packet `n` of the test's microphone: a TOC byte (CELT fullband,
/// 20 ms, mono, one frame) and a body that tells the packets apart.
fn opus_packet(n: u32) -> Bytes {
    let mut data = vec![0xFC];
    data.extend_from_slice(&n.to_be_bytes());
    data.extend((0..60u8).map(|i| (n as u8).wrapping_mul(31).wrapping_add(i)));
    Bytes::from(data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_in_the_offer_comes_back_unchanged() {
    const PACKETS: u32 = 100;
    const PACKET_TIME: Duration = Duration::from_millis(20);
    let state = server(Duration::from_secs(30));
    let mut peer = peer().await;
    peer.add_audio().await.unwrap();
    let answer = connect(app(state.clone()), &mut peer, "invert").await;
    assert!(
        answer.sdp.contains("m=audio") && answer.sdp.to_lowercase().contains("opus/48000"),
        "no Opus audio in the answer: {}",
        answer.sdp
    );
    // A second of video first: the connection is up before audio starts.
    send_frames(&peer, 0, 30).await;
    assert!(!peer.frames().is_empty(), "no video came back");
    let microphone = async {
        let mut tick = tokio::time::interval(PACKET_TIME);
        for n in 0..PACKETS {
            tick.tick().await;
            peer.send_opus(opus_packet(n), PACKET_TIME).await.unwrap();
        }
    };
    tokio::join!(send_frames(&peer, 30, 90), microphone);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let sent: Vec<Bytes> = (0..PACKETS).map(opus_packet).collect();
    let back = peer.audio_packets();
    let order: Vec<usize> = back
        .iter()
        .map(|payload| {
            sent.iter()
                .position(|s| s == payload)
                .unwrap_or_else(|| panic!("a changed audio payload came back: {payload:02x?}"))
        })
        .collect();
    println!("{} of {PACKETS} audio packets came back", back.len());
    assert!(
        back.len() as u32 >= PACKETS * 95 / 100,
        "only {} of {PACKETS} audio packets came back",
        back.len()
    );
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "audio came back out of order or twice: {order:?}"
    );
    peer.close().await;
    state.sessions.shutdown().await;
    assert_eq!(state.sessions.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stun_server_that_does_not_answer_does_not_stall_the_answer() {
    // Nothing answers STUN on 127.0.0.1:9 (the discard port).
    let config = ServerConfig {
        ice_servers: vec![IceServer {
            urls: vec!["stun:127.0.0.1:9".into()],
            ..IceServer::default()
        }],
        ..ServerConfig::default()
    };
    let state = AppState::new(Registry::with_builtins(), config);
    let mut peer = peer().await;
    let started = std::time::Instant::now();
    let answer = connect(app(state.clone()), &mut peer, "invert").await;
    let took = started.elapsed();
    println!("answered in {took:?}");
    assert!(
        took < Duration::from_millis(2500),
        "the answer took {took:?}"
    );
    assert!(
        !candidate_ports(&answer.sdp).is_empty(),
        "no host candidate"
    );
    peer.close().await;
    state.sessions.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyframe_request_gets_a_keyframe() {
    let state = server(Duration::from_secs(30));
    let mut peer = peer().await;
    connect(app(state.clone()), &mut peer, "invert").await;
    // The encoder makes a keyframe by itself only every 3 s: between 1 s
    // and 2.2 s, keyframes are the answers to our three requests.
    let requests = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = peer.keyframes();
        for _ in 0..3 {
            peer.request_keyframe().await.unwrap();
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        peer.keyframes() - before
    };
    let (_, answered) = tokio::join!(send_frames(&peer, 0, 75), requests);
    println!("keyframes after 3 requests: {answered}");
    assert!(
        answered >= 2,
        "only {answered} keyframes answered 3 requests"
    );
    peer.close().await;
    state.sessions.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_goes_away_ends_its_session() {
    let state = server(Duration::from_secs(2));
    let mut peer = peer().await;
    let answer = connect(app(state.clone()), &mut peer, "invert").await;
    let ports = candidate_ports(&answer.sdp);
    send_frames(&peer, 0, 30).await;
    assert!(!peer.frames().is_empty(), "nothing came back");
    // The peer vanishes without DELETE (webrtc-rs does not see a close):
    // the idle timeout ends the session.
    peer.close().await;
    drop(peer);
    let gone = eventually(Duration::from_secs(10), || {
        state.sessions.count() == 0 && state.sessions.running_tasks() == 0
    })
    .await;
    assert!(gone, "the session outlived its peer");
    for port in ports {
        assert!(
            UdpSocket::bind(("127.0.0.1", port)).is_ok(),
            "port {port} still open"
        );
    }
}
