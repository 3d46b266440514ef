//! The apps in `examples/`, end to end: each trunk build served, the fake
//! camera started through WebDriver, the output `<video>` checked.
//!
//! - `custom-processor`: its own `sepia` processor, compiled into the
//!   example's worker, runs on the camera: at sampled static points the
//!   output equals [`framewise_example_custom::sepia`] of the camera
//!   (computed natively here), and a slider moved to 0 % makes the output
//!   equal the camera.
//! - `tutorial`: Canny with two sliders: the output is white edges on
//!   black, and thresholds moved to 1000 leave (almost) no edges.
//! - `audio-gain`: its own `volume` audio processor runs on the fake
//!   microphone in the page's AudioWorklet: the output's level equals the
//!   microphone's, and its slider at -6 dB halves it.
//! - `fork-and-mix`: START ALL opens the camera once for three views; the
//!   inverted one is the camera inverted frame by frame (paired by the
//!   index strip, against invert run natively), and the mix of the camera
//!   and the pattern is gray with both halves showing a picture.
//!
//! The builds are in `$FRAMEWISE_E2E_EXAMPLES/NAME` (`cargo xtask test`
//! builds them into `target/e2e-examples`).

use std::time::Duration;

use framewise_e2e::audio::Recording;
use framewise_e2e::camera::{self, set_slider, SPY};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{example_dist, fake_microphone_flag, StaticServer};
use framewise_example_custom::sepia;
use serde_json::Value;

/// Serves the example, opens it, clicks START and waits until the output
/// `<video>` plays.
fn start_example(name: &str) -> (StaticServer, Browser) {
    start_example_with(name, &[])
}

/// [`start_example`] with Chromium's `extra_args` and the getUserMedia
/// spy.
fn start_example_with(name: &str, extra_args: &[&str]) -> (StaticServer, Browser) {
    let dist = example_dist(name).unwrap_or_else(|e| panic!("{e}"));
    let server = StaticServer::start(&dist).expect("serving the build");
    let browser = Browser::start(extra_args).expect("starting ChromeDriver and Chromium");
    browser.add_init_script(SPY).expect("init script");
    browser.goto(&server.url("/")).expect("loading the page");
    browser
        .wait_for(
            "return document.querySelector('.fw-start') !== null",
            Duration::from_secs(20),
        )
        .unwrap_or_else(|e| panic!("{name}: the Streamer never appeared: {e}"));
    browser.click(".fw-start").expect("clicking START");
    let state = browser
        .wait_for(
            "const s = document.querySelector('.fw-streamer').dataset.state; \
             return (s === 'playing' || s === 'failed') ? s : null",
            Duration::from_secs(20),
        )
        .unwrap_or_else(|e| panic!("{name}: START led nowhere: {e}"));
    let error = browser
        .execute(
            "return document.querySelector('.fw-error').textContent",
            &[],
        )
        .expect("reading the error line");
    assert_eq!(state, "playing", "{name}: the Streamer failed: {error}");
    camera::wait_output_plays(&browser)
        .unwrap_or_else(|e| panic!("{name}: the output video never played: {e}"));
    (server, browser)
}

/// Defines `pixels(selector)`: the `<video>`'s current picture as
/// `{w, h, data}` (RGBA), or null before it has one. Scripts below start
/// with it.
const PIXELS: &str = r#"
const pixels = (selector) => {
  const video = document.querySelector(selector);
  if (!video || !video.videoWidth) return null;
  const [w, h] = [video.videoWidth, video.videoHeight];
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, w, h);
  return { w, h, data: ctx.getImageData(0, 0, w, h).data };
};
"#;

/// Defines `grab(selector)`: the `<video>` on a 20-px grid,
/// `[[x, y, r, g, b], …]`, or null (after [`PIXELS`]).
const GRID: &str = r#"
const grab = (selector) => {
  const picture = pixels(selector);
  if (!picture) return null;
  const { w, h, data } = picture;
  const px = [];
  for (let y = 10; y < h; y += 20) for (let x = 10; x < w; x += 20) {
    const i = (y * w + x) * 4;
    px.push([x, y, data[i], data[i + 1], data[i + 2]]);
  }
  return px;
};
"#;

/// The camera and output `<video>`s on a 20-px grid: `{input, output}`
/// (after [`PIXELS`] and [`GRID`]).
const SAMPLE: &str = "return { input: grab('video.fw-input'), output: grab('video.fw-output') };";

/// Sampled points: `[x, y, r, g, b]`.
type Points = Vec<[i64; 5]>;

fn points(value: &Value) -> Points {
    value
        .as_array()
        .map(|px| {
            px.iter()
                .filter_map(|p| serde_json::from_value::<[i64; 5]>(p.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Four snapshots 300 ms apart; the last one's (input, output) at the
/// points where both stayed within 3 levels throughout (the fake camera
/// moves in parts of the frame; output lags input by a frame or two).
fn static_points(browser: &Browser) -> Vec<([i64; 3], [i64; 3])> {
    let snapshots: Vec<(Points, Points)> = (0..4)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(300));
            let value = browser
                .execute(&format!("{PIXELS}{GRID}{SAMPLE}"), &[])
                .expect("sampling the videos");
            (points(&value["input"]), points(&value["output"]))
        })
        .collect();
    let Some((input, output)) = snapshots.last() else {
        return Vec::new();
    };
    assert!(
        !input.is_empty() && input.len() == output.len(),
        "the camera and output videos differ in size or show nothing"
    );
    let close = |a: &[i64; 5], b: &[i64; 5]| (2..5).all(|c| (a[c] - b[c]).abs() <= 3);
    (0..input.len())
        .filter(|&i| {
            snapshots.iter().all(|(si, so)| {
                si.len() == input.len()
                    && so.len() == output.len()
                    && close(&si[i], &input[i])
                    && close(&so[i], &output[i])
            })
        })
        .map(|i| {
            let rgb = |p: &[i64; 5]| [p[2], p[3], p[4]];
            (rgb(&input[i]), rgb(&output[i]))
        })
        .collect()
}

/// Median and 95th percentile of the largest channel error between the
/// output and `expected(input)` over `pairs`.
fn errors(pairs: &[([i64; 3], [i64; 3])], expected: impl Fn([i64; 3]) -> [i64; 3]) -> (i64, i64) {
    let mut errors: Vec<i64> = pairs
        .iter()
        .map(|(input, output)| {
            let want = expected(*input);
            (0..3)
                .map(|c| (want[c] - output[c]).abs())
                .max()
                .unwrap_or(0)
        })
        .collect();
    errors.sort_unstable();
    (errors[errors.len() / 2], errors[errors.len() * 95 / 100])
}

/// `sepia` of the example crate, natively, on a sampled camera pixel.
fn native_sepia(rgb: [i64; 3], strength: u32) -> [i64; 3] {
    let channel = |c: i64| c.clamp(0, 255) as u8;
    sepia(
        [channel(rgb[0]), channel(rgb[1]), channel(rgb[2])],
        strength,
    )
    .map(i64::from)
}

#[test]
#[ignore = "needs trunk builds of examples/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_custom_processor_runs_in_the_worker_and_follows_its_formula() {
    let (_server, browser) = start_example("custom-processor");
    // "playing" means the worker built `sepia` from its registry and
    // processes frames: had the example's worker bin lacked it, START
    // would have failed with "unknown video processor \"sepia\"". The
    // pixels below show that it is `sepia` that runs.
    let pairs = static_points(&browser);
    println!("{} static points", pairs.len());
    assert!(
        pairs.len() >= 100,
        "too few static points ({}) to compare",
        pairs.len()
    );
    let (median, p95) = errors(&pairs, |input| native_sepia(input, 100));
    println!("|output - sepia(input)| at 100 %: median {median}, p95 {p95}");
    assert!(median <= 8 && p95 <= 28, "the output is not sepia(input)");
    // Not a passthrough: the camera differs from its sepia.
    let (unchanged_median, _) = errors(&pairs, |input| input);
    println!("|output - input| at 100 %: median {unchanged_median}");
    assert!(
        unchanged_median > median + 8,
        "the output looks like the camera, not its sepia"
    );

    // The slider reaches the running processor: 0 % is the camera itself.
    set_slider(&browser, "fw-sepia-strength", "0");
    std::thread::sleep(Duration::from_millis(500));
    let pairs = static_points(&browser);
    assert!(
        pairs.len() >= 100,
        "too few static points ({})",
        pairs.len()
    );
    let (median, p95) = errors(&pairs, |input| native_sepia(input, 0));
    println!("|output - input| at 0 %: median {median}, p95 {p95}");
    assert!(
        median <= 6 && p95 <= 24,
        "strength 0 did not reach the worker"
    );

    browser.click(".fw-stop").unwrap();
    browser
        .wait_for(
            "return document.querySelector('.fw-streamer').dataset.state === 'idle'",
            Duration::from_secs(5),
        )
        .expect("STOP did not stop");
}

/// Counts the output's white (every channel > 180) and black (every
/// channel < 60) pixels over the whole frame: `[white, black, total]`
/// (after [`PIXELS`]).
const EDGE_COUNTS: &str = r#"
const picture = pixels('video.fw-output');
if (!picture) return null;
const { w, h, data } = picture;
let white = 0, black = 0;
for (let i = 0; i < data.length; i += 4) {
  const lo = Math.min(data[i], data[i + 1], data[i + 2]);
  const hi = Math.max(data[i], data[i + 1], data[i + 2]);
  if (lo > 180) white += 1;
  if (hi < 60) black += 1;
}
return [white, black, w * h];
"#;

fn edge_counts(browser: &Browser) -> [u64; 3] {
    let value = browser
        .execute(&format!("{PIXELS}{EDGE_COUNTS}"), &[])
        .expect("counting edge pixels");
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("unexpected counts {value}: {e}"))
}

#[test]
#[ignore = "needs trunk builds of examples/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_tutorial_shows_canny_edges_and_its_sliders_change_them() {
    let (_server, browser) = start_example("tutorial");
    let sliders = browser
        .execute(
            "return [...document.querySelectorAll('input[type=range]')].map((e) => e.id)",
            &[],
        )
        .unwrap();
    assert_eq!(
        sliders,
        serde_json::json!(["framewise-canny-threshold1", "framewise-canny-threshold2"])
    );

    let [white, black, total] = edge_counts(&browser);
    println!("canny 100/200: {white} white, {black} black of {total} pixels");
    assert_eq!(total, 640 * 480);
    assert!(white >= 200, "too few edge pixels: {white}");
    assert!(
        black * 10 >= total * 8,
        "not mostly black: {black} of {total}"
    );

    // Both thresholds to 1000: (almost) no gradient is strong enough.
    set_slider(&browser, "framewise-canny-threshold2", "1000");
    set_slider(&browser, "framewise-canny-threshold1", "1000");
    let fewer = browser
        .wait_for(
            &format!(
                "{PIXELS} const c = (() => {{ {EDGE_COUNTS} }})(); \
                 return c && c[0] * 4 < {white} ? c : null"
            ),
            Duration::from_secs(5),
        )
        .expect("the sliders did not change the running Canny");
    println!("canny 1000/1000: {fewer}");
}

#[test]
#[ignore = "needs trunk builds of examples/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_audio_gain_example_runs_its_own_processor_on_the_microphone() {
    let microphone = fake_microphone_flag().unwrap();
    let (_server, browser) = start_example_with("audio-gain", &[&microphone]);
    let runs = browser.wait_for(
        "const at = document.querySelector('.fw-streamer').dataset.audioRunsAt; \
         return at ? at : null",
        Duration::from_secs(20),
    );
    let error = browser
        .execute(
            "return document.querySelector('.fw-error').textContent",
            &[],
        )
        .unwrap_or_default();
    assert_eq!(
        runs.ok(),
        Some(Value::from("local")),
        "volume does not run: {error}"
    );
    let unity = Recording::take(&browser, 800);
    set_slider(&browser, "framewise-volume-gain_db", "-6");
    std::thread::sleep(Duration::from_millis(400));
    let halved = Recording::take(&browser, 800);
    println!(
        "volume: output/microphone RMS {:.4} at 0 dB, {:.4} at -6 dB",
        unity.gain(),
        halved.gain()
    );
    assert!((unity.gain() - 1.0).abs() <= 0.02, "{:.4}", unity.gain());
    let expected = 10f64.powf(-6.0 / 20.0);
    assert!(
        (halved.gain() - expected).abs() <= 0.02 * expected,
        "-6 dB gave {:.4}",
        halved.gain()
    );
}

#[test]
#[ignore = "needs trunk builds of examples/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_fork_and_mix_example_opens_the_camera_once_for_three_views() {
    let dist = example_dist("fork-and-mix").unwrap_or_else(|e| panic!("{e}"));
    let server = StaticServer::start(&dist).expect("serving the build");
    let browser = camera::camera_browser(&[], &[]);
    browser.goto(&server.url("/")).expect("loading the page");
    browser
        .wait_for(
            "return document.querySelector('.start-all') !== null",
            Duration::from_secs(20),
        )
        .expect("the page never appeared");
    browser.click(".start-all").expect("clicking START ALL");
    browser
        .wait_for(
            "const v = [...document.querySelectorAll('video.fw-output')]; \
             return (v.length === 3 && v.every(v => v.videoWidth > 0)) || null",
            Duration::from_secs(30),
        )
        .expect("the three views never played");
    let calls = browser.execute("return window.__fwGumCalls", &[]);
    assert_eq!(
        calls.ok(),
        Some(Value::from(1)),
        "the camera was opened more than once"
    );

    // The inverted view is the camera inverted, frame by frame.
    let grid = camera::grid(40);
    let shots = camera::grab_videos(&browser, &["#inverted video.fw-output"], &grid, 15, 480);
    let pictures: Vec<&camera::Picture> = shots.iter().filter_map(|s| s[0].as_ref()).collect();
    let (median, p99, distinct) = camera::processed_errors("invert", &pictures, &grid);
    println!("inverted view: median {median}, p99 {p99}, {distinct} frames");
    assert!(
        median <= 6 && p99 <= 48,
        "not the camera inverted: median {median}, p99 {p99}"
    );
    assert!(
        distinct >= 5,
        "the inverted view showed {distinct} frames in 15 grabs"
    );

    // The wall: camera (left) and pattern (right), gray, neither flat.
    let wall = browser
        .execute(
            &format!("{PIXELS}{GRID}return grab('#wall video.fw-output') || [];"),
            &[],
        )
        .expect("grabbing the wall");
    let px = points(&wall);
    assert!(!px.is_empty(), "the wall has no picture");
    let gray = px
        .iter()
        .all(|p| (p[2] - p[3]).abs() <= 3 && (p[3] - p[4]).abs() <= 3);
    assert!(gray, "the wall is not gray");
    for (half, range) in [("camera", 0..320), ("pattern", 320..640)] {
        let lumas: Vec<i64> = px
            .iter()
            .filter(|p| range.contains(&p[0]))
            .map(|p| p[2])
            .collect();
        let spread = lumas.iter().max().unwrap_or(&0) - lumas.iter().min().unwrap_or(&0);
        assert!(
            spread > 100,
            "the {half} half of the wall is flat (spread {spread})"
        );
    }
}
