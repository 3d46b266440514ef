//! The Streamer when things are missing or break, in headless Chromium
//! with the fake camera playing our generated video (see `camera.rs`):
//! the fallback path when `MediaStreamTrackProcessor`/`Generator` are
//! removed before the page runs, a crashed worker restarted (and three
//! crashes within 10 s stopping with a message), a worker script that
//! does not load or a worker that never says Ready stopping with a
//! message, STOP terminating the worker and ending every track.

use std::time::Duration;

use framewise_e2e::camera::{self, grab, grid, open_with, wait_for_stats, wait_playing};
use framewise_e2e::webdriver::Browser;
use serde_json::{json, Value};

/// Removes the track processor and generator before the page runs: the
/// Streamer must take its fallback path.
const NO_TRACK_PROCESSOR: &str = r#"
delete window.MediaStreamTrackProcessor;
delete window.MediaStreamTrackGenerator;
"#;

/// Keeps every `Worker` the page creates in `window.__fwWorkers` and
/// counts the live ones (created, not terminated) in
/// `window.__fwLiveWorkers`.
const WORKERS: &str = r#"
(() => {
  const Original = window.Worker;
  window.__fwWorkers = [];
  window.__fwLiveWorkers = 0;
  window.Worker = class extends Original {
    constructor(...args) {
      super(...args);
      this.__fwLive = true;
      // How many messages of each type this worker posted, for reports.
      this.__fwSaid = {};
      this.addEventListener('message', (event) => {
        let type = '?';
        try { type = JSON.parse(event.data.json).type; } catch (_) {}
        this.__fwSaid[type] = (this.__fwSaid[type] || 0) + 1;
      });
      window.__fwWorkers.push(this);
      window.__fwLiveWorkers += 1;
    }
    terminate() {
      if (this.__fwLive) { this.__fwLive = false; window.__fwLiveWorkers -= 1; }
      super.terminate();
    }
  };
})();
"#;

/// An init script (after [`WORKERS`]) that makes every `Worker` the page
/// creates run the script at `url` (a JS expression) instead.
fn workers_run(url: &str) -> String {
    format!(
        "(() => {{ const Counted = window.Worker; \
           window.Worker = class extends Counted {{ \
             constructor(_url, options) {{ super({url}, options); }} }}; }})();"
    )
}

/// The Streamer's `data-*` report: `[path, restarts, state]`.
fn streamer(browser: &Browser) -> Value {
    browser
        .execute(
            "const s = document.querySelector('.fw-streamer'); \
             return s ? [s.dataset.path, s.dataset.restarts, s.dataset.state] : null",
            &[],
        )
        .expect("reading the Streamer")
}

/// Output = 255 − input on frames paired by index.
fn assert_inverted(browser: &Browser) {
    camera::assert_inverted(&grab(browser, &grid(20), 24));
}

/// STOP terminates every worker and ends every camera track.
fn assert_stop_releases_everything(browser: &Browser) {
    browser.click(".fw-stop").expect("clicking STOP");
    assert_released(browser, "idle");
}

/// No live worker, every camera track ended, the camera state `state`.
fn assert_released(browser: &Browser, state: &str) {
    let released = browser.wait_for(
        &format!(
            "const tracks = window.__fwTracks; \
             return window.__fwLiveWorkers === 0 && tracks.length > 0 \
               && tracks.every((t) => t.readyState === 'ended') \
               && document.body.dataset.cameraState === '{state}'"
        ),
        Duration::from_secs(5),
    );
    let report = browser
        .execute(
            "return [window.__fwLiveWorkers, window.__fwWorkers.length, \
               window.__fwTracks.map((t) => t.readyState), \
               document.body.dataset.cameraState]",
            &[],
        )
        .unwrap_or(Value::Null);
    println!("live workers, workers created, tracks, state: {report}");
    assert!(released.is_ok(), "not released: {report}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_fallback_path_inverts_when_the_track_processor_is_missing() {
    let (_server, browser) = open_with(
        "/?processor=invert&mode=camera&autostart=1",
        &[NO_TRACK_PROCESSOR, WORKERS],
    );
    let missing = browser
        .execute("return typeof MediaStreamTrackProcessor", &[])
        .unwrap();
    assert_eq!(missing, "undefined");
    wait_playing(&browser);
    assert_eq!(streamer(&browser)[0], "fallback");
    assert_inverted(&browser);
    let stats = wait_for_stats(&browser, 20);
    println!("fallback stats: {stats}");
    assert_eq!(stats["path"], "fallback");
    let number = |name: &str| stats[name].as_f64().unwrap_or(f64::NAN);
    assert!(
        number("input_fps") > 5.0 && number("output_fps") > 5.0,
        "{stats}"
    );
    assert_stop_releases_everything(&browser);
    let console = browser.console().unwrap_or_default();
    assert!(
        !console.contains("without being closed"),
        "a VideoFrame was not closed: {console}"
    );
}

/// Makes the newest worker panic through the documented test hook
/// (`ToWorker::Crash`).
fn crash(browser: &Browser) {
    browser
        .execute(
            "window.__fwWorkers.at(-1).postMessage({ json: JSON.stringify({ type: 'crash' }) }); \
             return true",
            &[],
        )
        .expect("crashing the worker");
}

/// Waits until the Streamer reports `restarts` restarts and plays again.
fn wait_restarted(browser: &Browser, restarts: u32) {
    browser
        .wait_for(
            &format!(
                "const s = document.querySelector('.fw-streamer'); \
                 return s.dataset.restarts === '{restarts}' && s.dataset.state === 'playing' \
                   && window.__fwLiveWorkers === 1"
            ),
            Duration::from_secs(15),
        )
        .unwrap_or_else(|_| panic!("no restart {restarts}: {}", report(browser)));
}

/// What the page shows and what each worker posted, for a failure message.
fn report(browser: &Browser) -> String {
    let workers = browser
        .execute(
            "return window.__fwWorkers.map((w) => ({ live: w.__fwLive, said: w.__fwSaid }))",
            &[],
        )
        .unwrap_or_default();
    let warning = browser
        .execute(
            "const e = document.querySelector('.fw-error'); return e ? e.textContent : null",
            &[],
        )
        .unwrap_or_default();
    let console = browser.console().unwrap_or_default();
    format!(
        "streamer {}, workers {workers}, warning {warning}\nconsole:\n{console}",
        streamer(browser)
    )
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_crashed_worker_is_restarted_and_three_crashes_stop_with_a_message() {
    let (_server, browser) = open_with("/?processor=invert&mode=camera&autostart=1", &[WORKERS]);
    wait_playing(&browser);
    assert_eq!(
        streamer(&browser),
        json!(["track-processor", "0", "playing"])
    );

    crash(&browser);
    wait_restarted(&browser, 1);
    let warning = browser
        .execute(
            "return document.querySelector('.fw-error').textContent",
            &[],
        )
        .unwrap();
    println!("after one crash: {warning}");
    assert!(
        warning
            .as_str()
            .is_some_and(|t| t.contains("failed") && t.contains("restarted")),
        "{warning}"
    );
    // Processing goes on in the new worker, from the same camera.
    assert_inverted(&browser);
    let calls = browser.execute("return window.__fwGumCalls", &[]).unwrap();
    assert_eq!(calls, 1, "the restart asked for the camera again");

    crash(&browser);
    wait_restarted(&browser, 2);
    crash(&browser);
    let state = wait_failed(&browser, Duration::from_secs(10));
    println!("after three crashes: {state}");
    assert!(state.contains("failed 3 times within 10 s"), "{state}");
    assert_released(&browser, "failed");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn stop_terminates_the_worker_and_ends_every_track() {
    let (_server, browser) = open_with("/?processor=invert&mode=camera&autostart=1", &[WORKERS]);
    wait_playing(&browser);
    let live = browser
        .execute("return window.__fwLiveWorkers", &[])
        .unwrap();
    assert_eq!(live, 1);
    assert_stop_releases_everything(&browser);
}

/// Waits until the Streamer failed and returns its message.
fn wait_failed(browser: &Browser, within: Duration) -> String {
    let message = browser
        .wait_for(
            "return document.body.dataset.cameraState === 'failed' \
               && document.body.dataset.cameraError",
            within,
        )
        .unwrap_or_else(|_| panic!("the Streamer did not fail: {}", report(browser)));
    message.as_str().unwrap_or_default().to_owned()
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_worker_script_that_does_not_load_stops_with_a_message() {
    let missing = workers_run("'/no-such-worker.js'");
    let (_server, browser) = open_with(
        "/?processor=invert&mode=camera&autostart=1",
        &[WORKERS, &missing],
    );
    let message = wait_failed(&browser, Duration::from_secs(20));
    println!("{message}");
    assert!(
        message.contains("its script did not load") && message.contains("worker script"),
        "{message}"
    );
    assert_released(&browser, "failed");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_worker_that_never_says_ready_stops_with_a_message() {
    // A script that loads and then does nothing, like a worker whose wasm
    // never arrives.
    let silent =
        workers_run("URL.createObjectURL(new Blob(['// silent'], { type: 'text/javascript' }))");
    let (_server, browser) = open_with(
        "/?processor=invert&mode=camera&autostart=1",
        &[WORKERS, &silent],
    );
    let message = wait_failed(&browser, Duration::from_secs(25));
    println!("{message}");
    assert!(message.contains("did not start within 10 s"), "{message}");
    assert_released(&browser, "failed");
}
