//! The audio path on 127.0.0.1: a webrtc-rs peer sends a tone as Opus
//! (libopus, 64 kbps), the server decodes it, runs the audio processor
//! and encodes it back; the peer decodes what came back and measures it.

mod common;

use std::f32::consts::TAU;
use std::time::Duration;

use bytes::Bytes;
use framewise::wire::ServerMessage;
use framewise::Registry;
use framewise_opus::{OpusDecoder, OpusEncoder, SAMPLE_RATE};
use framewise_server::peer::Peer;
use framewise_server::{app, AppState, ServerConfig};
use serde_json::json;

use common::{connect_with, last_stats, peer, send_frames};

const BLOCK: usize = 960;
const PACKET_TIME: Duration = Duration::from_millis(20);
const AMPLITUDE: f32 = 0.5;

fn server() -> std::sync::Arc<AppState> {
    AppState::new(Registry::with_builtins(), ServerConfig::default())
}

/// Block `n` of a 440 Hz tone.
fn tone(n: usize) -> Vec<f32> {
    (0..BLOCK)
        .map(|i| {
            let t = (n * BLOCK + i) as f32 / SAMPLE_RATE as f32;
            AMPLITUDE * (t * 440.0 * TAU).sin()
        })
        .collect()
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

/// Sends blocks `from..to` of the tone as Opus, one every 20 ms (sends
/// before the connection is up go nowhere).
async fn send_tone(peer: &Peer, encoder: &mut OpusEncoder, from: usize, to: usize) {
    let mut tick = tokio::time::interval(PACKET_TIME);
    for n in from..to {
        tick.tick().await;
        let packet = encoder.encode(&tone(n)).expect("encoding the tone");
        let _ = peer.send_opus(Bytes::from(packet), PACKET_TIME).await;
    }
}

/// Sends a second of video, then two more with the tone beside them,
/// and waits for the last answers; returns the tone's encoder.
async fn send_video_and_tone(peer: &Peer) -> OpusEncoder {
    send_frames(peer, 0, 30).await;
    let mut encoder = OpusEncoder::new(64_000).expect("an Opus encoder");
    tokio::join!(
        send_frames(peer, 30, 90),
        send_tone(peer, &mut encoder, 0, 100)
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    encoder
}

/// The RMS of the audio that came back since packet `since` of it,
/// decoded in order; and how many packets came.
fn level_since(peer: &Peer, since: usize) -> (f32, usize) {
    let packets = peer.audio_packets();
    let mut decoder = OpusDecoder::new().expect("an Opus decoder");
    let samples: Vec<f32> = packets
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let block = decoder.decode(p).expect("the server sent Opus");
            if i >= since {
                block
            } else {
                Vec::new()
            }
        })
        .collect();
    (rms(&samples), packets.len())
}

fn errors(peer: &Peer) -> Vec<String> {
    peer.messages()
        .into_iter()
        .filter_map(|m| match m {
            ServerMessage::Error { message } => Some(message),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audio_only_session_runs_the_gain_and_takes_new_params() {
    let state = server();
    let mut peer = Peer::audio_only("127.0.0.1:0").await.unwrap();
    let request = json!({"audio_processor": "gain", "audio_params": {"gain_db": -6.0}});
    let answer = connect_with(app(state.clone()), &mut peer, request).await;
    assert!(answer.sdp.contains("m=audio"), "{}", answer.sdp);
    assert!(!answer.sdp.contains("m=video"), "{}", answer.sdp);
    let mut encoder = OpusEncoder::new(64_000).unwrap();

    send_tone(&peer, &mut encoder, 0, 100).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (halved, count) = level_since(&peer, 10);
    let expected = AMPLITUDE / 2f32.sqrt() * 0.501;
    println!("{count} packets back, rms {halved:.4} (expected {expected:.4} for -6 dB)");
    assert!(count >= 50, "only {count} audio packets came back");
    assert!(
        (halved / expected - 1.0).abs() < 0.05,
        "rms {halved}, expected {expected}"
    );

    peer.send_audio_params(json!({"gain_db": 0.0}))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = peer.audio_packets().len();
    send_tone(&peer, &mut encoder, 100, 175).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (unity, _) = level_since(&peer, before + 10);
    let expected = AMPLITUDE / 2f32.sqrt();
    println!("after gain_db 0: rms {unity:.4} (expected {expected:.4})");
    assert!(
        (unity / expected - 1.0).abs() < 0.05,
        "rms {unity}, expected {expected}"
    );

    // A rejected change is an error and the params it would replace go on.
    peer.send_audio_params(json!({"gain_db": 99.0}))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = peer.audio_packets().len();
    send_tone(&peer, &mut encoder, 175, 225).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (kept, _) = level_since(&peer, before + 5);
    assert!(
        (kept / expected - 1.0).abs() < 0.05,
        "rms {kept}, expected {expected}"
    );

    let errors = errors(&peer);
    assert!(errors.iter().any(|e| e.contains("gain_db")), "{errors:?}");
    let stats = last_stats(&peer).expect("an audio-only session sends stats");
    println!("stats: {stats:?}");
    assert!(stats.audio_blocks >= 100, "{stats:?}");
    assert!(stats.audio_process_us_p50 > 0.0, "{stats:?}");
    peer.close().await;
    state.sessions.shutdown().await;
    assert_eq!(state.sessions.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_results_come_on_the_data_channel_next_to_the_video() {
    let state = server();
    let mut peer = peer().await;
    peer.add_audio().await.unwrap();
    let request = json!({"processor": "invert", "audio_processor": "level-meter"});
    connect_with(app(state.clone()), &mut peer, request).await;
    let mut encoder = send_video_and_tone(&peer).await;

    assert!(!peer.frames().is_empty(), "no video came back");
    let levels: Vec<f64> = peer
        .messages()
        .into_iter()
        .filter_map(|m| match m {
            ServerMessage::Results { results } => Some(results),
            _ => None,
        })
        .flatten()
        .filter_map(|r| r["rms"][0].as_f64())
        .collect();
    let settled = &levels[levels.len().min(10)..];
    println!("{} level results, last {:?}", levels.len(), settled.last());
    assert!(levels.len() >= 40, "only {} level results", levels.len());
    let expected = f64::from(AMPLITUDE) / 2f64.sqrt();
    assert!(
        settled.iter().all(|rms| (rms / expected - 1.0).abs() < 0.1),
        "levels {settled:?}, expected about {expected}"
    );
    peer.send_audio_params(json!({"nope": 1})).await.unwrap();
    send_tone(&peer, &mut encoder, 100, 110).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let errors = errors(&peer);
    assert!(errors.iter().any(|e| e.contains("nope")), "{errors:?}");
    peer.close().await;
    state.sessions.shutdown().await;
}

/// The middle of the brightest rows (each row's luma summed over the
/// last `columns` columns; rows within 2 % of the brightest count): a
/// tone lights several rows equally where bands are narrower than FFT
/// bins.
fn brightest_row(frame: &framewise::I420Frame, columns: u32) -> f64 {
    let (width, height) = (frame.width(), frame.height());
    let luma = frame.y();
    let sums: Vec<u32> = (0..height)
        .map(|y| {
            (width - columns..width)
                .map(|x| u32::from(luma[(y * width + x) as usize]))
                .sum()
        })
        .collect();
    let top = sums.iter().copied().max().unwrap_or(0);
    let rows: Vec<f64> = (0..height)
        .filter(|&y| sums[y as usize] * 50 >= top * 49)
        .map(f64::from)
        .collect();
    rows.iter().sum::<f64>() / rows.len().max(1) as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spectrogram_draws_the_microphone_it_hears_on_the_server() {
    let state = server();
    let mut peer = peer().await;
    peer.add_audio().await.unwrap();
    // No audio processor: the sound passes back unchanged, and the video
    // processor hears it.
    let request = json!({"processor": "spectrogram", "params": {"speed": 100, "fft_size": "4096"}});
    connect_with(app(state.clone()), &mut peer, request).await;
    send_video_and_tone(&peer).await;

    let frames = peer.frames();
    let last = frames.last().expect("no video came back");
    let row = brightest_row(last, 16);
    let hz = framewise::processors::video::spectrogram::frequency_at_row(
        row.round() as u32,
        last.height(),
        SAMPLE_RATE,
    );
    println!(
        "brightest rows around {row:.1} of {}: {hz:.0} Hz",
        last.height()
    );
    assert!(
        (hz / 440.0 - 1.0).abs() < 0.05,
        "row {row}: {hz} Hz, not 440"
    );
    // The audio still came back, unchanged in level.
    let (level, count) = level_since(&peer, 10);
    assert!(count >= 50, "only {count} audio packets came back");
    let expected = AMPLITUDE / 2f32.sqrt();
    assert!((level / expected - 1.0).abs() < 0.1, "rms {level}");
    peer.close().await;
    state.sessions.shutdown().await;
}
