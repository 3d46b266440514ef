//! Remote placement end to end: `framewise-server` (the debug build
//! `cargo xtask test` makes) serves the demo build and the API on
//! 127.0.0.1; headless Chromium with the generated camera video streams
//! to it over a real `RTCPeerConnection` (loopback only) and shows what
//! comes back. Pixels are checked by frame index, as in the local tests,
//! and against the local placement's output for the same input.

use std::time::Duration;

use framewise_e2e::camera::{
    assert_inverted, camera_browser, grab, grid, reported_frames, set_slider, wait_for_stats,
    wait_playing, wait_reported_frames, Shot,
};
use framewise_e2e::server::ServerProcess;
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{dist_dir, StaticServer};
use serde_json::Value;

/// Chromium gathers loopback candidates only with this flag.
const LOOPBACK: &str = "--allow-loopback-in-peer-connection";

/// Counts `RTCPeerConnection`s the page makes and keeps its DataChannels
/// (`window.__fwChannels`, so a test can play the server), before its
/// scripts run.
const PEER_SPY: &str = r#"
(() => {
  window.__fwPeerConnections = 0;
  window.__fwChannels = [];
  const Original = window.RTCPeerConnection;
  if (!Original) return;
  window.RTCPeerConnection = function (...args) {
    window.__fwPeerConnections += 1;
    return new Original(...args);
  };
  window.RTCPeerConnection.prototype = Original.prototype;
  const create = Original.prototype.createDataChannel;
  Original.prototype.createDataChannel = function (...args) {
    const channel = create.apply(this, args);
    window.__fwChannels.push(channel);
    return channel;
  };
})();
"#;

fn start_server() -> ServerProcess {
    ServerProcess::start(&dist_dir().expect("no demo build"), &[]).expect("framewise-server")
}

fn open(server_url: &str) -> Browser {
    let browser = camera_browser(&[PEER_SPY], &[LOOPBACK]);
    browser.goto(server_url).expect("loading the page");
    browser
}

/// The Streamer's `data-runs-at`.
fn runs_at(browser: &Browser) -> Value {
    browser
        .execute(
            "return document.querySelector('.fw-streamer').dataset.runsAt || ''",
            &[],
        )
        .expect("reading the Streamer")
}

/// Waits until the Streamer runs at `place` (`local` / `remote`).
fn wait_runs_at(browser: &Browser, place: &str, limit: Duration) -> bool {
    browser
        .wait_for(
            &format!("return document.querySelector('.fw-streamer').dataset.runsAt === '{place}'"),
            limit,
        )
        .is_ok()
}

/// The camera state's error text (warnings included).
fn shown_error(browser: &Browser) -> String {
    browser
        .execute(
            "return document.querySelector('.fw-error').textContent",
            &[],
        )
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn remote_placement_shows_the_server_output_and_stop_ends_the_session() {
    let server = start_server();
    let browser = open(&server.url("/?processor=invert&mode=camera&placement=remote&autostart=1"));
    wait_playing(&browser);
    assert!(
        wait_runs_at(&browser, "remote", Duration::from_secs(5)),
        "not running remotely: {}",
        runs_at(&browser)
    );
    assert_eq!(server.sessions().unwrap(), 1);
    let badge = browser
        .execute(
            "return document.querySelector('.fw-remote').textContent",
            &[],
        )
        .unwrap();
    println!("badge: {badge}");
    assert!(badge
        .as_str()
        .is_some_and(|t| t.contains("sent for processing")));
    assert_inverted(&grab(&browser, &grid(20), 24));
    // The overlay's output rate: frames the page itself decoded, about the
    // camera's 30 per second.
    let stats = wait_for_stats(&browser, 90);
    let output_fps = stats["output_fps"].as_f64().unwrap_or(0.0);
    println!("stats: {stats}");
    assert!((10.0..=40.0).contains(&output_fps), "{stats}");

    browser.click(".fw-stop").unwrap();
    let sessions = server.wait_no_sessions().unwrap();
    assert_eq!(sessions, 0, "STOP left the server session running");
}

/// Pairs output pictures of two runs by frame index; returns the PSNR over
/// the sampled RGB values of all pairs, and how many pairs there were.
fn psnr_between(a: &[Shot], b: &[Shot]) -> (f64, usize) {
    let outputs = |shots: &[Shot]| -> Vec<(u32, Vec<[i64; 3]>)> {
        shots
            .iter()
            .filter_map(|s| s.output.as_ref())
            .filter_map(|p| Some((p.index?, p.px.clone())))
            .collect()
    };
    let (a, b) = (outputs(a), outputs(b));
    let (mut sum, mut count, mut pairs) = (0.0, 0usize, 0);
    for (index, pa) in &a {
        let Some((_, pb)) = b.iter().find(|(i, _)| i == index) else {
            continue;
        };
        pairs += 1;
        for (x, y) in pa.iter().zip(pb) {
            for c in 0..3 {
                sum += ((x[c] - y[c]) as f64).powi(2);
                count += 1;
            }
        }
    }
    let mse = sum / count.max(1) as f64;
    let psnr = if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64.powi(2) / mse).log10()
    };
    (psnr, pairs)
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn local_and_remote_placement_give_the_same_output() {
    let server = start_server();
    for processor in ["invert", "grayscale"] {
        let mut runs = Vec::new();
        for placement in ["local", "remote"] {
            let browser = open(&server.url(&format!(
                "/?processor={processor}&mode=camera&placement={placement}&autostart=1"
            )));
            wait_playing(&browser);
            assert!(wait_runs_at(&browser, placement, Duration::from_secs(5)));
            // The fake camera loops 90 frames: 100 shots cover every index.
            runs.push(grab(&browser, &grid(16), 100));
        }
        let (psnr, pairs) = psnr_between(&runs[0], &runs[1]);
        println!("{processor}: local vs remote PSNR {psnr:.1} dB over {pairs} frame pairs");
        assert!(pairs >= 10, "{processor}: only {pairs} frames paired");
        assert!(
            psnr >= 30.0,
            "{processor}: local and remote differ ({psnr:.1} dB)"
        );
    }
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn auto_moves_to_the_server_when_local_processing_is_too_slow_and_back_when_it_is_lost() {
    let mut server = start_server();
    let browser = open(&server.url("/?processor=stress&mode=camera&placement=auto&autostart=1"));
    wait_playing(&browser);
    assert_eq!(
        runs_at(&browser),
        "local",
        "a moderate processor starts local"
    );
    // 301 inversions a frame: far over the 33 ms budget in wasm.
    set_slider(&browser, "fw-stress-passes", "301");
    let moved = wait_runs_at(&browser, "remote", Duration::from_secs(20));
    let stats = browser
        .execute("return document.body.dataset.cameraStats", &[])
        .unwrap();
    println!("stats after the move: {stats}");
    assert!(
        moved,
        "Auto did not move to the server: {}",
        runs_at(&browser)
    );
    let reason: Value = serde_json::from_str(stats.as_str().unwrap_or("{}")).unwrap();
    assert!(
        reason["reason"].as_str().is_some_and(|r| r.contains("p95")),
        "the overlay should say why: {reason}"
    );
    assert_eq!(server.sessions().unwrap(), 1);
    // The camera was not reopened for the move.
    let calls = browser.execute("return window.__fwGumCalls", &[]).unwrap();
    assert_eq!(calls, 1);
    // The server's frames keep coming.
    let before = reported_frames(&browser);
    assert!(
        wait_reported_frames(&browser, before, Duration::from_secs(8)),
        "no processed frames from the server"
    );

    // The server goes away: back to local, saying why.
    server.kill();
    let back = wait_runs_at(&browser, "local", Duration::from_secs(30));
    println!("after the server stopped: {}", shown_error(&browser));
    assert!(
        back,
        "Auto did not come back to local: {}",
        runs_at(&browser)
    );
    assert!(shown_error(&browser).contains("server"));
    let state = browser
        .execute("return document.body.dataset.cameraState", &[])
        .unwrap();
    assert_eq!(state, "playing");
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn auto_stays_local_and_says_why_when_the_server_is_down() {
    let mut server = start_server();
    let browser = open(&server.url("/?processor=stress&mode=camera&placement=auto&autostart=1"));
    wait_playing(&browser);
    server.kill();
    set_slider(&browser, "fw-stress-passes", "301");
    let said = browser.wait_for(
        "return (document.querySelector('.fw-error').textContent || '').includes('could not be reached')",
        Duration::from_secs(20),
    );
    println!("shown: {}", shown_error(&browser));
    assert!(said.is_ok(), "no message about the server");
    assert_eq!(runs_at(&browser), "local");
    let state = browser
        .execute("return document.body.dataset.cameraState", &[])
        .unwrap();
    assert_eq!(state, "playing", "local processing should go on");
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn no_media_leaves_the_page_when_remote_is_not_allowed() {
    // Local placement, however slow: no peer connection is ever made.
    let page = StaticServer::start(&dist_dir().expect("no demo build")).unwrap();
    let browser = open(&page.url("/?processor=stress&mode=camera&placement=local&autostart=1"));
    wait_playing(&browser);
    set_slider(&browser, "fw-stress-passes", "301");
    std::thread::sleep(Duration::from_secs(5));
    let made = browser
        .execute("return window.__fwPeerConnections", &[])
        .unwrap();
    assert_eq!(made, 0, "a peer connection was made without permission");
    assert_eq!(runs_at(&browser), "local");
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_server_speaking_another_protocol_version_is_named_on_the_page() {
    let server = start_server();
    let browser = open(&server.url("/?processor=invert&mode=camera&placement=remote&autostart=1"));
    wait_playing(&browser);
    assert!(wait_runs_at(&browser, "remote", Duration::from_secs(5)));
    // A message as a server of protocol version 7 would send it, delivered
    // on the page's own DataChannel.
    let delivered = browser
        .execute(
            "const channel = window.__fwChannels[0]; \
             if (!channel) return false; \
             channel.dispatchEvent(new MessageEvent('message', \
               { data: JSON.stringify({ v: 7, type: 'results', results: [] }) })); \
             return true;",
            &[],
        )
        .unwrap();
    assert_eq!(delivered, true, "the page made no DataChannel");
    let said = browser.wait_for(
        "return (document.querySelector('.fw-error').textContent || '').includes('version 7')",
        Duration::from_secs(5),
    );
    let shown = shown_error(&browser);
    println!("shown: {shown}");
    assert!(said.is_ok(), "the mismatch was not named: {shown:?}");
    assert!(shown.contains("this side 1"), "{shown}");
    // A bad message is a warning: the session goes on.
    assert_eq!(runs_at(&browser), "remote");
    let state = browser
        .execute("return document.body.dataset.cameraState", &[])
        .unwrap();
    assert_eq!(state, "playing");
    assert_inverted(&grab(&browser, &grid(20), 12));
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn switching_the_camera_during_a_remote_session_keeps_the_server_s_output_coming() {
    let server = start_server();
    // Chromium's fake camera 1 delivers Y16 frames, which its WebRTC
    // encoder drops (a sender given it sends nothing, in plain JS too);
    // cameras 0 and 2 deliver frames it encodes.
    let flags = framewise_e2e::flags_replacing(
        "--use-fake-device-for-media-stream",
        Some("--use-fake-device-for-media-stream=device-count=3"),
    );
    let browser = Browser::launch(&flags, &[LOOPBACK]).expect("Chromium");
    for script in [framewise_e2e::camera::SPY, PEER_SPY] {
        browser.add_init_script(script).expect("init script");
    }
    browser
        .goto(&server.url("/?processor=invert&mode=camera&placement=remote&autostart=1"))
        .expect("loading the page");
    wait_playing(&browser);
    assert!(
        wait_runs_at(&browser, "remote", Duration::from_secs(10)),
        "not running remotely: {}",
        runs_at(&browser)
    );
    // The server's frames flow before the switch.
    wait_for_stats(&browser, 30);
    let running = browser
        .execute(
            "return window.__fwTracks.find((t) => t.kind === 'video').label",
            &[],
        )
        .expect("the camera's label");
    let other = if running == "fake_device_2" {
        "fake_device_0"
    } else {
        "fake_device_2"
    };
    let picked = browser
        .wait_for(
            &format!(
                "const select = document.getElementById('framewise-camera'); \
                 const option = select && [...select.options].find((o) => o.text === {other:?}); \
                 if (!option) return null; \
                 select.value = option.value; \
                 select.dispatchEvent(new Event('change', {{ bubbles: true }})); \
                 return option.value"
            ),
            Duration::from_secs(10),
        )
        .expect("no other camera to pick");
    println!("switched from {running} to {other} ({picked})");
    let switched = browser.wait_for(
        &format!(
            "const live = window.__fwTracks.filter((t) => t.kind === 'video' && t.readyState === 'live'); \
             return live.length === 1 && live[0].label === {other:?}"
        ),
        Duration::from_secs(10),
    );
    assert!(switched.is_ok(), "the camera did not switch to {other}");
    let frames = reported_frames(&browser);
    let more = wait_reported_frames(&browser, frames + 60, Duration::from_secs(10));
    println!(
        "server frames: {frames} at the switch, {} after",
        reported_frames(&browser)
    );
    assert!(more, "the server's output stopped after the camera switch");
    assert_eq!(runs_at(&browser), "remote");
    assert_eq!(server.sessions().expect("the session count"), 1);
}
