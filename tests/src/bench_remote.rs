//! The driver side of `cargo xtask bench remote`: the release demo served
//! by a release `framewise-server` on 127.0.0.1, measured in headless
//! Chromium at the display (the same page script as the local benchmark,
//! [`crate::bench_local`]), and the server's own ceiling measured with
//! Rust WebRTC peers ([`framewise_server::peer::Peer`]).
//!
//! - `first_frame_ms_cold`: the first session after the server started;
//!   `first_frame_ms`: the median of the next [`WARM_SESSIONS`] (START
//!   click → first output frame with `videoWidth > 0`);
//! - `latency_ms_p50` / `_p95`: invert, (raw camera index − output index)
//!   × frame period at each output frame, over the window;
//! - `output_fps`: Canny, new pictures per second over the window, on the
//!   output `<video>` alone ([`View::OutputOnly`]);
//!   `output_fps_with_input_view`: the same with the raw camera view next
//!   to it, as the demo shows by default;
//! - `server_cpu_pct_per_stream` / `server_rss_mb_per_stream`: the server
//!   process (`/proc/PID`) over the Canny window, above idle;
//! - `max_streams_25fps`: the most concurrent Canny pages (each its own
//!   Chromium, output only) that all keep ≥ 25 new pictures per second over
//!   [`CONCURRENT_WINDOW`];
//! - `max_streams_25fps_rust_peers`: the same with Rust peers replaying
//!   the pre-encoded test video, counting processed frames received;
//! - `rss_growth_pct_after_50_sessions`: server RSS after [`CYCLES`]
//!   open/stream/close cycles against after the first, each read once
//!   the server has no session and [`SETTLE`] passed.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use framewise::synth::moving_frame;
use framewise::wire::SessionAnswer;
use framewise::{ColorRange, I420Frame};
use framewise_server::peer::Peer;
use framewise_vpx::{EncoderConfig, Vp8Encoder, TIMEBASE_HZ};
use serde_json::{json, Value};

use crate::bench_local::{
    camera_frames, index_latency_ms, measure_at, new_pictures, percentile, Page, Recording, Row,
    FPS, WARM_UP,
};
use crate::server::{http, ServerProcess};

/// Chromium gathers loopback candidates only with this flag.
pub const LOOPBACK: &str = "--allow-loopback-in-peer-connection";
/// Warm sessions whose first-frame times give the median.
pub const WARM_SESSIONS: usize = 3;
/// The window of the concurrent-stream runs.
pub const CONCURRENT_WINDOW: Duration = Duration::from_secs(10);
/// The most concurrent browser pages tried.
pub const MAX_PAGES: usize = 4;
/// The most concurrent Rust peers tried.
pub const MAX_PEERS: usize = 12;
/// Open/stream/close cycles for the memory-growth figure.
pub const CYCLES: usize = 50;
/// A stream keeps up at this many frames per second.
pub const KEEPS_UP_FPS: f64 = 25.0;
const SIZE: (u32, u32) = (640, 480);

/// The demo page for `processor` with remote placement on `server`, the
/// raw camera view next to the output or not (`View`).
fn page_url(server: &ServerProcess, processor: &str, view: View) -> String {
    let input = match view {
        View::WithInput => "",
        View::OutputOnly => "&input=0",
    };
    server.url(&format!(
        "/?mode=camera&placement=remote&processor={processor}&width={}&height={}{input}",
        SIZE.0, SIZE.1
    ))
}

/// What the measured page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// The raw camera `<video>` next to the output (the demo's default;
    /// the latency figure reads the camera's index from it).
    WithInput,
    /// The output `<video>` alone. Headless Chromium without a GPU runs
    /// the page's rendering steps, and so rVFC, at about 30 Hz while two
    /// videos play and at 60 Hz with one, which caps a 30 fps output's
    /// rVFC count below its presented frames.
    OutputOnly,
}

/// Ticks per second of `/proc/PID/stat` times.
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU ticks of process `pid`.
fn cpu_ticks(pid: u32) -> io::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of stat: 11 and 12 after ')'.
    match (field(11), field(12)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err(io::Error::other("unreadable /proc stat")),
    }
}

/// Resident memory of process `pid`, MB.
fn rss_mb(pid: u32) -> io::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .ok_or_else(|| io::Error::other("no VmRSS"))
}

/// Waits until the server has no session (STOP/DELETE were sent).
fn wait_no_sessions(server: &ServerProcess) {
    let started = Instant::now();
    while server.sessions().unwrap_or(0) > 0 && started.elapsed() < Duration::from_secs(40) {
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Clicks STOP on a page (its session is DELETEd).
fn stop(page: &Page) {
    let _ = page.browser().click(".fw-stop");
}

/// New pictures per second a page showed over its recording.
fn page_fps(page: &Page) -> io::Result<f64> {
    let recording = page.end()?;
    let new = new_pictures(recording.records.iter().map(|r| r.picture));
    Ok(if recording.window_ms > 0.0 {
        new as f64 * 1000.0 / recording.window_ms
    } else {
        0.0
    })
}

/// One remote page for `processor` measured for `seconds`
/// ([`measure_at`], `on_window` called as the window opens and closes),
/// then stopped; returns once its session has ended.
fn measure_page(
    server: &ServerProcess,
    processor: &str,
    view: View,
    seconds: u64,
    on_window: &mut dyn FnMut(bool),
) -> io::Result<(Row, Recording)> {
    let url = page_url(server, processor, view);
    let (page, recording) = measure_at(&url, processor, SIZE, seconds, &[LOOPBACK], on_window)?;
    let (row, info) = page.analyse(&recording);
    println!("BENCH-INFO remote {info} ({view:?})");
    stop(&page);
    drop(page);
    wait_no_sessions(server);
    Ok((row, recording))
}

/// Everything measured in browsers; returns the JSON fields.
pub fn browsers(server: &ServerProcess, seconds: u64) -> io::Result<Value> {
    let flags = [LOOPBACK];
    // First frames: one cold session, then warm ones.
    let mut firsts = Vec::new();
    for _ in 0..=WARM_SESSIONS {
        let url = page_url(server, "invert", View::WithInput);
        let mut page = Page::open(&url, "invert", SIZE, &flags)?;
        firsts.push(page.start()?.unwrap_or(f64::NAN));
        println!(
            "BENCH-INFO first frame phases: {}",
            signaling_phases(&page)?
        );
        stop(&page);
        wait_no_sessions(server);
    }
    let cold = firsts[0];
    let warm = percentile(&firsts[1..], 50.0);
    println!("first frames (cold, then warm): {firsts:?}");

    let (_, recording) = measure_page(server, "invert", View::WithInput, seconds, &mut |_| {})?;
    let frames = camera_frames(SIZE.0, SIZE.1);
    let period = 1000.0 / f64::from(FPS);
    let p50 = index_latency_ms(&recording.records, frames, period, 50.0);
    let p95 = index_latency_ms(&recording.records, frames, period, 95.0);

    let pid = server.pid();
    let idle_rss = settled_rss_mb(server)?;
    let ticks = clock_ticks();
    let mut window = (0.0, 0.0, Instant::now(), 0.0);
    let (row, _) = measure_page(server, "canny", View::OutputOnly, seconds, &mut |open| {
        let now = cpu_ticks(pid).unwrap_or(f64::NAN);
        if open {
            window = (now, 0.0, Instant::now(), 0.0);
        } else {
            let elapsed = window.2.elapsed().as_secs_f64();
            window.1 = (now - window.0) / ticks / elapsed.max(1e-9) * 100.0;
            window.3 = rss_mb(pid).unwrap_or(f64::NAN);
        }
    })?;
    let (with_input, _) = measure_page(server, "canny", View::WithInput, seconds, &mut |_| {})?;

    let max_pages = concurrent_pages(server, &flags)?;
    Ok(json!({
        "first_frame_ms": warm,
        "first_frame_ms_cold": cold,
        "latency_ms_p50": p50,
        "latency_ms_p95": p95,
        "output_fps": row.output_fps,
        "output_fps_with_input_view": with_input.output_fps,
        "server_cpu_pct_per_stream": window.1,
        "server_rss_mb_per_stream": window.3 - idle_rss,
        "max_streams_25fps": max_pages,
    }))
}

/// When the page's offer left and its answer came back, ms after the
/// START click (from the browser's resource timing of the signaling
/// request), and its first output frame: where a slow start spent its
/// time.
fn signaling_phases(page: &Page) -> io::Result<Value> {
    page.browser().execute(
        "const B = window.__fwBench; \
         const post = performance.getEntriesByType('resource') \
           .filter(e => e.name.endsWith('/api/sessions')).pop(); \
         return post ? {offer_sent: post.startTime - B.click, \
           answer_received: post.responseEnd - B.click, first_frame: B.first - B.click} \
           : 'no signaling request'",
        &[],
    )
}

/// The most concurrent Canny pages that all keep up.
fn concurrent_pages(server: &ServerProcess, flags: &[&str]) -> io::Result<usize> {
    let mut best = 0;
    for n in 1..=MAX_PAGES {
        let mut pages = Vec::new();
        for _ in 0..n {
            let url = page_url(server, "canny", View::OutputOnly);
            let mut page = Page::open(&url, "canny", SIZE, flags)?;
            page.start()?;
            pages.push(page);
        }
        std::thread::sleep(WARM_UP);
        for page in &mut pages {
            page.begin()?;
        }
        std::thread::sleep(CONCURRENT_WINDOW);
        let fps: Vec<f64> = pages.iter().map(page_fps).collect::<io::Result<_>>()?;
        println!("{n} concurrent pages: output fps {fps:?}");
        for page in &pages {
            stop(page);
        }
        drop(pages);
        wait_no_sessions(server);
        if fps.iter().all(|&f| f >= KEEPS_UP_FPS) {
            best = n;
        } else {
            break;
        }
    }
    Ok(best)
}

/// The test video encoded once: 3 s at 640×480, a keyframe every half
/// second (so a peer that starts anywhere in the loop recovers).
fn encoded_video() -> io::Result<Vec<Bytes>> {
    let config = EncoderConfig::for_size(SIZE.0, SIZE.1, FPS);
    let mut encoder = Vp8Encoder::new(config).map_err(io::Error::other)?;
    let mut frames = Vec::new();
    for index in 0..camera_frames(SIZE.0, SIZE.1) {
        let picture = moving_frame(SIZE.0, SIZE.1, index, 0);
        let frame = I420Frame::from_rgba(&picture, ColorRange::Limited);
        let pts = i64::from(index) * TIMEBASE_HZ / i64::from(FPS);
        let keyframe = index % (FPS / 2) == 0;
        for packet in encoder
            .encode(&frame, pts, keyframe)
            .map_err(io::Error::other)?
        {
            frames.push(Bytes::from(packet.data));
        }
    }
    Ok(frames)
}

/// A Rust peer with a session for `processor` on the server at `address`;
/// returns it and the URL path to DELETE.
async fn open_peer(address: SocketAddr, processor: &str) -> io::Result<(Peer, String)> {
    let mut peer = Peer::new("127.0.0.1:0", FPS)
        .await
        .map_err(io::Error::other)?;
    let offer = peer.offer().await.map_err(io::Error::other)?;
    let body = json!({"sdp": offer, "processor": processor, "params": {}}).to_string();
    let response =
        tokio::task::spawn_blocking(move || http(address, "POST", "/api/sessions", Some(&body)))
            .await
            .map_err(io::Error::other)??;
    if response.status != 201 {
        return Err(io::Error::other(format!(
            "session refused ({}): {}",
            response.status, response.body
        )));
    }
    let answer: SessionAnswer = serde_json::from_str(&response.body).map_err(io::Error::other)?;
    peer.accept(answer.sdp).await.map_err(io::Error::other)?;
    let location = response
        .location
        .unwrap_or_else(|| format!("/api/sessions/{}", answer.session));
    Ok((peer, location))
}

/// Ends a peer's session (DELETE) and its connection.
async fn close_peer(address: SocketAddr, peer: Peer, location: String) {
    let _ = tokio::task::spawn_blocking(move || http(address, "DELETE", &location, None)).await;
    peer.close().await;
}

/// Replays `video` on every peer at [`FPS`] for `duration`.
async fn stream(peers: &[(Peer, String)], video: &[Bytes], duration: Duration) {
    let mut tick = tokio::time::interval(Duration::from_secs(1) / FPS);
    let started = Instant::now();
    let mut index = 0;
    while started.elapsed() < duration {
        tick.tick().await;
        let frame = &video[index % video.len()];
        for (peer, _) in peers {
            let _ = peer.send_vp8(frame.clone()).await;
        }
        index += 1;
    }
}

/// The time a closed session's last parts take to be dropped and their
/// memory returned (the server returns it at once and again 2 s later)
/// after the session left the server's table.
const SETTLE: Duration = Duration::from_secs(3);

/// The server's RSS once every session has ended and [`SETTLE`] passed.
fn settled_rss_mb(server: &ServerProcess) -> io::Result<f64> {
    wait_no_sessions(server);
    std::thread::sleep(SETTLE);
    rss_mb(server.pid())
}

/// The Rust-peer figures; returns the JSON fields.
pub async fn rust_peers(server: &ServerProcess) -> io::Result<Value> {
    let address = server.address();
    let video = encoded_video()?;
    let mut best = 0;
    for n in 1..=MAX_PEERS {
        let mut peers = Vec::new();
        for _ in 0..n {
            peers.push(open_peer(address, "canny").await?);
        }
        stream(&peers, &video, WARM_UP).await;
        let before: Vec<u64> = peers.iter().map(|(p, _)| p.frame_count()).collect();
        stream(&peers, &video, CONCURRENT_WINDOW).await;
        let fps: Vec<f64> = peers
            .iter()
            .zip(&before)
            .map(|((p, _), b)| (p.frame_count() - b) as f64 / CONCURRENT_WINDOW.as_secs_f64())
            .collect();
        println!("{n} Rust peers: processed fps {fps:?}");
        for (peer, location) in peers {
            close_peer(address, peer, location).await;
        }
        if fps.iter().all(|&f| f >= KEEPS_UP_FPS) {
            best = n;
        } else {
            break;
        }
    }

    let mut after_first = f64::NAN;
    for cycle in 1..=CYCLES {
        let peers = vec![open_peer(address, "canny").await?];
        stream(&peers, &video, Duration::from_millis(700)).await;
        for (peer, location) in peers {
            close_peer(address, peer, location).await;
        }
        if cycle == 1 {
            after_first = tokio::task::block_in_place(|| settled_rss_mb(server))?;
        }
    }
    let after_all = tokio::task::block_in_place(|| settled_rss_mb(server))?;
    println!("server RSS after 1 session {after_first:.1} MB, after {CYCLES}: {after_all:.1} MB");
    Ok(json!({
        "max_streams_25fps_rust_peers": best,
        "rss_growth_pct_after_50_sessions": (after_all - after_first) / after_first * 100.0,
    }))
}

/// The settings used.
pub fn settings() -> Value {
    json!({
        "codec": "VP8 (libvpx, realtime CBR)",
        "bitrate_kbps": EncoderConfig::for_size(SIZE.0, SIZE.1, FPS).bitrate_kbps,
        "degradation_preference": "maintain-resolution",
        "size": format!("{}x{}", SIZE.0, SIZE.1),
        "fps": FPS,
    })
}
