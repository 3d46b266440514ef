//! The browser side of `cargo xtask bench modes`: the release demo's fork
//! and mix pages in headless Chromium on the fake camera (our generated
//! video at 640×480, [`FPS`]), measured **at the display**.
//!
//! Each scenario's page is loaded with `&autostart=1` (and `&input=0`:
//! outputs only); once every output `<video>` has a picture and after
//! [`WARM_UP`], every `requestVideoFrameCallback` of each output is
//! recorded for the window with its `presentedFrames` and a hash of its
//! picture downscaled to [`HASH_SIZE`].
//!
//! - `output_fps_min`: frames presented per second of the window (the
//!   growth of `presentedFrames`), on the slowest output (a fork's
//!   slowest branch; a mix has one output). Each frame a worker writes is
//!   a new processed frame. Counting new pictures at the callbacks instead
//!   (printed beside it) undercounts here: headless Chromium without a
//!   GPU runs a page's rendering steps at about 30 Hz while several videos
//!   play, and two frames in one step give one callback;
//! - `latency_ms_p50`: the largest, over the outputs, of the median the
//!   Streamer reports as the latency processing adds (camera frame in to
//!   processed frame out, waiting included; `latency_ms_p50` of its
//!   stats, sampled once a second): Canny does not keep the frame-index
//!   strip, so index latency cannot be read at the display;
//! - `server_cpu_pct`: null, no server is involved.

use std::io;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::bench_local::{camera_file, new_pictures, percentile, FPS, HASH_SIZE, WARM_UP};
use crate::webdriver::Browser;
use crate::StaticServer;

/// The measuring window in seconds unless told otherwise.
pub const DEFAULT_SECONDS: u64 = 20;
/// The camera's size.
pub const SIZE: (u32, u32) = (640, 480);

/// One scenario: a page and what to read on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its name in `target/bench/modes.json`.
    pub name: &'static str,
    /// The page's path and query.
    pub query: String,
    /// Selectors of the output `<video>`s.
    pub outputs: Vec<String>,
    /// `<body>` data attributes (camelCase) holding each output's stats.
    pub stats: Vec<String>,
}

/// `fork2` and `fork4` (Canny on every branch of one camera) and `mix4`
/// (the camera twice and the test pattern twice in one grid, Canny on the
/// mix).
pub fn scenarios() -> Vec<Scenario> {
    let fork = |name, branches: usize| Scenario {
        name,
        query: format!(
            "/?page=fork&branches={}&input=0&autostart=1",
            vec!["canny"; branches].join(",")
        ),
        outputs: (0..branches)
            .map(|i| format!("#fork-{i} video.fw-output"))
            .collect(),
        stats: (0..branches).map(|i| format!("fork{i}Stats")).collect(),
    };
    vec![
        fork("fork2", 2),
        fork("fork4", 4),
        Scenario {
            name: "mix4",
            query: "/?page=mix&inputs=camera,pattern,camera,pattern&processor=canny&input=0&autostart=1"
                .into(),
            outputs: vec!["#mix video.fw-output".into()],
            stats: vec!["cameraStats".into()],
        },
    ]
}

/// Installed once every output plays: per output, one `[hash,
/// presentedFrames]` per rVFC while `window.__fwModes.on`.
const SETUP: &str = r#"
const [selectors, hashW, hashH] = arguments;
const c = document.createElement('canvas'); c.width = hashW; c.height = hashH;
const x = c.getContext('2d', { willReadFrequently: true });
const hash = (v) => {
  x.drawImage(v, 0, 0, hashW, hashH);
  const d = x.getImageData(0, 0, hashW, hashH).data;
  let h = 0x811c9dc5;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 0x01000193);
  return h >>> 0;
};
const M = window.__fwModes = { on: false, start: 0, pictures: selectors.map(() => []) };
for (const [i, s] of selectors.entries()) {
  const v = document.querySelector(s);
  if (!v || !v.requestVideoFrameCallback) return 'no video with requestVideoFrameCallback at ' + s;
  const f = (now, meta) => { if (M.on) M.pictures[i].push([hash(v), meta.presentedFrames]); v.requestVideoFrameCallback(f); };
  v.requestVideoFrameCallback(f);
}
return 'ok';
"#;

/// Measures `scenario` for `seconds` on the demo build at `dist`: the
/// row of `target/bench/modes.json` and a line of diagnostics.
pub fn measure(dist: &Path, scenario: &Scenario, seconds: u64) -> io::Result<(Value, String)> {
    let server = StaticServer::start(dist)?;
    let camera = camera_file(SIZE.0, SIZE.1)?;
    let camera = format!("--use-file-for-fake-video-capture={}", camera.display());
    let browser = Browser::start(&[camera.as_str(), "--window-size=1600,1000"])?;
    browser.goto(&server.url(&scenario.query))?;
    let selectors = json!(scenario.outputs);
    wait_for_pictures(&browser, &selectors)?;
    std::thread::sleep(WARM_UP);
    let (hw, hh) = HASH_SIZE;
    let setup = browser.execute(SETUP, &[selectors, json!(hw), json!(hh)])?;
    if setup != json!("ok") {
        return Err(io::Error::other(format!("measuring script: {setup}")));
    }
    browser.execute(
        "const M = window.__fwModes; M.on = true; M.start = performance.now(); return null",
        &[],
    )?;
    let mut latencies: Vec<Vec<f64>> = vec![Vec::new(); scenario.stats.len()];
    let mut input_fps = Vec::new();
    for _ in 0..seconds {
        std::thread::sleep(Duration::from_secs(1));
        for (i, name) in scenario.stats.iter().enumerate() {
            let stats = read_stats(&browser, name)?;
            if let Some(ms) = stats["latency_ms_p50"].as_f64() {
                latencies[i].push(ms);
            }
            if let Some(fps) = stats["input_fps"].as_f64() {
                input_fps.push(fps);
            }
        }
    }
    let end = browser.execute(
        "const M = window.__fwModes; M.on = false; \
         return {ms: performance.now() - M.start, pictures: M.pictures}",
        &[],
    )?;
    let window_s = end["ms"].as_f64().unwrap_or(0.0) / 1000.0;
    let outputs = end["pictures"].as_array().cloned().unwrap_or_default();
    let per_second = |n: f64| n / window_s.max(1e-9);
    let (fps, hashed): (Vec<f64>, Vec<f64>) = outputs
        .iter()
        .map(|list| {
            let records = list.as_array().cloned().unwrap_or_default();
            let presented: Vec<u64> = records.iter().filter_map(|r| r[1].as_u64()).collect();
            let span = match (presented.first(), presented.last()) {
                (Some(first), Some(last)) => last.saturating_sub(*first) as f64,
                _ => 0.0,
            };
            let new = new_pictures(records.iter().filter_map(|r| r[0].as_u64()));
            (per_second(span), per_second(new as f64))
        })
        .unzip();
    let latency = latencies
        .iter()
        .filter_map(|l| percentile(l, 50.0))
        .fold(None, |worst: Option<f64>, ms| {
            Some(worst.map_or(ms, |w| w.max(ms)))
        });
    let round = |v: f64| (v * 100.0).round() / 100.0;
    let fps_min = fps.iter().copied().fold(f64::INFINITY, f64::min);
    let row = json!({
        "scenario": scenario.name,
        "output_fps_min": fps_min.is_finite().then(|| round(fps_min)),
        "latency_ms_p50": latency.map(round),
        "server_cpu_pct": null,
    });
    let list = |values: &[f64]| {
        let text: Vec<String> = values.iter().map(|f| format!("{f:.1}")).collect();
        text.join(", ")
    };
    let info = format!(
        "{}: presented fps per output [{}], new pictures seen by rVFC per second [{}] over \
         {window_s:.1} s; worker input fps p50 {}; camera {}×{} at {FPS} fps",
        scenario.name,
        list(&fps),
        list(&hashed),
        percentile(&input_fps, 50.0).map_or("-".into(), |f| format!("{f:.1}")),
        SIZE.0,
        SIZE.1,
    );
    Ok((row, info))
}

/// Waits up to 40 s for every output of `selectors` to have a picture.
fn wait_for_pictures(browser: &Browser, selectors: &Value) -> io::Result<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    loop {
        let ready = browser.execute(
            "const [selectors] = arguments; \
             return selectors.every(s => (document.querySelector(s) || {}).videoWidth > 0)",
            std::slice::from_ref(selectors),
        )?;
        if ready == json!(true) {
            return Ok(ready);
        }
        if std::time::Instant::now() > deadline {
            return Err(io::Error::other(format!(
                "the outputs {selectors} never played"
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The Streamer stats published as `data-{name}`, or null.
fn read_stats(browser: &Browser, name: &str) -> io::Result<Value> {
    let text = browser.execute(&format!("return document.body.dataset.{name} || null"), &[])?;
    Ok(text
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scenarios_are_the_issue_s() {
        let names: Vec<&str> = scenarios().iter().map(|s| s.name).collect();
        assert_eq!(names, ["fork2", "fork4", "mix4"]);
        let fork4 = &scenarios()[1];
        assert_eq!(fork4.outputs.len(), 4);
        assert_eq!(fork4.stats[3], "fork3Stats");
        assert!(fork4.query.contains("branches=canny,canny,canny,canny"));
    }
}
