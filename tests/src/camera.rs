//! Camera-test helpers shared by `tests/camera.rs` and
//! `tests/robustness.rs`: the demo opened in camera mode with the fake
//! camera and a getUserMedia spy, both `<video>`s grabbed and decoded
//! (frame index from the strip, pixels at points), waiting for `playing`.

use std::time::Duration;

use framewise::synth::{self, index_strip};
use framewise::{Registry, VideoFrame};
use serde_json::{json, Value};

use crate::webdriver::Browser;
use crate::{base64_decode, dist_dir, fake_camera_flag, StaticServer, FAKE_CAMERA};

/// Counts getUserMedia calls and keeps every track they returned (in
/// `window.__fwTracks`: the streams themselves change when a device is
/// switched), before any of the page's scripts run.
pub const SPY: &str = r#"
(() => {
  window.__fwGumCalls = 0;
  window.__fwTracks = [];
  const md = navigator.mediaDevices;
  if (!md) return;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (constraints) => {
    window.__fwGumCalls += 1;
    return original(constraints).then((stream) => {
      window.__fwTracks.push(...stream.getTracks());
      return stream;
    });
  };
})();
"#;

/// Grabs the `<video>`s matching the selectors `arguments[3]` (e.g. the
/// raw camera `video.fw-input` and the processed `video.fw-output`) into a
/// canvas on each of the last one's next `arguments[2]` frames
/// (`requestVideoFrameCallback`, with a timer as a fallback) and returns
/// `[[side, …], …]`, one side per selector, each `null` (no picture yet)
/// or `{w, h, strip, px}`: `strip` = base64 of the RGBA of the top
/// `arguments[1]` rows (the index strip, decoded natively by the test),
/// `px` = `[[r, g, b], …]` at the points `arguments[0]` = `[[x, y], …]`.
pub const GRAB: &str = r#"
const [points, stripRows, count, selectors] = arguments;
const canvas = document.createElement('canvas');
const ctx = canvas.getContext('2d', { willReadFrequently: true });
const base64 = (bytes) => {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
};
const grab = (video) => {
  if (!video || !video.videoWidth) return null;
  const [w, h] = [video.videoWidth, video.videoHeight];
  canvas.width = w; canvas.height = h;
  ctx.drawImage(video, 0, 0, w, h);
  const data = ctx.getImageData(0, 0, w, h).data;
  const strip = base64(data.subarray(0, Math.min(stripRows, h) * w * 4));
  const px = points.map(([x, y]) => {
    const i = (Math.min(y, h - 1) * w + Math.min(x, w - 1)) * 4;
    return [data[i], data[i + 1], data[i + 2]];
  });
  return { w, h, strip, px };
};
const videos = selectors.map((s) => document.querySelector(s));
const output = videos[videos.length - 1];
const shots = [];
return new Promise((resolve) => {
  const step = () => {
    shots.push(videos.map(grab));
    if (shots.length >= count) { resolve(shots); return; }
    let called = false;
    const next = () => { if (!called) { called = true; step(); } };
    if (output.requestVideoFrameCallback) output.requestVideoFrameCallback(next);
    setTimeout(next, 200);
  };
  step();
});
"#;

/// One grabbed picture: its decoded frame index and the sampled pixels.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Width and height.
    pub size: (u32, u32),
    /// The frame index decoded from the strip, if readable.
    pub index: Option<u32>,
    /// RGB at the requested points.
    pub px: Vec<[i64; 3]>,
}

/// Both videos at one moment.
pub struct Shot {
    /// The raw camera `<video>` (`None` before it has a picture).
    pub input: Option<Picture>,
    /// The processed `<video>`.
    pub output: Option<Picture>,
}

/// Decodes one side of a shot: the strip's index (native
/// `index_strip::read`) and the sampled points.
pub fn picture(side: &Value) -> Option<Picture> {
    let (w, h) = (side["w"].as_u64()? as u32, side["h"].as_u64()? as u32);
    let strip = base64_decode(side["strip"].as_str()?)?;
    let mut rgba = vec![0u8; w as usize * h as usize * 4];
    let n = strip.len().min(rgba.len());
    rgba[..n].copy_from_slice(&strip[..n]);
    let frame = VideoFrame::from_rgba(w, h, rgba, 0).ok()?;
    let px = side["px"]
        .as_array()?
        .iter()
        .filter_map(|p| serde_json::from_value::<[i64; 3]>(p.clone()).ok())
        .collect();
    Some(Picture {
        size: (w, h),
        index: index_strip::read(&frame, false),
        px,
    })
}

/// Grabs `count` output frames' worth of shots at `points`.
pub fn grab(browser: &Browser, points: &[(u32, u32)], count: u32) -> Vec<Shot> {
    let selectors = ["video.fw-input", "video.fw-output"];
    grab_videos(browser, &selectors, points, count, FAKE_CAMERA.1)
        .into_iter()
        .map(|mut sides| {
            let output = sides.pop().flatten();
            Shot {
                input: sides.pop().flatten(),
                output,
            }
        })
        .collect()
}

/// Grabs the videos at `selectors` on `count` frames of the last one, at
/// `points`, each strip read as a `height`-row picture's: per shot, one
/// picture (or `None`) per selector.
pub fn grab_videos(
    browser: &Browser,
    selectors: &[&str],
    points: &[(u32, u32)],
    count: u32,
    height: u32,
) -> Vec<Vec<Option<Picture>>> {
    let strip_rows = index_strip::height(height);
    let points: Vec<Value> = points.iter().map(|&(x, y)| json!([x, y])).collect();
    let args = [
        json!(points),
        json!(strip_rows),
        json!(count),
        json!(selectors),
    ];
    let value = browser.execute(GRAB, &args).expect("grabbing the videos");
    let shots = value.as_array().cloned().unwrap_or_default();
    shots
        .iter()
        .map(|shot| {
            let sides = shot.as_array().cloned().unwrap_or_default();
            sides.iter().map(picture).collect()
        })
        .collect()
}

/// Every `step` px over the frame, below the index strip.
pub fn grid(step: u32) -> Vec<(u32, u32)> {
    let (w, h, _, _) = FAKE_CAMERA;
    let top = index_strip::height(h) + step / 2;
    (0..)
        .map(|i| top + i * step)
        .take_while(|&y| y < h)
        .flat_map(|y| (step / 2..w).step_by(step as usize).map(move |x| (x, y)))
        .collect()
}

/// A browser on the demo in camera mode with the generated video as the
/// camera, the getUserMedia spy installed; returns it with the server.
pub fn open(query: &str) -> (StaticServer, Browser) {
    open_with(query, &[])
}

/// [`open`] with more init scripts, run (in order, after [`SPY`]) before
/// any of the page's scripts.
pub fn open_with(query: &str, init_scripts: &[&str]) -> (StaticServer, Browser) {
    let server = StaticServer::start(&dist_dir().expect("no demo build")).expect("static server");
    let browser = camera_browser(init_scripts, &[]);
    browser.goto(&server.url(query)).expect("loading the page");
    (server, browser)
}

/// Chromium with the generated video as the camera, [`SPY`] and then
/// `init_scripts` installed, and `extra_args`.
pub fn camera_browser(init_scripts: &[&str], extra_args: &[&str]) -> Browser {
    let camera = fake_camera_flag().expect("writing the fake camera video");
    let mut args = vec![camera.as_str()];
    args.extend_from_slice(extra_args);
    let browser = Browser::start(&args).expect("starting Chromium");
    browser.add_init_script(SPY).expect("init script");
    for script in init_scripts {
        browser.add_init_script(script).expect("init script");
    }
    browser
}

/// Waits until the camera state settles at `playing` or `failed`, and
/// returns it.
/// Waits until the demo's Streamer plays or fails: its state.
pub fn settled_state(browser: &Browser) -> Value {
    browser
        .wait_for(
            "const s = document.body.dataset.cameraState; \
             return (s === 'playing' || s === 'failed') ? s : null",
            Duration::from_secs(20),
        )
        .expect("no camera state")
}

/// Waits until the camera state is `playing` (or fails with its error) and
/// the output video plays.
pub fn wait_playing(browser: &Browser) {
    let state = settled_state(browser);
    let error = browser
        .execute("return document.body.dataset.cameraError || ''", &[])
        .expect("reading the camera error");
    assert_eq!(state, "playing", "camera error: {error}");
    wait_output_plays(browser).expect("the output video never played");
}

/// Sets a `ParamControls` slider (by its
/// id, `fw-PROCESSOR-PARAM`) as a user's drag does.
pub fn set_slider(browser: &Browser, id: &str, value: &str) {
    let done = browser
        .execute(
            "const el = document.getElementById(arguments[0]); if (!el) return false; \
             el.value = arguments[1]; \
             el.dispatchEvent(new Event('input', { bubbles: true })); return true",
            &[Value::from(id), Value::from(value)],
        )
        .expect("setting a slider");
    assert_eq!(done, Value::Bool(true), "no slider #{id}");
}

/// Clicks START once the camera view is there, expects the camera state
/// `failed`, checks that `on_state` reported what the Streamer shows, and
/// returns that message.
pub fn start_and_expect_failure(browser: &Browser) -> String {
    browser
        .wait_for(
            "return document.querySelector('.fw-start') !== null",
            Duration::from_secs(20),
        )
        .expect("the camera view never appeared");
    browser.click(".fw-start").expect("clicking START");
    assert_eq!(settled_state(browser), "failed");
    let reported = browser
        .execute("return document.body.dataset.cameraError", &[])
        .expect("reading the reported error");
    let shown = browser
        .execute(
            "return document.querySelector('.fw-error').textContent",
            &[],
        )
        .expect("reading the shown error");
    println!("failed: {shown}");
    assert_eq!(reported, shown, "on_state reports what the page shows");
    shown.as_str().unwrap_or_default().to_owned()
}

/// Waits until the Streamer's output `<video>` has a size and has played
/// for a moment.
pub fn wait_output_plays(browser: &Browser) -> std::io::Result<Value> {
    browser.wait_for(
        "const v = document.querySelector('video.fw-output'); \
         return v.videoWidth > 0 && v.currentTime > 0.3",
        Duration::from_secs(20),
    )
}

/// Asserts that the outputs in `shots` are `255 - input`, pairing frames
/// by their decoded index: at least 3 pairs, and median and p99 channel
/// error at most 6 (the limited-range round trip).
pub fn assert_inverted(shots: &[Shot]) {
    let (paired, errors) = invert_errors(shots);
    println!("paired indices: {paired:?}");
    assert!(
        paired.len() >= 3,
        "too few output frames paired with an input frame by index: {paired:?}"
    );
    let median = errors[errors.len() / 2];
    let p99 = errors[errors.len() * 99 / 100];
    let max = errors.last().copied().unwrap_or(0);
    println!(
        "|output - (255 - input)| over {} paired points: median {median}, p99 {p99}, max {max}",
        errors.len()
    );
    assert!(
        median <= 6,
        "output is not 255 - input (median error {median})"
    );
    assert!(p99 <= 6, "output is not 255 - input (p99 error {p99})");
}

/// Waits for the Streamer's stats (`data-camera-stats`) to cover at least
/// `frames` frames, and returns them.
pub fn wait_for_stats(browser: &Browser, frames: u32) -> Value {
    let script = format!(
        "const s = JSON.parse(document.body.dataset.cameraStats || 'null'); \
         return s && s.frames >= {frames} ? s : null"
    );
    browser
        .wait_for(&script, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("no stats with {frames} frames: {e}"))
}

/// The frames in the Streamer's stats (`data-camera-stats`), as a JS
/// expression: 0 before it reported any.
const REPORTED_FRAMES: &str = "(JSON.parse(document.body.dataset.cameraStats || '{}').frames || 0)";

/// Frames the Streamer has reported so far (its stats' `frames`; 0
/// before any).
pub fn reported_frames(browser: &Browser) -> u64 {
    browser
        .execute(&format!("return {REPORTED_FRAMES}"), &[])
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(0)
}

/// Waits (at most `limit`) until the Streamer has reported more than
/// `frames` frames; whether it did.
pub fn wait_reported_frames(browser: &Browser, frames: u64, limit: Duration) -> bool {
    let script = format!("return {REPORTED_FRAMES} > {frames}");
    browser.wait_for(&script, limit).is_ok()
}

/// BT.601 luma of an RGB sample.
pub fn luma(p: &[i64; 3]) -> i64 {
    (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8
}

/// Pairs output pictures with input pictures by decoded frame index and
/// returns the paired indices and, at every sampled point of each pair,
/// the largest channel error of `output = 255 - input`.
pub fn invert_errors(shots: &[Shot]) -> (Vec<u32>, Vec<i64>) {
    let inputs: Vec<&Picture> = shots.iter().filter_map(|s| s.input.as_ref()).collect();
    let mut paired = Vec::new();
    let mut errors = Vec::new();
    for output in shots.iter().filter_map(|s| s.output.as_ref()) {
        let Some(index) = output.index else { continue };
        let Some(input) = inputs.iter().find(|i| i.index == Some(index)) else {
            continue;
        };
        paired.push(index);
        for (o, i) in output.px.iter().zip(&input.px) {
            errors.push((0..3).map(|c| (255 - i[c] - o[c]).abs()).max().unwrap_or(0));
        }
    }
    errors.sort_unstable();
    (paired, errors)
}

/// Median and p99 of |picture − `processor` (natively) of the fake camera's
/// frame of its index| at `points`, over the pictures whose index decodes,
/// and how many distinct indices they showed.
pub fn processed_errors(
    processor: &str,
    pictures: &[&Picture],
    points: &[(u32, u32)],
) -> (i64, i64, usize) {
    let registry = Registry::with_builtins();
    let (w, h, fps, _) = FAKE_CAMERA;
    let mut errors = Vec::new();
    let mut indices: Vec<u32> = pictures.iter().filter_map(|p| p.index).collect();
    for picture in pictures {
        let Some(index) = picture.index else { continue };
        let micros = i64::from(index) * 1_000_000 / i64::from(fps);
        let mut expected = synth::moving_frame(w, h, index, micros);
        let mut pipeline = registry.video(processor, &json!({})).expect("a built-in");
        pipeline
            .process(&mut expected)
            .expect("processing natively");
        for (&(x, y), got) in points.iter().zip(&picture.px) {
            let want = expected.pixel(x, y).expect("a point inside the frame");
            errors.extend((0..3).map(|c| (got[c] - i64::from(want[c])).abs()));
        }
    }
    indices.sort_unstable();
    indices.dedup();
    errors.sort_unstable();
    assert!(
        !errors.is_empty(),
        "no {processor} picture had a legible index"
    );
    (
        errors[errors.len() / 2],
        errors[errors.len() * 99 / 100],
        indices.len(),
    )
}
