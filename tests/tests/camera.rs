//! The camera pipeline end to end: the demo in camera mode in headless
//! Chromium whose fake camera plays our generated video
//! ([`framewise_e2e::fake_camera_file`]: moving shapes, the frame index in a
//! strip on top, 640×480 at 30 fps), START clicked through WebDriver, the
//! processor running in the worker on every frame, pixels checked. Input
//! and output pictures are paired by the index the test decodes natively
//! (`index_strip::read`) from the strip rows the page returns.

use std::time::Duration;

use framewise::synth;
use framewise_e2e::camera::{
    assert_inverted, grab, grid, luma, open, reported_frames, start_and_expect_failure,
    wait_for_stats, wait_playing, wait_reported_frames, Picture,
};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{
    dist_dir, fake_camera_flag, flags_replacing, StaticServer, FAKE_CAMERA, NO_DNS,
};
use serde_json::{json, Value};

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn invert_is_255_minus_the_input_frame_with_the_same_index() {
    let (_server, browser) = open("/?processor=invert&mode=camera");
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
    wait_playing(&browser);
    let calls = browser.execute("return window.__fwGumCalls", &[]).unwrap();
    assert_eq!(calls, 1);

    // Pair output frames with input frames by their decoded index: the
    // video is deterministic, so the same index has the same picture.
    let shots = grab(&browser, &grid(20), 24);
    let inputs: Vec<&Picture> = shots.iter().filter_map(|s| s.input.as_ref()).collect();
    let outputs: Vec<&Picture> = shots.iter().filter_map(|s| s.output.as_ref()).collect();
    assert!(outputs.iter().all(|o| o.size == (640, 480)), "output size");
    let decoded = |pictures: &[&Picture]| pictures.iter().filter(|p| p.index.is_some()).count();
    println!(
        "decoded indices: {} of {} inputs, {} of {} outputs",
        decoded(&inputs),
        inputs.len(),
        decoded(&outputs),
        outputs.len()
    );
    assert_inverted(&shots);

    // Stats are plausible.
    let stats = wait_for_stats(&browser, 20);
    println!("stats: {stats}");
    let number = |name: &str| stats[name].as_f64().unwrap_or(f64::NAN);
    let (input_fps, output_fps) = (number("input_fps"), number("output_fps"));
    assert!(
        output_fps > 0.0 && output_fps <= input_fps + 1.0,
        "output {output_fps} fps, input {input_fps} fps"
    );
    let first = number("first_frame_ms");
    assert!(
        first > 0.0 && first < 5000.0,
        "first frame after {first} ms"
    );
    assert!(stats["dropped"].as_u64().is_some(), "dropped: {stats}");
    assert!(
        number("process_ms_p95") >= number("process_ms_p50"),
        "p95 < p50: {stats}"
    );
    assert_eq!(stats["runs_at"], "local");
    let overlay = browser
        .execute(
            "return (document.querySelector('.fw-output-box .fw-stats') || {}).textContent || ''",
            &[],
        )
        .unwrap();
    println!("overlay: {overlay}");
    assert!(
        overlay
            .as_str()
            .is_some_and(|t| t.contains("fps") && t.contains("dropped")),
        "no stats overlay on the output: {overlay}"
    );

    // STOP ends every track and clears the output.
    browser.click(".fw-stop").unwrap();
    let ended = browser
        .wait_for(
            "const tracks = window.__fwTracks; \
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
fn grayscale_output_has_equal_channels() {
    let (_server, browser) = open("/?processor=grayscale&mode=camera&autostart=1");
    wait_playing(&browser);
    let shots = grab(&browser, &grid(20), 4);
    let outputs: Vec<&Picture> = shots.iter().filter_map(|s| s.output.as_ref()).collect();
    assert!(!outputs.is_empty(), "no output picture");
    let mut worst = 0;
    let mut lumas = Vec::new();
    for p in outputs.iter().flat_map(|o| &o.px) {
        worst = worst.max(
            (p[0] - p[1])
                .abs()
                .max((p[1] - p[2]).abs())
                .max((p[0] - p[2]).abs()),
        );
        lumas.push(luma(p));
    }
    println!("grayscale: largest channel spread {worst}");
    assert!(
        worst <= 2,
        "output is not grey (channels differ by {worst})"
    );
    // Not a flat picture: the shapes are there.
    let (lo, hi) = (lumas.iter().min(), lumas.iter().max());
    assert!(
        matches!((lo, hi), (Some(lo), Some(hi)) if hi - lo > 60),
        "the grey output is flat: {lo:?}..{hi:?}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn canny_finds_the_still_rectangle_and_nothing_in_flat_areas() {
    let (_server, browser) = open("/?processor=canny&mode=camera&autostart=1");
    wait_playing(&browser);
    let (w, h, _, _) = FAKE_CAMERA;
    let (x0, y0, x1, y1) = synth::still_rect(w, h);
    // Border points, each with a ±3 px run across the border.
    let mut borders: Vec<Vec<(u32, u32)>> = Vec::new();
    for y in (y0 + 10..y1 - 10).step_by(10) {
        borders.push((x0 - 3..=x0 + 3).map(|x| (x, y)).collect());
        borders.push((x1 - 4..=x1 + 2).map(|x| (x, y)).collect());
    }
    for x in (x0 + 10..x1 - 10).step_by(10) {
        borders.push((y0 - 3..=y0 + 3).map(|y| (x, y)).collect());
        borders.push((y1 - 4..=y1 + 2).map(|y| (x, y)).collect());
    }
    // Flat background far from every shape (the disc moves at y < h/2, the
    // square at x in [3w/5, 3w/5 + h/6)).
    let flat: Vec<(u32, u32)> = grid(10)
        .into_iter()
        .filter(|&(x, y)| {
            y > h / 2 + 40 && ((x > x1 + 40 && x + 40 < w * 3 / 5) || x > w * 3 / 5 + h / 6 + 40)
        })
        .collect();
    let mut points: Vec<(u32, u32)> = borders.iter().flatten().copied().collect();
    let border_points = points.len();
    points.extend(&flat);
    let shots = grab(&browser, &points, 3);
    let output = shots
        .iter()
        .rev()
        .find_map(|s| s.output.clone())
        .expect("no output picture");
    let px = &output.px;
    let mut offset = 0;
    let mut found = 0;
    for run in &borders {
        let brightest = px[offset..offset + run.len()]
            .iter()
            .map(luma)
            .max()
            .unwrap_or(0);
        offset += run.len();
        found += usize::from(brightest >= 128);
    }
    let lit = px[border_points..].iter().filter(|p| luma(p) > 40).count();
    println!(
        "canny: edges at {found} of {} border runs; {lit} of {} flat points lit",
        borders.len(),
        flat.len()
    );
    assert!(
        found * 10 >= borders.len() * 9,
        "edges missing on the still rectangle's borders ({found} of {})",
        borders.len()
    );
    assert!(flat.len() > 100, "too few flat points ({})", flat.len());
    assert_eq!(lit, 0, "edges in flat areas");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_slider_change_takes_effect_within_a_few_frames() {
    let (_server, browser) = open("/?processor=brightness-contrast&mode=camera&autostart=1");
    wait_playing(&browser);
    // Flat background points (see the Canny test).
    let flat: Vec<(u32, u32)> = vec![(260, 330), (300, 400), (560, 330), (600, 450)];
    let level = |p: &Picture| p.px.iter().map(luma).sum::<i64>() / p.px.len().max(1) as i64;
    let before: Vec<i64> = grab(&browser, &flat, 3)
        .iter()
        .filter_map(|s| s.output.as_ref().map(level))
        .collect();
    println!("output level before: {before:?}");
    // Move the demo's brightness slider to +100.
    browser
        .execute(
            "const s = document.getElementById('fw-brightness-contrast-brightness'); \
             s.value = '100'; s.dispatchEvent(new Event('input', { bubbles: true })); return true",
            &[],
        )
        .unwrap();
    let after: Vec<i64> = grab(&browser, &flat, 12)
        .iter()
        .filter_map(|s| s.output.as_ref().map(level))
        .collect();
    println!("output level on the next frames: {after:?}");
    let base = before.iter().copied().max().unwrap_or(0);
    let changed = after.iter().position(|&l| l >= base + 70);
    println!("changed after {changed:?} output frames");
    assert!(
        changed.is_some_and(|n| n <= 6),
        "the brightness change did not show within 6 frames: {before:?} then {after:?}"
    );
    assert!(
        after.iter().rev().take(3).all(|&l| l >= base + 70),
        "the change did not last: {after:?}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_denied_permission_shows_the_error() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let flags = flags_replacing("--use-fake-ui-for-media-stream", None);
    let camera = fake_camera_flag().unwrap();
    let browser = Browser::launch(&flags, &[&camera, "--deny-permission-prompts"]).unwrap();
    browser
        .goto(&server.url("/?processor=invert&mode=camera"))
        .unwrap();
    let shown = start_and_expect_failure(&browser);
    assert!(shown.contains("permission was denied"), "{shown}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn an_insecure_page_says_https_or_localhost_is_needed() {
    // A host name that is not localhost makes a plain-http page insecure;
    // it resolves to 127.0.0.1, so nothing leaves the machine.
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let camera = fake_camera_flag().unwrap();
    let rules = "--host-resolver-rules=MAP framewise.test 127.0.0.1, MAP * ~NOTFOUND, \
                 EXCLUDE localhost, EXCLUDE 127.0.0.1";
    let browser = Browser::launch(&flags_replacing(NO_DNS, Some(rules)), &[&camera]).unwrap();
    let url = server
        .url("/?processor=invert&mode=camera")
        .replace("127.0.0.1", "framewise.test");
    browser.goto(&url).unwrap();
    let secure = browser
        .execute("return window.isSecureContext", &[])
        .unwrap();
    assert_eq!(secure, false, "the page should be an insecure context");
    let shown = start_and_expect_failure(&browser);
    assert!(
        shown.contains("HTTPS") && shown.contains("localhost"),
        "{shown}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn no_camera_says_connect_one() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let flags = flags_replacing(
        "--use-fake-device-for-media-stream",
        Some("--use-fake-device-for-media-stream=device-count=0"),
    );
    let browser = Browser::launch(&flags, &[]).unwrap();
    browser
        .goto(&server.url("/?processor=invert&mode=camera"))
        .unwrap();
    let shown = start_and_expect_failure(&browser);
    assert!(shown.contains("No camera"), "{shown}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn every_video_frame_is_closed() {
    let (_server, browser) = open("/?processor=invert&mode=camera&autostart=1");
    wait_playing(&browser);
    // The worker counts the VideoFrames it holds (camera frames read,
    // output frames made, minus those closed); a leak grows it by one a
    // frame. Sample it over about 150 frames.
    let mut samples = Vec::new();
    let mut frames = 0;
    for _ in 0..25 {
        let stats = wait_for_stats(&browser, frames + 1);
        frames = stats["frames"].as_u64().unwrap_or(0) as u32;
        samples.push(
            stats["open_frames"]
                .as_u64()
                .expect("open_frames in the stats"),
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("open frames over {frames} frames: {samples:?}");
    assert!(frames >= 100, "only {frames} frames processed");
    assert!(
        samples.iter().all(|&open| open <= 3),
        "the worker holds more VideoFrames than the slot, the frame in flight and its output: \
         {samples:?}"
    );
    let console = browser.console().unwrap_or_default();
    assert!(
        !console.contains("garbage collected without being closed"),
        "Chromium reports unclosed VideoFrames: {console}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn autostart_plays_without_a_click_and_results_reach_the_page() {
    // `autostart=1` sets the Streamer's `playing` prop: programmatic start.
    let (_server, browser) = open("/?processor=frame-stats&mode=camera&autostart=1");
    wait_playing(&browser);
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

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_camera_view_can_be_hidden_and_shown_while_running() {
    let (_server, browser) = open("/?processor=invert&mode=camera&input=0&autostart=1");
    wait_playing(&browser);
    let has_view = |b: &Browser| {
        b.execute(
            "return document.querySelector('video.fw-input') !== null",
            &[],
        )
        .unwrap()
    };
    assert_eq!(has_view(&browser), false, "&input=0 shows no camera view");

    // Shown while running: it plays the open camera, frame for frame the
    // input of the inverted output.
    browser.click(".input-toggle input").unwrap();
    browser
        .wait_for(
            "const v = document.querySelector('video.fw-input'); \
             return v !== null && v.videoWidth > 0 && v.currentTime > 0.2",
            Duration::from_secs(10),
        )
        .expect("the camera view does not play");
    assert_inverted(&grab(&browser, &grid(20), 24));
    let calls = browser.execute("return window.__fwGumCalls", &[]).unwrap();
    assert_eq!(calls, 1, "showing the view reopened the camera");

    // Hidden again: the output goes on.
    browser.click(".input-toggle input").unwrap();
    browser
        .wait_for(
            "return document.querySelector('video.fw-input') === null",
            Duration::from_secs(5),
        )
        .expect("the camera view stayed");
    let before = reported_frames(&browser);
    assert!(
        wait_reported_frames(&browser, before + 10, Duration::from_secs(10)),
        "the output stopped when the camera view was hidden"
    );
    let state = browser
        .execute("return document.body.dataset.cameraState", &[])
        .unwrap();
    assert_eq!(state, "playing");
}
