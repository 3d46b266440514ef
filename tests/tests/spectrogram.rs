//! Audio in, video out: the `spectrogram` processor draws the microphone
//! as the output video. With a 1 kHz tone as the microphone, the output's
//! brightest rows at its right edge (the newest columns) are the rows of
//! 1 kHz, locally (the worker hears the microphone) and through the
//! server (it hears the Opus the browser sends). The still-image view
//! draws the demo's sweep, bit-identical to the native run.

use std::time::Duration;

use framewise::processors::video::spectrogram::frequency_at_row;
use framewise::{synth, AudioFrame, Registry};
use framewise_e2e::audio::{open_page, open_remote_page, warning};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{fnv1a_hex, microphone_flag, run_demo};
use serde_json::{json, Value};

const TONE_HZ: f64 = 1000.0;

/// The output `<video>`'s picture: the middle of its brightest rows
/// (each row's luma summed over the last 16 columns; rows within 2 % of
/// the brightest count), its height, and the sum over the brightest row
/// (0 while the picture is dark).
const BRIGHTEST_ROWS: &str = r#"
const video = document.querySelector('video.fw-output');
const [w, h] = [video.videoWidth, video.videoHeight];
if (!w || !h) return null;
const canvas = document.createElement('canvas');
[canvas.width, canvas.height] = [w, h];
const context = canvas.getContext('2d');
context.drawImage(video, 0, 0);
const data = context.getImageData(w - 16, 0, 16, h).data;
const sums = [];
for (let y = 0; y < h; y++) {
  let sum = 0;
  for (let x = 0; x < 16; x++) {
    const i = 4 * (y * 16 + x);
    sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  }
  sums.push(sum);
}
const top = Math.max(...sums);
const rows = sums.map((s, y) => [s, y]).filter(([s]) => s >= 0.98 * top).map(([, y]) => y);
return { row: rows.reduce((a, b) => a + b, 0) / rows.length, height: h, top };
"#;

fn tone_microphone() -> String {
    let wav = synth::wav(48_000, 1, 4.0, TONE_HZ);
    microphone_flag("tone-1000-4s", &wav).expect("writing the tone")
}

/// Waits until the output shows a line (brighter than a dark picture),
/// then lets it settle and returns the frequency its rows stand for.
fn drawn_frequency(browser: &Browser) -> f64 {
    let lit = browser.wait_for(
        &format!(
            "const r = (() => {{ {BRIGHTEST_ROWS} }})(); return r && r.top > 16 * 120 ? r : null"
        ),
        Duration::from_secs(20),
    );
    assert!(
        lit.is_ok(),
        "the output never showed the tone: {}",
        warning(browser)
    );
    std::thread::sleep(Duration::from_secs(2));
    let found: Value = browser
        .execute(BRIGHTEST_ROWS, &[])
        .expect("reading the output");
    let (row, height) = (
        found["row"].as_f64().expect("a row"),
        found["height"].as_f64().expect("a height"),
    );
    let hz = frequency_at_row(row.round() as u32, height as u32, 48_000);
    println!("brightest rows around {row:.1} of {height}: {hz:.0} Hz");
    hz
}

#[test]
#[ignore = "needs a trunk build of www/ and Chromium; `cargo xtask test` runs it"]
fn the_spectrogram_draws_the_microphone_in_the_browser() {
    let query = "/?processor=spectrogram&mode=camera&autostart=1";
    let (_server, browser) = open_page(query, &tone_microphone(), &[]);
    let hz = drawn_frequency(&browser);
    assert!((hz / TONE_HZ - 1.0).abs() < 0.05, "{hz} Hz, not {TONE_HZ}");
}

#[test]
#[ignore = "needs a trunk build of www/, framewise-server and Chromium; `cargo xtask test` runs it"]
fn the_spectrogram_draws_the_microphone_on_the_server() {
    let query = "/?processor=spectrogram&mode=camera&autostart=1&placement=remote";
    let (_server, browser) = open_remote_page(query, &tone_microphone());
    let runs_at = browser
        .wait_for(
            "const s = document.querySelector('.fw-streamer'); \
             return s && s.dataset.runsAt === 'remote' ? 'remote' : null",
            Duration::from_secs(30),
        )
        .unwrap_or_default();
    assert_eq!(runs_at, "remote", "{}", warning(&browser));
    let hz = drawn_frequency(&browser);
    assert!((hz / TONE_HZ - 1.0).abs() < 0.05, "{hz} Hz, not {TONE_HZ}");
}

#[test]
#[ignore = "needs a trunk build of www/ and Chromium; `cargo xtask test` runs it"]
fn the_still_view_draws_the_demo_sweep_as_native_does() {
    let page = run_demo("spectrogram").unwrap();
    assert_eq!(page["status"], "ok", "page error: {:?}", page.get("error"));
    let mut pipeline = Registry::with_builtins()
        .video("spectrogram", &json!({}))
        .unwrap();
    let sweep = synth::chirp(48_000, 4.0, 100.0, 6_400.0, 0.5);
    for block in sweep.samples().chunks(480) {
        pipeline.hear(&AudioFrame::new(48_000, 1, block.to_vec(), 0).unwrap());
    }
    let mut native = synth::textured_frame(640, 480, 1);
    pipeline.process(&mut native).unwrap();
    assert_eq!(page["outputChecksum"], fnv1a_hex(native.data()));
}
