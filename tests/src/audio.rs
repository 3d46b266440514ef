//! Listening to a page: the raw microphone and the output `<video>`'s
//! audio recorded side by side in the page, sample by sample, and what
//! the audio tests read from them (levels, gains, click delays).

use std::time::Duration;

use serde_json::Value;

use crate::camera::{settled_state, wait_playing, SPY};
use crate::server::ServerProcess;
use crate::webdriver::Browser;
use crate::{dist_dir, fake_camera_flag, StaticServer};

/// Chromium gathers loopback candidates only with this flag.
pub const LOOPBACK: &str = "--allow-loopback-in-peer-connection";
/// Lets the output `<video>` play its audio without a click.
const AUTOPLAY: &str = "--autoplay-policy=no-user-gesture-required";

/// Chromium on the demo (served by a static server) with the generated
/// camera and `microphone` (a [`microphone_flag`](crate::microphone_flag)),
/// the getUserMedia and AudioContext spies and `init_scripts` installed,
/// running `query`; waits until the camera plays.
pub fn open_page(query: &str, microphone: &str, init_scripts: &[&str]) -> (StaticServer, Browser) {
    let server = StaticServer::start(&dist_dir().expect("no demo build")).expect("static server");
    let browser = start_browser(microphone, &[]);
    for script in init_scripts {
        browser.add_init_script(script).expect("init script");
    }
    browser.goto(&server.url(query)).expect("loading the page");
    wait_playing(&browser);
    (server, browser)
}

/// [`open_page`], then waits until the audio processor runs in the
/// worklet.
pub fn open_local(query: &str, microphone: &str) -> (StaticServer, Browser) {
    let (server, browser) = open_page(query, microphone, &[]);
    wait_audio_runs_at(&browser, "local", Duration::from_secs(20));
    (server, browser)
}

/// `framewise-server` serving the demo, and Chromium on `query` with the
/// generated camera and `microphone`; waits until the audio processor
/// runs on the server.
pub fn open_remote(query: &str, microphone: &str) -> (ServerProcess, Browser) {
    let (server, browser) = open_remote_page(query, microphone);
    wait_audio_runs_at(&browser, "remote", Duration::from_secs(30));
    (server, browser)
}

/// `framewise-server` serving the demo, and Chromium on `query` with the
/// generated camera and `microphone`; waits until the camera plays.
pub fn open_remote_page(query: &str, microphone: &str) -> (ServerProcess, Browser) {
    let server =
        ServerProcess::start(&dist_dir().expect("no demo build"), &[]).expect("framewise-server");
    let browser = start_browser(microphone, &[LOOPBACK]);
    browser.goto(&server.url(query)).expect("loading the page");
    wait_playing(&browser);
    (server, browser)
}

/// The demo's audio-only view (`query` with `&camera=0`) with
/// `microphone`, served by a static server (`remote` off) or by
/// `framewise-server`; waits until the Streamer plays and the audio
/// processor runs at the place asked for.
pub fn open_audio_only(query: &str, microphone: &str, remote: bool) -> (AudioOnlyServer, Browser) {
    let dist = dist_dir().expect("no demo build");
    let (server, browser, url) = if remote {
        let server = ServerProcess::start(&dist, &[]).expect("framewise-server");
        let url = server.url(query);
        (
            AudioOnlyServer::Remote(server),
            start_browser(microphone, &[LOOPBACK]),
            url,
        )
    } else {
        let server = StaticServer::start(&dist).expect("static server");
        let url = server.url(query);
        (
            AudioOnlyServer::Local(server),
            start_browser(microphone, &[]),
            url,
        )
    };
    browser.goto(&url).expect("loading the page");
    let state = settled_state(&browser);
    assert_eq!(state, "playing", "{}", warning(&browser));
    let place = if remote { "remote" } else { "local" };
    wait_audio_runs_at(&browser, place, Duration::from_secs(30));
    (server, browser)
}

/// What serves an audio-only page: kept alive as long as the test runs.
pub enum AudioOnlyServer {
    /// A static file server (local placement).
    Local(StaticServer),
    /// `framewise-server` (remote placement).
    Remote(ServerProcess),
}

fn start_browser(microphone: &str, flags: &[&str]) -> Browser {
    let camera = fake_camera_flag().expect("writing the fake camera");
    let mut all = vec![camera.as_str(), microphone, AUTOPLAY];
    all.extend(flags);
    let browser = Browser::start(&all).expect("starting Chromium");
    for script in [SPY, CONTEXT_SPY] {
        browser.add_init_script(script).expect("init script");
    }
    browser
}

/// Waits until the Streamer says the audio processor runs at `place`
/// (`local`, `remote`); panics with its warning if it does not.
pub fn wait_audio_runs_at(browser: &Browser, place: &str, timeout: Duration) {
    let script = format!(
        "const at = document.querySelector('.fw-streamer').dataset.audioRunsAt; \
         return at === {place:?} ? at : null"
    );
    let runs = browser.wait_for(&script, timeout);
    assert!(
        runs.is_ok(),
        "the audio processor does not run {place}: {}",
        warning(browser)
    );
}

/// The Streamer's warning (its error line), or "".
pub fn warning(browser: &Browser) -> String {
    browser
        .execute(
            "const w = document.querySelector('.fw-error'); return w ? w.textContent : ''",
            &[],
        )
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Collects every `AudioContext` the page makes in `window.__fwContexts`.
pub const CONTEXT_SPY: &str = r#"
(() => {
  window.__fwContexts = [];
  const Original = window.AudioContext;
  window.AudioContext = class extends Original {
    constructor(...args) { super(...args); window.__fwContexts.push(this); }
  };
})();
"#;

/// Records, for `arguments[0]` ms, the raw microphone (the track
/// getUserMedia gave, from [`SPY`](crate::camera::SPY)) and the output `<video>`'s audio in
/// one AudioContext of the test's own (marked `fwTest`), every sample of
/// both in step:
/// `{rate, mic, out}` (first channels).
pub const RECORD: &str = r#"
const [ms] = arguments;
const stream = document.querySelector('video.fw-output').srcObject;
const out = stream ? stream.getAudioTracks() : [];
const mic = window.__fwTracks.filter((t) => t.kind === 'audio' && t.readyState === 'live');
if (out.length === 0 || mic.length === 0) return { error: `${out.length} output, ${mic.length} microphone tracks` };
const context = new AudioContext();
context.fwTest = true;
const code = `registerProcessor('fw-test-recorder', class extends AudioWorkletProcessor {
  process(inputs) {
    const [a, b] = inputs;
    if (a[0] && b[0]) this.port.postMessage([a[0].slice(), b[0].slice()]);
    return true;
  }
});`;
await context.audioWorklet.addModule(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
const recorder = new AudioWorkletNode(context, 'fw-test-recorder', { numberOfInputs: 2, numberOfOutputs: 0 });
const sources = [mic, out].map((tracks, i) => {
  const source = context.createMediaStreamSource(new MediaStream([tracks[0]]));
  source.connect(recorder, 0, i);
  return source;
});
const chunks = [];
recorder.port.onmessage = (e) => chunks.push(e.data);
await new Promise((r) => setTimeout(r, ms));
sources.forEach((s) => s.disconnect());
await context.close();
const result = { rate: context.sampleRate, mic: [], out: [] };
for (const [a, b] of chunks) { for (const v of a) result.mic.push(v); for (const v of b) result.out.push(v); }
return result;
"#;

/// Waits up to 10 s for the demo's latest audio result
/// (`data-audio-result`) to carry a non-null `field`, and returns it.
pub fn wait_audio_result(browser: &Browser, field: &str) -> Value {
    let script = format!(
        "const r = document.body.dataset.audioResult; \
         return r && JSON.parse(r)[{field:?}] != null ? r : null"
    );
    let reading = browser
        .wait_for(&script, std::time::Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("no audio result with {field} reached the page: {e}"));
    serde_json::from_str(reading.as_str().unwrap_or("{}")).unwrap_or_default()
}

/// What [`RECORD`] heard.
pub struct Recording {
    /// The recording context's sample rate.
    pub rate: f64,
    /// The raw microphone.
    pub mic: Vec<f64>,
    /// The output's audio.
    pub out: Vec<f64>,
}

/// The root mean square of `samples`.
pub fn rms(samples: &[f64]) -> f64 {
    let sum: f64 = samples.iter().map(|v| v * v).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

impl Recording {
    /// Records `ms` milliseconds (panics if the page has no audio to record).
    pub fn take(browser: &Browser, ms: u32) -> Self {
        let value = browser
            .execute(RECORD, &[Value::from(ms)])
            .expect("recording the output");
        assert!(value.get("error").is_none(), "{value}");
        let read = |name: &str| -> Vec<f64> {
            value[name]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        let (rate, mic, out) = (
            value["rate"].as_f64().unwrap_or(0.0),
            read("mic"),
            read("out"),
        );
        assert!(
            mic.len() as f64 > rate * f64::from(ms) / 2000.0,
            "too few samples recorded: {} at {rate} Hz",
            mic.len()
        );
        Self { rate, mic, out }
    }

    /// The output's RMS over the microphone's, past the first 100 ms
    /// (a new source may start with a few quanta of silence).
    pub fn gain(&self) -> f64 {
        let skip = (self.rate / 10.0) as usize;
        let steady = |s: &[f64]| rms(s.get(skip..).unwrap_or_default());
        steady(&self.out) / steady(&self.mic)
    }

    /// For every click the microphone played (its onsets at least half
    /// a second apart), how much later the output's comes, in ms; a click
    /// with no echo within 900 ms is left out.
    pub fn click_lags_ms(&self) -> Vec<f64> {
        let loud = |samples: &[f64]| {
            let peak = samples.iter().fold(0f64, |m, v| m.max(v.abs()));
            move |v: f64| peak > 0.0 && v.abs() > 0.3 * peak
        };
        let (mic_loud, out_loud) = (loud(&self.mic), loud(&self.out));
        let gap = (self.rate / 2.0) as usize;
        let window = (self.rate * 0.9) as usize;
        let mut lags = Vec::new();
        let mut next = 0;
        while let Some(heard) = (next..self.mic.len()).find(|&i| mic_loud(self.mic[i])) {
            next = heard + gap;
            let echoed =
                (heard..(heard + window).min(self.out.len())).find(|&i| out_loud(self.out[i]));
            if let Some(echoed) = echoed {
                lags.push((echoed - heard) as f64 * 1000.0 / self.rate);
            }
        }
        lags
    }

    /// The median time from a click to its echo in the output (clicks
    /// a second apart, the delay's echo under 600 ms), and every such gap:
    /// the median, so that one pair a busy machine's audio thread
    /// glitched through does not decide.
    pub fn echo_gap_ms(&self) -> (Option<f64>, Vec<f64>) {
        let onsets = self.out_onsets_ms(50.0);
        let mut gaps: Vec<f64> = onsets
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|gap| *gap < 600.0)
            .collect();
        gaps.sort_by(f64::total_cmp);
        (gaps.get(gaps.len() / 2).copied(), gaps)
    }

    /// When the output's clicks start, in ms from the recording's start:
    /// each rise above 30 % of its peak at least `apart_ms` after the last.
    pub fn out_onsets_ms(&self, apart_ms: f64) -> Vec<f64> {
        let peak = self.out.iter().fold(0f64, |m, v| m.max(v.abs()));
        let apart = (apart_ms * self.rate / 1000.0) as usize;
        let mut onsets: Vec<usize> = Vec::new();
        for (i, v) in self.out.iter().enumerate() {
            let clear = onsets.last().is_none_or(|&last| i >= last + apart);
            if peak > 0.0 && v.abs() > 0.3 * peak && clear {
                onsets.push(i);
            }
        }
        onsets
            .into_iter()
            .map(|i| i as f64 * 1000.0 / self.rate)
            .collect()
    }
}

/// The gain, dB, of a second-order high-pass at `cutoff` Hz with `q`
/// (bilinear, pre-warped, as the `highpass` processor designs it) at
/// `hz`, for sound at `rate`: its analog prototype at the warped ratio.
pub fn highpass_db(hz: f64, cutoff: f64, q: f64, rate: f64) -> f64 {
    let warp = |f: f64| (std::f64::consts::PI * f / rate).tan();
    let x = warp(hz) / warp(cutoff);
    20.0 * (x * x / ((1.0 - x * x).powi(2) + (x / q).powi(2)).sqrt()).log10()
}
