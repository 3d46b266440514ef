//! Recording and file sources end to end in the demo, on the generated
//! test pattern (receive-only, so frames carry the pattern's index):
//! RECORD gives a WebM that Chromium plays back with its duration and
//! moving frames (decoded in the browser, frame by frame); RECORD INPUT's
//! file, picked as the File… source, plays through the processor.

use std::time::{Duration, Instant};

use framewise::synth::{self, index_strip};
use framewise::VideoFrame;
use framewise_e2e::base64_decode;
use framewise_e2e::camera::{grab, open, wait_playing};
use framewise_e2e::webdriver::Browser;
use serde_json::{json, Value};

/// The pattern's size (small: two browsers recording at once share two
/// cores) and rate.
const SIZE: (u32, u32) = (320, 240);
/// The demo on the pattern at [`SIZE`], through invert, receive-only.
const PAGE: &str =
    "/?processor=invert&source=pattern&stream=recvonly&width=320&height=240&autostart=1";
const PATTERN_FPS: f64 = 30.0;
/// How long each recording runs.
const RECORD_FOR: Duration = Duration::from_secs(3);

/// Loads the recording at `arguments[0]` in a new `<video>` and steps
/// through it by seeking every `arguments[3]` seconds (decoding does not
/// depend on how busy the machine is, as real-time playback would);
/// returns `{duration, w, h, frames: [{t, row, px}]}`: `duration` as the
/// element reports it, and per step the media time, the RGBA of the index
/// strip's middle row (base64) and RGB at the points `arguments[1]`.
const STEP_THROUGH: &str = r#"
const [url, points, stripRows, step] = arguments;
const b64 = (bytes) => { let t = '';
  for (let i = 0; i < bytes.length; i += 0x8000) t += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(t); };
const event = (target, name) => new Promise((done, fail) => {
  target.addEventListener(name, done, { once: true });
  target.addEventListener('error', () => fail(new Error('the recording does not play: ' + (target.error && target.error.message))), { once: true });
});
return (async () => {
  const v = document.createElement('video');
  v.muted = true; v.playsInline = true; v.preload = 'auto';
  const loaded = event(v, 'loadeddata');
  v.src = url;
  document.body.appendChild(v);
  await loaded;
  const duration = v.duration;
  if (!Number.isFinite(duration)) return { duration: String(duration), frames: [] };
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  const frames = [];
  for (let t = step / 2; t < duration && frames.length < 400; t += step) {
    const seeked = event(v, 'seeked');
    v.currentTime = t;
    await seeked;
    ctx.drawImage(v, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const middle = Math.floor(stripRows / 2) * c.width * 4;
    const row = d.subarray(middle, middle + c.width * 4);
    const px = points.map(([x, y]) => { const i = (y * c.width + x) * 4; return [d[i], d[i + 1], d[i + 2]]; });
    frames.push({ t: v.currentTime, row: b64(row), px });
  }
  return { duration, w: c.width, h: c.height, frames };
})().catch((e) => ({ error: String(e) }));
"#;

/// The step between the frames [`STEP_THROUGH`] looks at: two pattern
/// frames and a bit, so each look should find a newer frame.
const STEP_S: f64 = 0.08;

/// Every 20 px over the pattern, below its index strip.
fn points() -> Vec<(u32, u32)> {
    let top = index_strip::height(SIZE.1) + 10;
    (top..SIZE.1)
        .step_by(20)
        .flat_map(|y| (10..SIZE.0).step_by(20).map(move |x| (x, y)))
        .collect()
}

/// One frame of a played-back recording.
struct PlayedFrame {
    media_time: f64,
    index: Option<u32>,
    px: Vec<[i64; 3]>,
}

/// Clicks `button`, records for [`RECORD_FOR`], clicks it again; returns
/// the published `{url, stream, duration}` of the recording.
fn record(browser: &Browser, button: &str) -> Value {
    browser
        .execute("delete document.body.dataset.recordingUrl", &[])
        .expect("clearing the last recording");
    browser.click(button).expect("clicking record");
    let recording = browser
        .execute(
            &format!("return document.querySelector('{button}').dataset.recording"),
            &[],
        )
        .expect("reading the button");
    assert_eq!(recording, "true", "{button} did not start recording");
    std::thread::sleep(RECORD_FOR);
    browser.click(button).expect("clicking stop recording");
    browser
        .wait_for(
            "const d = document.body.dataset; \
             return d.recordingUrl ? {url: d.recordingUrl, stream: d.recordingStream, \
                                      duration: Number(d.recordingDuration)} : null",
            Duration::from_secs(15),
        )
        .expect("no recording was handed to the page")
}

/// Steps through `url` in the page and decodes the frames.
fn play_back(browser: &Browser, url: &str, points: &[(u32, u32)]) -> (f64, Vec<PlayedFrame>) {
    let points_json: Vec<Value> = points.iter().map(|&(x, y)| json!([x, y])).collect();
    let strip_rows = index_strip::height(SIZE.1);
    let played = browser
        .execute(
            STEP_THROUGH,
            &[
                json!(url),
                json!(points_json),
                json!(strip_rows),
                json!(STEP_S),
            ],
        )
        .expect("playing the recording back");
    assert!(played.get("error").is_none(), "{played}");
    let duration = played["duration"].as_f64().unwrap_or(f64::NAN);
    assert!(
        duration.is_finite(),
        "the recording has no duration ({}): a player cannot show its length or seek",
        played["duration"]
    );
    assert_eq!(
        (played["w"].as_u64(), played["h"].as_u64()),
        (Some(u64::from(SIZE.0)), Some(u64::from(SIZE.1))),
        "the recording has another size"
    );
    let frames = played["frames"]
        .as_array()
        .expect("frames")
        .iter()
        .map(|frame| {
            let row = base64_decode(frame["row"].as_str().unwrap_or_default()).unwrap_or_default();
            PlayedFrame {
                media_time: frame["t"].as_f64().unwrap_or(f64::NAN),
                index: strip_index(&row),
                px: serde_json::from_value(frame["px"].clone()).unwrap_or_default(),
            }
        })
        .collect();
    (duration, frames)
}

/// The index written in a strip, from one RGBA row across its middle.
fn strip_index(row: &[u8]) -> Option<u32> {
    if row.len() != SIZE.0 as usize * 4 {
        return None;
    }
    let rgba = row.repeat(SIZE.1 as usize);
    let frame = VideoFrame::from_rgba(SIZE.0, SIZE.1, rgba, 0).ok()?;
    index_strip::read(&frame, false)
}

/// Median and p99 of |pixel - expected(pattern)| over frames paired with
/// the pattern frame of their index.
fn pattern_errors(
    frames: &[(u32, &[[i64; 3]])],
    points: &[(u32, u32)],
    inverted: bool,
) -> (i64, i64) {
    let mut errors = Vec::new();
    for &(index, px) in frames {
        let expected = synth::moving_frame(SIZE.0, SIZE.1, index, 0);
        for (&(x, y), got) in points.iter().zip(px) {
            let want = expected.pixel(x, y).expect("a point inside the frame");
            for c in 0..3 {
                let want = i64::from(want[c]);
                let want = if inverted { 255 - want } else { want };
                errors.push((got[c] - want).abs());
            }
        }
    }
    errors.sort_unstable();
    assert!(
        !errors.is_empty(),
        "no frame could be paired with the pattern"
    );
    (errors[errors.len() / 2], errors[errors.len() * 99 / 100])
}

/// Asserts that the decoded `frames` of `what` show the pattern (inverted,
/// if so) at `points`: median error ≤ 4 and p99 ≤ 24 (VP8 is lossy).
fn assert_pattern(frames: &[PlayedFrame], points: &[(u32, u32)], inverted: bool, what: &str) {
    let paired: Vec<(u32, &[[i64; 3]])> = frames
        .iter()
        .filter_map(|f| Some((f.index?, f.px.as_slice())))
        .collect();
    let (median, p99) = pattern_errors(&paired, points, inverted);
    println!("{what} against the pattern (inverted: {inverted}): median {median}, p99 {p99}");
    assert!(
        median <= 4 && p99 <= 24,
        "{what} is not the pattern (inverted: {inverted}): median {median}, p99 {p99}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_recording_plays_back_with_its_duration_and_moving_frames() {
    let (_server, browser) = open(PAGE);
    wait_playing(&browser);
    let started = Instant::now();
    let recording = record(&browser, ".fw-record");
    let wall = started.elapsed().as_secs_f64();
    println!("recording: {recording} (wall {wall:.2} s)");
    assert_eq!(recording["stream"], "output");

    let points = points();
    let (duration, frames) =
        play_back(&browser, recording["url"].as_str().expect("a URL"), &points);
    let decoded: Vec<(f64, u32)> = frames
        .iter()
        .filter_map(|f| Some((f.media_time, f.index?)))
        .collect();
    let indices: Vec<u32> = decoded.iter().map(|&(_, i)| i).collect();
    println!(
        "duration {duration:.3} s; {} steps, {} decoded: {indices:?}",
        frames.len(),
        decoded.len()
    );

    // The file says how long it is, and that is how long it recorded.
    let published = recording["duration"].as_f64().expect("a duration") / 1000.0;
    assert!(
        (duration - published).abs() < 0.05,
        "the file's duration {duration} is not the one handed over ({published})"
    );
    let recorded = RECORD_FOR.as_secs_f64();
    assert!(
        duration > recorded * 0.5 && duration < wall + 0.2,
        "a {recorded} s recording lasts {duration} s"
    );

    // Every step finds a newer frame, and the pattern's time moves with
    // the media time: no frozen frames, no jumps.
    assert!(
        decoded.len() as f64 >= duration / STEP_S * 0.9,
        "only {} frames of {duration:.1} s were readable",
        decoded.len()
    );
    let frozen = indices.windows(2).filter(|w| w[1] <= w[0]).count();
    assert!(
        frozen <= decoded.len() / 10,
        "{frozen} steps of {STEP_S} s found no newer frame: {indices:?}"
    );
    let (&(t0, i0), &(t1, i1)) = (
        decoded.first().expect("a frame"),
        decoded.last().expect("a frame"),
    );
    let pattern_seconds = f64::from(i1.saturating_sub(i0)) / PATTERN_FPS;
    println!(
        "pattern {pattern_seconds:.2} s in {:.2} s of media; {frozen} steps without a newer frame",
        t1 - t0
    );
    assert!(
        (pattern_seconds - (t1 - t0)).abs() < 0.3 * (t1 - t0).max(0.5),
        "{pattern_seconds:.2} s of pattern play in {:.2} s",
        t1 - t0
    );

    // And they are the processed frames.
    assert_pattern(&frames, &points, true, "the output recording");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_recorded_input_picked_as_a_file_plays_through_the_processor() {
    let (_server, browser) = open(PAGE);
    wait_playing(&browser);
    let recording = record(&browser, ".fw-record-input");
    assert_eq!(recording["stream"], "input");
    let points = points();
    let (duration, frames) =
        play_back(&browser, recording["url"].as_str().expect("a URL"), &points);
    let recorded: Vec<u32> = frames.iter().filter_map(|f| f.index).collect();
    println!(
        "the input recording: {duration:.3} s, {} frames: {recorded:?}",
        frames.len()
    );
    assert_pattern(&frames, &points, false, "the input recording");

    // The visitor picks the file with File… (the same as choosing it in the
    // file dialog), then presses STOP and START.
    let picked = browser
        .execute(
            "const [url] = arguments; \
             return fetch(url).then(r => r.blob()).then(blob => { \
               const input = document.querySelector('.modes.source input[type=file]'); \
               const files = new DataTransfer(); \
               files.items.add(new File([blob], 'pattern.webm', {type: 'video/webm'})); \
               input.files = files.files; \
               input.dispatchEvent(new Event('change', {bubbles: true})); \
               return blob.size; })",
            &[recording["url"].clone()],
        )
        .expect("picking the file");
    println!("picked a {picked} byte recording");
    browser.click(".fw-stop").expect("STOP");
    browser
        .wait_for(
            "return document.querySelector('.fw-streamer').dataset.state === 'idle' || null",
            Duration::from_secs(10),
        )
        .expect("the Streamer did not stop");
    browser.click(".fw-start").expect("START");
    wait_playing(&browser);
    let source = browser
        .execute(
            "return [document.querySelector('.fw-streamer').dataset.source, \
                     !!document.querySelector('.fw-file-box video')]",
            &[],
        )
        .expect("reading the source");
    assert_eq!(source, json!(["file", true]), "the file is not the source");

    let shots = grab(&browser, &points, 30);
    let outputs: Vec<(u32, &[[i64; 3]])> = shots
        .iter()
        .filter_map(|s| s.output.as_ref())
        .filter_map(|p| Some((p.index?, p.px.as_slice())))
        .collect();
    let mut indices: Vec<u32> = outputs.iter().map(|&(i, _)| i).collect();
    println!("output indices: {indices:?}");
    indices.dedup();
    assert!(
        indices.len() >= 5,
        "the file does not play through: {indices:?}"
    );
    let (median, p99) = pattern_errors(&outputs, &points, true);
    println!("|output - (255 - pattern)|: median {median}, p99 {p99}");
    assert!(
        median <= 4 && p99 <= 24,
        "the output is not the file's pattern inverted: median {median}, p99 {p99}"
    );
}
