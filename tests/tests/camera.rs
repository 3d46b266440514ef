//! The camera pipeline end to end: the demo in camera mode in headless
//! Chromium with the fake camera, START clicked through WebDriver, the
//! processor running in the worker on every frame, pixels checked.

use std::time::Duration;

use framewise_e2e::webdriver::Browser;
use framewise_e2e::{dist_dir, StaticServer};
use serde_json::{json, Value};

/// Counts getUserMedia calls and keeps the streams it returned, before
/// any of the page's scripts run.
const SPY: &str = r#"
(() => {
  window.__fwGumCalls = 0;
  window.__fwStreams = [];
  const md = navigator.mediaDevices;
  if (!md) return;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (constraints) => {
    window.__fwGumCalls += 1;
    return original(constraints).then((stream) => { window.__fwStreams.push(stream); return stream; });
  };
})();
"#;

/// Draws the raw camera and the output `<video>` into canvases and returns
/// `{input: {w, h, px}, output: {w, h, px}}`, `px` = `[[x, y, r, g, b], …]`
/// on a grid.
const SAMPLE: &str = r#"
const grab = (selector) => {
  const video = document.querySelector(selector);
  if (!video || !video.videoWidth) return null;
  const [w, h] = [video.videoWidth, video.videoHeight];
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, w, h);
  const data = ctx.getImageData(0, 0, w, h).data;
  const px = [];
  for (let y = 10; y < h; y += 20) for (let x = 10; x < w; x += 20) {
    const i = (y * w + x) * 4;
    px.push([x, y, data[i], data[i + 1], data[i + 2]]);
  }
  return { w, h, px };
};
return { input: grab('video.fw-input'), output: grab('video.fw-output') };
"#;

struct Snapshot {
    size: (u64, u64),
    input: Vec<[i64; 5]>,
    output: Vec<[i64; 5]>,
}

fn pixels(side: &Value) -> Vec<[i64; 5]> {
    side["px"]
        .as_array()
        .map(|px| {
            px.iter()
                .filter_map(|p| serde_json::from_value::<[i64; 5]>(p.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn snapshot(browser: &Browser) -> Snapshot {
    let value = browser.execute(SAMPLE, &[]).expect("sampling the videos");
    assert!(
        !value["input"].is_null() && !value["output"].is_null(),
        "a video shows nothing: {value}"
    );
    Snapshot {
        size: (
            value["output"]["w"].as_u64().unwrap_or(0),
            value["output"]["h"].as_u64().unwrap_or(0),
        ),
        input: pixels(&value["input"]),
        output: pixels(&value["output"]),
    }
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn invert_runs_on_the_camera_in_the_worker() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let browser = Browser::start(&[]).unwrap();
    browser.add_init_script(SPY).unwrap();
    browser
        .goto(&server.url("/?processor=invert&mode=camera"))
        .unwrap();
    browser
        .wait_for(
            "return document.querySelector('.fw-start') !== null",
            Duration::from_secs(20),
        )
        .expect("the camera view never appeared");

    // Nothing touches the camera before START.
    std::thread::sleep(Duration::from_millis(500));
    let before = browser
        .execute(
            "return [window.__fwGumCalls, document.querySelector('video.fw-output').srcObject === null]",
            &[],
        )
        .unwrap();
    assert_eq!(before, json!([0, true]), "getUserMedia before START");

    browser.click(".fw-start").unwrap();
    let state = browser
        .wait_for(
            "const s = document.body.dataset.cameraState; \
             return (s === 'playing' || s === 'failed') ? s : null",
            Duration::from_secs(20),
        )
        .unwrap();
    let error = browser
        .execute("return document.body.dataset.cameraError || ''", &[])
        .unwrap();
    assert_eq!(state, "playing", "camera error: {error}");
    browser
        .wait_for(
            "const v = document.querySelector('video.fw-output'); \
             return v.videoWidth > 0 && v.currentTime > 0.3",
            Duration::from_secs(20),
        )
        .expect("the output video never played");
    let calls = browser.execute("return window.__fwGumCalls", &[]).unwrap();
    assert_eq!(calls, 1);

    // Several snapshots; compare only points where the input is static.
    let snapshots: Vec<Snapshot> = (0..4)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(300));
            snapshot(&browser)
        })
        .collect();
    let stats = browser
        .execute(
            "return (document.querySelector('.fw-stats') || {}).textContent || ''",
            &[],
        )
        .unwrap();
    println!("worker stats: {stats}");
    assert_eq!(snapshots[0].size, (640, 480), "output size");

    let last = snapshots.last().unwrap();
    let brightest = last
        .output
        .iter()
        .map(|p| p[2].max(p[3]).max(p[4]))
        .max()
        .unwrap_or(0);
    assert!(
        brightest > 64,
        "the output is black (max channel {brightest})"
    );

    let stable: Vec<usize> = (0..last.input.len())
        .filter(|&i| {
            snapshots.iter().all(|s| {
                s.input.len() == last.input.len()
                    && (2..5).all(|c| (s.input[i][c] - last.input[i][c]).abs() <= 3)
                    && s.output.len() == last.output.len()
                    && (2..5).all(|c| (s.output[i][c] - last.output[i][c]).abs() <= 3)
            })
        })
        .collect();
    println!(
        "{} of {} sampled points are static",
        stable.len(),
        last.input.len()
    );
    assert!(
        stable.len() >= 100,
        "too few static points ({}) to compare",
        stable.len()
    );
    let mut errors: Vec<i64> = stable
        .iter()
        .map(|&i| {
            (2..5)
                .map(|c| (255 - last.input[i][c] - last.output[i][c]).abs())
                .max()
                .unwrap_or(0)
        })
        .collect();
    errors.sort_unstable();
    let median = errors[errors.len() / 2];
    let p95 = errors[errors.len() * 95 / 100];
    println!(
        "|output - (255 - input)| on static points: median {median}, p95 {p95}, max {}",
        errors.last().unwrap_or(&0)
    );
    assert!(
        median <= 6,
        "output is not the inverse of the input (median error {median})"
    );
    assert!(
        p95 <= 24,
        "output is not the inverse of the input (p95 error {p95})"
    );

    // STOP ends every track and clears the output.
    browser.click(".fw-stop").unwrap();
    let ended = browser
        .wait_for(
            "const tracks = window.__fwStreams.flatMap((s) => s.getTracks()); \
             const out = document.querySelector('video.fw-output'); \
             return tracks.length > 0 && tracks.every((t) => t.readyState === 'ended') \
               && out.srcObject === null && document.body.dataset.cameraState === 'idle'",
            Duration::from_secs(5),
        )
        .expect("STOP left a track running");
    assert_eq!(ended, true);
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn autostart_plays_without_a_click_and_results_reach_the_page() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let browser = Browser::start(&[]).unwrap();
    // `autostart=1` sets the Streamer's `playing` prop: programmatic start.
    browser
        .goto(&server.url("/?processor=frame-stats&mode=camera&autostart=1"))
        .unwrap();
    let state = browser
        .wait_for(
            "const s = document.body.dataset.cameraState; \
             return (s === 'playing' || s === 'failed') ? s : null",
            Duration::from_secs(20),
        )
        .unwrap();
    let error = browser
        .execute("return document.body.dataset.cameraError || ''", &[])
        .unwrap();
    assert_eq!(state, "playing", "camera error: {error}");
    // frame-stats' results travel worker → on_result → the page's card.
    let results = browser
        .wait_for(
            "const r = document.querySelector('pre.results'); return r && r.textContent",
            Duration::from_secs(10),
        )
        .expect("no results reached the page");
    let results: Value = serde_json::from_str(results.as_str().unwrap_or("")).unwrap();
    let mean = results[0]["mean_brightness"].as_f64();
    assert!(
        mean.is_some_and(|m| m > 0.0 && m < 255.0),
        "unexpected results: {results}"
    );
    println!("frame-stats result on the page: {results}");
}
