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

/// [`open_page`], then waits until the audio processor runs locally (in
/// the audio worker, where Chromium has audio track processors).
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

/// Takes the page's audio track processors away from the page (its
/// `AudioData` is what the Streamer checks), so the local audio path runs
/// in the `AudioWorklet`, as in browsers without them.
pub const WORKLET_ONLY: &str = "delete window.AudioData;";

/// Which local audio path runs (`data-audio-path`: `worker`, `worklet`).
pub fn audio_path(browser: &Browser) -> String {
    browser
        .execute(
            "return document.querySelector('.fw-streamer').dataset.audioPath",
            &[],
        )
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// [`open_page`] with [`WORKLET_ONLY`], then waits until the audio
/// processor runs in the worklet.
pub fn open_worklet(query: &str, microphone: &str) -> (StaticServer, Browser) {
    let (server, browser) = open_page(query, microphone, &[WORKLET_ONLY]);
    wait_audio_runs_at(&browser, "local", Duration::from_secs(20));
    assert_eq!(audio_path(&browser), "worklet");
    (server, browser)
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

/// Reads, for `arguments[0]` ms, the raw microphone and the output
/// `<video>`'s audio as the page receives them, each through a
/// `MediaStreamTrackProcessor` of the test's own: every block's first
/// channel and when it arrived (`performance.now()`), `{mic, out}` each
/// `{rate, at: [ms], frames: [n], samples: [..]}`. No AudioContext, so
/// no buffering of its own between the two.
pub const RECORD_ARRIVALS: &str = r#"
const [ms] = arguments;
const stream = document.querySelector('video.fw-output').srcObject;
const out = stream ? stream.getAudioTracks() : [];
const mic = window.__fwTracks.filter((t) => t.kind === 'audio' && t.readyState === 'live');
if (out.length === 0 || mic.length === 0) return { error: `${out.length} output, ${mic.length} microphone tracks` };
let stop = false;
const read = async (track) => {
  const into = { rate: 0, at: [], frames: [], samples: [] };
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  while (!stop) {
    const { value, done } = await reader.read();
    if (done) break;
    const at = performance.now();
    const plane = new Float32Array(value.numberOfFrames);
    value.copyTo(plane, { planeIndex: 0, format: 'f32-planar' });
    into.rate = value.sampleRate;
    into.at.push(at);
    into.frames.push(value.numberOfFrames);
    for (const v of plane) into.samples.push(v);
    value.close();
  }
  reader.cancel();
  return into;
};
const reads = [read(mic[0]), read(out[0])];
await new Promise((r) => setTimeout(r, ms));
stop = true;
const [m, o] = await Promise.all(reads);
return { mic: m, out: o };
"#;

/// One stream as [`RECORD_ARRIVALS`] read it.
#[derive(Debug, Default)]
pub struct Arrived {
    /// Samples per second.
    pub rate: f64,
    /// When each block arrived, ms (page clock).
    pub at: Vec<f64>,
    /// Samples in each block.
    pub frames: Vec<usize>,
    /// Every block's samples, one after another.
    pub samples: Vec<f64>,
    /// Where each block ends in `samples`.
    ends: Vec<usize>,
}

impl Arrived {
    fn read(value: &Value) -> Self {
        let numbers = |key: &str| -> Vec<f64> {
            value[key]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default()
        };
        let frames: Vec<usize> = numbers("frames").into_iter().map(|n| n as usize).collect();
        let ends = frames
            .iter()
            .scan(0, |end, n| {
                *end += n;
                Some(*end)
            })
            .collect();
        Self {
            rate: value["rate"].as_f64().unwrap_or(0.0),
            at: numbers("at"),
            frames,
            samples: numbers("samples"),
            ends,
        }
    }

    /// When sample `index` reached the page, ms: its block's arrival less
    /// the samples after it in the block.
    fn time_of(&self, index: usize) -> Option<f64> {
        let block = self.ends.partition_point(|&end| end <= index);
        let (at, end) = (self.at.get(block)?, self.ends.get(block)?);
        Some(at - (end - 1 - index) as f64 * 1000.0 / self.rate)
    }

    /// The first sample from `from` above 30 % of the stream's peak.
    fn loud_from(&self, from: usize) -> Option<usize> {
        let peak = self.samples.iter().fold(0f64, |m, v| m.max(v.abs()));
        (from..self.samples.len()).find(|&i| peak > 0.0 && self.samples[i].abs() > 0.3 * peak)
    }
}

/// What [`RECORD_ARRIVALS`] read.
#[derive(Debug, Default)]
pub struct Arrivals {
    /// The raw microphone.
    pub mic: Arrived,
    /// The output's audio.
    pub out: Arrived,
}

impl Arrivals {
    /// Reads for `ms` milliseconds (panics if the page has no audio).
    pub fn take(browser: &Browser, ms: u32) -> Self {
        let value = browser
            .execute(RECORD_ARRIVALS, &[Value::from(ms)])
            .expect("reading the microphone and the output");
        assert!(value.get("error").is_none(), "{value}");
        Self {
            mic: Arrived::read(&value["mic"]),
            out: Arrived::read(&value["out"]),
        }
    }

    /// For every click the microphone played (onsets at least half a
    /// second apart), how much later the same click reached the page in
    /// the output than in the microphone, ms; a click with no echo
    /// within 900 ms is left out.
    pub fn click_lags_ms(&self) -> Vec<f64> {
        let gap = (self.mic.rate / 2.0) as usize;
        let mut lags = Vec::new();
        let mut next = 0;
        let mut searched = 0;
        while let Some(heard) = self.mic.loud_from(next) {
            next = heard + gap;
            let Some(heard_at) = self.mic.time_of(heard) else {
                break;
            };
            // The output's samples from a little before the click on.
            let start = (searched..self.out.samples.len())
                .find(|&i| self.out.time_of(i).is_some_and(|t| t >= heard_at - 5.0));
            let Some(start) = start else { break };
            let echoed = self.out.loud_from(start).and_then(|i| {
                let at = self.out.time_of(i)?;
                searched = i + gap.min(self.out.samples.len() - i);
                (at - heard_at < 900.0).then_some(at - heard_at)
            });
            if let Some(lag) = echoed {
                lags.push(lag);
            }
        }
        lags
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Blocks of 480 at 48 kHz, a click at `click` (sample index), block
    /// `k` arriving at `first_ms + 10 k`.
    fn stream(blocks: usize, clicks: &[usize], first_ms: f64) -> Value {
        let mut samples = vec![0.0; blocks * 480];
        for &c in clicks {
            samples[c..c + 10].fill(0.8);
        }
        let at: Vec<f64> = (0..blocks).map(|k| first_ms + 10.0 * k as f64).collect();
        json!({"rate": 48000, "at": at, "frames": vec![480; blocks], "samples": samples})
    }

    #[test]
    fn a_click_s_lag_is_its_arrival_in_the_output_less_in_the_microphone() {
        // The output holds the clicks one block later and each block
        // arrives half a millisecond after the microphone's.
        let mic = stream(250, &[100, 48_100], 10.0);
        let out = stream(250, &[580, 48_580], 10.5);
        let arrivals = Arrivals {
            mic: Arrived::read(&mic),
            out: Arrived::read(&out),
        };
        let lags = arrivals.click_lags_ms();
        assert_eq!(lags.len(), 2, "{lags:?}");
        for lag in lags {
            assert!((lag - 10.5).abs() < 1e-9, "{lag}");
        }
        // Nothing in the output: no lags.
        let silent = Arrivals {
            mic: Arrived::read(&mic),
            out: Arrived::read(&stream(250, &[], 10.0)),
        };
        assert!(silent.click_lags_ms().is_empty());
    }
}
