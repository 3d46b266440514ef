//! The Streamer's live audio plots, read from the canvas's pixels: with a
//! 1 kHz tone as the microphone and `gain` at −6 dB, the microphone's
//! waveform is twice as tall as the output's, and both spectra peak at
//! 1 kHz, the output's 6 dB lower.

use std::time::Duration;

use framewise::synth;
use framewise_e2e::audio::open_local;
use framewise_e2e::camera::set_slider;
use framewise_e2e::microphone_flag;
use framewise_e2e::webdriver::Browser;
use serde_json::Value;

/// The canvas's size and the gap around its panels (the Streamer's).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 400.0;
const GAP: f64 = 6.0;
/// The spectrum's axes: 20 Hz–20 kHz (log) across, −110..−10 dB up.
const LOW_HZ: f64 = 20.0;
const HIGH_HZ: f64 = 20_000.0;
const DB_SPAN: f64 = 100.0;

/// For each panel (`[x, y, width, height]`, canvas px), where the line
/// of the row's colour (the microphone's blue, the output's orange) is:
/// `{top, bottom, top_x}` (null when not drawn).
const READ_PANELS: &str = r#"
const [panels] = arguments;
const canvas = document.querySelector('canvas.fw-audio-plots');
if (!canvas) return { error: 'no plots canvas' };
const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
const isLine = [
  (r, g, b) => b > 170 && r < 140,
  (r, g, b) => r > 170 && b < 140,
];
return panels.map(([x0, y0, w, h, row]) => {
  let top = null, bottom = null, topX = null;
  for (let y = Math.ceil(y0); y < y0 + h; y++) {
    for (let x = Math.ceil(x0); x < x0 + w; x++) {
      const i = 4 * (y * canvas.width + x);
      if (!isLine[row](data[i], data[i + 1], data[i + 2])) continue;
      if (top === null) { top = y; topX = x; }
      bottom = y;
    }
  }
  return { top, bottom, top_x: topX };
});
"#;

/// A panel's edges: `[x, y, width, height]` of column `column`, row `row`.
fn panel(column: f64, row: f64) -> [f64; 4] {
    let (w, h) = ((WIDTH - 3.0 * GAP) / 2.0, (HEIGHT - 3.0 * GAP) / 2.0);
    [GAP + column * (w + GAP), GAP + row * (h + GAP), w, h]
}

/// What [`READ_PANELS`] finds in the four panels: the waveforms'
/// heights (microphone, output) and the spectra's peaks (Hz and dB
/// below the top, each row).
fn read(browser: &Browser) -> ([f64; 2], [(f64, f64); 2]) {
    let panels: Vec<[f64; 4]> = vec![
        panel(0.0, 0.0),
        panel(0.0, 1.0),
        panel(1.0, 0.0),
        panel(1.0, 1.0),
    ];
    let arguments: Vec<Value> = panels
        .iter()
        .zip([0, 1, 0, 1])
        .map(|(p, row)| serde_json::json!([p[0], p[1], p[2], p[3], row]))
        .collect();
    let found = browser
        .execute(READ_PANELS, &[Value::from(arguments)])
        .expect("reading the canvas");
    assert!(found.get("error").is_none(), "{found}");
    let at = |i: usize, k: &str| {
        found[i][k]
            .as_f64()
            .unwrap_or_else(|| panic!("panel {i}: {found}"))
    };
    let heights = [0, 1].map(|i| at(i, "bottom") - at(i, "top"));
    let peaks = [2, 3].map(|i| {
        let [x, y, w, h] = panels[i];
        let hz = LOW_HZ * (HIGH_HZ / LOW_HZ).powf((at(i, "top_x") - x) / w);
        let db_below_top = (at(i, "top") - y) / h * DB_SPAN;
        (hz, db_below_top)
    });
    (heights, peaks)
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_plots_show_the_microphone_and_the_processed_output() {
    let tone = microphone_flag("tone-1000", &synth::wav(48_000, 1, 2.0, 1000.0))
        .expect("writing the tone");
    let (_server, browser) = open_local("/?processor=gain&mode=camera&autostart=1", &tone);
    set_slider(&browser, "fw-gain-gain_db", "-6");
    std::thread::sleep(Duration::from_millis(800));
    let (heights, peaks) = read(&browser);
    println!("waveform heights {heights:?} px; spectrum peaks (Hz, dB below the top) {peaks:?}");
    // The tone at half scale spans half the panel.
    let panel_height = panel(0.0, 0.0)[3];
    assert!(
        (heights[0] / panel_height - 0.5).abs() < 0.05,
        "the microphone's waveform is {} px of {panel_height}",
        heights[0]
    );
    let ratio = heights[1] / heights[0];
    assert!(
        (ratio - 0.5).abs() < 0.06,
        "output/microphone height {ratio:.3}"
    );
    for (hz, _) in peaks {
        assert!(
            (hz / 1000.0 - 1.0).abs() < 0.05,
            "a spectrum peaks at {hz:.0} Hz"
        );
    }
    let lower = peaks[1].1 - peaks[0].1;
    assert!(
        (lower - 6.0).abs() < 2.0,
        "the output's peak is {lower:.1} dB lower"
    );
}
