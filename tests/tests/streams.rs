//! Sources and modes beyond the webcam, end to end in the demo: it opens
//! on the camera view with START on the first screen; receive-only shows
//! the generated test pattern through a processor (pixels checked against
//! the pattern made natively, frames paired by the index in its strip);
//! send-only delivers results and no output video; SNAPSHOT gives a PNG
//! of the processed frame.

use std::time::Duration;

use framewise::synth;
use framewise_e2e::camera::{
    camera_browser, grab, grid, open, settled_state, wait_for_stats, wait_playing,
};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{dist_dir, StaticServer};
use serde_json::{json, Value};

/// The demo's pattern size (its default camera size).
const SIZE: (u32, u32) = (640, 480);

/// Median and p99 of |output - (255 - pattern)| over `shots`' outputs
/// paired with the pattern frame of their index, and how many paired.
fn inverted_pattern_errors(
    outputs: &[(u32, Vec<[i64; 3]>)],
    points: &[(u32, u32)],
) -> (usize, i64, i64) {
    let mut errors = Vec::new();
    for (index, px) in outputs {
        let expected = synth::moving_frame(SIZE.0, SIZE.1, *index, 0);
        for (&(x, y), got) in points.iter().zip(px) {
            let want = expected.pixel(x, y).expect("a point inside the frame");
            for c in 0..3 {
                errors.push((got[c] - (255 - i64::from(want[c]))).abs());
            }
        }
    }
    errors.sort_unstable();
    assert!(
        !errors.is_empty(),
        "no output frame could be paired with a pattern frame"
    );
    (
        outputs.len(),
        errors[errors.len() / 2],
        errors[errors.len() * 99 / 100],
    )
}

fn gum_calls(browser: &Browser) -> Value {
    browser
        .execute("return window.__fwGumCalls", &[])
        .expect("reading the spy")
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_demo_opens_on_the_camera_view_with_start_on_the_first_screen() {
    // A laptop's window.
    let browser = camera_browser(&[], &["--window-size=1280,800"]);
    let server = StaticServer::start(&dist_dir().expect("no demo build")).expect("static server");
    browser.goto(&server.url("/")).expect("loading the page");
    let start = browser
        .wait_for(
            "const b = document.querySelector('.fw-start'); if (!b) return null; \
             const r = b.getBoundingClientRect(); \
             return {top: r.top, bottom: r.bottom, height: window.innerHeight, \
                     canvases: document.querySelectorAll('.frames canvas').length, \
                     sources: [...document.querySelectorAll('.modes [data-source]')].map(e => e.dataset.source), \
                     streams: [...document.querySelectorAll('button[data-stream]')].map(e => e.dataset.stream)}",
            Duration::from_secs(20),
        )
        .expect("the demo did not open on the camera view");
    println!("START: {start}");
    let bottom = start["bottom"].as_f64().expect("a position");
    assert!(
        bottom <= start["height"].as_f64().expect("a height"),
        "START is below the first screen: {start}"
    );
    assert_eq!(
        start["canvases"], 0,
        "the still-image view is shown instead"
    );
    assert_eq!(
        start["sources"],
        json!(["camera", "screen", "pattern", "file"])
    );
    assert_eq!(
        start["streams"],
        json!(["sendrecv", "sendonly", "recvonly"])
    );
    assert_eq!(gum_calls(&browser), 0, "the camera opened before START");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn receive_only_shows_the_generated_pattern_through_the_processor() {
    let (_server, browser) = open("/?processor=invert&source=pattern&stream=recvonly&autostart=1");
    wait_playing(&browser);
    let root = browser
        .execute(
            "const r = document.querySelector('.fw-streamer'); \
             return [r.dataset.mode, r.dataset.source, !!document.querySelector('video.fw-input')]",
            &[],
        )
        .expect("reading the Streamer");
    assert_eq!(root, json!(["recvonly", "generated", false]));
    assert_eq!(
        gum_calls(&browser),
        0,
        "receive-only asked for the camera or microphone"
    );

    let points = grid(40);
    let shots = grab(&browser, &points, 20);
    let outputs: Vec<(u32, Vec<[i64; 3]>)> = shots
        .iter()
        .filter_map(|s| s.output.as_ref())
        .filter_map(|p| Some((p.index?, p.px.clone())))
        .collect();
    let indices: Vec<u32> = outputs.iter().map(|(i, _)| *i).collect();
    println!("output indices: {indices:?}");
    let mut distinct = indices.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 5,
        "the pattern does not move: {indices:?}"
    );
    let (paired, median, p99) = inverted_pattern_errors(&outputs, &points);
    println!("|output - (255 - pattern)| over {paired} frames: median {median}, p99 {p99}");
    assert!(
        median <= 2 && p99 <= 6,
        "the output is not the inverted pattern: median {median}, p99 {p99}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn send_only_delivers_results_and_no_output_video() {
    let (_server, browser) = open("/?processor=frame-stats&stream=sendonly&autostart=1");
    assert_eq!(settled_state(&browser), "playing");
    let stats = wait_for_stats(&browser, 30);
    assert!(
        stats["output_fps"].as_f64().unwrap_or(0.0) > 0.0 || stats["frames"].as_u64() >= Some(30)
    );
    let results = browser
        .wait_for(
            "const r = document.querySelector('pre.results'); \
             return r && r.textContent.includes('mean') ? r.textContent : null",
            Duration::from_secs(10),
        )
        .expect("no results reached the page");
    println!(
        "results: {}",
        results
            .as_str()
            .unwrap_or_default()
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let output = browser
        .execute(
            "const v = document.querySelector('video.fw-output'); \
             const s = v && v.srcObject; \
             return {mode: document.querySelector('.fw-streamer').dataset.mode, \
                     shown: !!v && !v.closest('figure').hidden, \
                     video_tracks: s ? s.getVideoTracks().length : 0, \
                     notice: !!document.querySelector('.fw-results-only'), \
                     snapshot: !!document.querySelector('.fw-snapshot')}",
            &[],
        )
        .expect("reading the output");
    assert_eq!(
        output,
        json!({"mode": "sendonly", "shown": false, "video_tracks": 0, "notice": true, "snapshot": false})
    );
    assert_eq!(gum_calls(&browser), 1, "the camera is captured once");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn snapshot_is_a_png_of_the_processed_frame() {
    let (_server, browser) = open("/?processor=invert&source=pattern&stream=recvonly&autostart=1");
    wait_playing(&browser);
    browser.click(".fw-snapshot").expect("clicking SNAPSHOT");
    let points = grid(40);
    let points_json: Vec<Value> = points.iter().map(|&(x, y)| json!([x, y])).collect();
    let png = browser
        .execute(
            "const points = arguments[0]; \
             const b64 = (bytes) => { let t = ''; \
               for (let i = 0; i < bytes.length; i += 0x8000) t += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)); \
               return btoa(t); }; \
             return new Promise((done) => { \
             const wait = () => { const url = document.body.dataset.snapshotUrl; \
               if (!url) { setTimeout(wait, 50); return; } \
               fetch(url).then(r => r.blob()).then(async blob => { \
                 const bitmap = await createImageBitmap(blob); \
                 const c = document.createElement('canvas'); c.width = bitmap.width; c.height = bitmap.height; \
                 const ctx = c.getContext('2d'); ctx.drawImage(bitmap, 0, 0); \
                 const d = ctx.getImageData(0, 0, c.width, c.height).data; \
                 done({type: blob.type, w: c.width, h: c.height, \
                       rgba: b64(d.subarray(0, 40 * c.width * 4)), \
                       px: points.map(([x, y]) => { const i = (y * c.width + x) * 4; return [d[i], d[i+1], d[i+2]]; })}); \
               }); }; \
             wait(); });",
            &[json!(points_json)],
        )
        .expect("reading the snapshot");
    assert_eq!(png["type"], "image/png");
    assert_eq!(
        (png["w"].as_u64(), png["h"].as_u64()),
        (Some(640), Some(480))
    );
    let picture = framewise_e2e::camera::picture(&json!({
        "w": 640, "h": 480, "strip": png["rgba"], "px": png["px"],
    }))
    .expect("decoding the snapshot");
    let index = picture
        .index
        .expect("the snapshot's index strip is unreadable");
    let (_, median, p99) = inverted_pattern_errors(&[(index, picture.px)], &points);
    println!("snapshot of frame {index}: median error {median}, p99 {p99}");
    assert!(
        median <= 2 && p99 <= 6,
        "the snapshot is not the inverted pattern frame {index}"
    );
}
