//! The voice activity detector on speech that espeak-ng renders (two
//! sentences between pauses): natively, frame by frame, it agrees with a
//! labelling by energy and finds each sentence as a segment with no
//! segment across a pause; silence and noise are not speech. In the
//! browser (ignored here, run by `cargo xtask test`) the same speech is
//! the fake microphone and the detector runs in the page (the audio worker), or on the
//! server through Opus.

use std::time::Duration;

use framewise::{synth, AudioFrame, Registry};
use framewise_e2e::audio::{wait_audio_runs_at, LOOPBACK};
use framewise_e2e::camera::{wait_playing, SPY};
use framewise_e2e::server::ServerProcess;
use framewise_e2e::speech::{best_agreement, Speech, FRAME_MS};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{dist_dir, fake_camera_flag, microphone_flag, StaticServer};
use serde_json::{json, Value};

/// The pause around each sentence, s.
const PAUSE_S: f64 = 1.5;
/// The detector's default hangover, which the labelling uses too.
const HANGOVER_MS: f64 = 240.0;

/// What the detector said: `speaking` per frame and the closed segments
/// `(start_ms, end_ms)`.
fn read(results: &[Value]) -> (Vec<bool>, Vec<(f64, f64)>) {
    let speaking = results
        .iter()
        .map(|r| r["speaking"].as_bool().expect("a speaking flag"))
        .collect();
    let segments = results
        .iter()
        .filter(|r| !r["segment"].is_null())
        .map(|r| {
            let at = |k: &str| r["segment"][k].as_f64().expect("segment times");
            (at("start_ms"), at("end_ms"))
        })
        .collect();
    (speaking, segments)
}

/// Runs the detector natively on `frame`'s samples in 20 ms blocks.
fn detect(rate: u32, samples: &[f32]) -> Vec<Value> {
    let registry = Registry::with_builtins();
    let mut vad = registry
        .audio("voice-activity", &json!({}))
        .expect("the detector");
    let block = (rate / 50) as usize;
    let mut results = Vec::new();
    for chunk in samples.chunks(block) {
        let mut frame = AudioFrame::new(rate, 1, chunk.to_vec(), 0).expect("a block");
        results.extend(vad.process(&mut frame).expect("detecting"));
    }
    results
}

#[test]
fn speech_is_found_and_the_pauses_are_not() {
    let speech = Speech::sentences(PAUSE_S).expect("speech from espeak-ng");
    let (speaking, segments) = read(&detect(speech.rate, &speech.samples));
    let labels = speech.labels(HANGOVER_MS);
    let n = speaking.len().min(labels.len());
    let agree = (0..n).filter(|&i| speaking[i] == labels[i]).count() as f64 / n as f64;
    println!(
        "{n} frames of {FRAME_MS} ms: {:.1} % agree with the energy labels; segments {segments:?}",
        agree * 100.0
    );
    assert!(agree >= 0.9, "only {:.1} % of frames agree", agree * 100.0);
    assert!(segments.len() >= 2, "segments {segments:?}");
    // The middle of the pause after the first sentence is in no segment.
    let speech_frames: Vec<usize> = (0..labels.len()).filter(|&i| labels[i]).collect();
    let gap = speech_frames
        .windows(2)
        .max_by_key(|w| w[1] - w[0])
        .expect("speech in the labels");
    let pause_middle_ms = (gap[0] + gap[1]) as f64 / 2.0 * FRAME_MS;
    assert!(
        segments
            .iter()
            .all(|&(start, end)| !(start < pause_middle_ms && pause_middle_ms < end)),
        "a segment spans the pause at {pause_middle_ms} ms: {segments:?}"
    );
}

#[test]
fn silence_and_noise_are_not_speech() {
    let rate = 48_000;
    let silence = vec![0.0; rate as usize * 3];
    let noise = synth::noise(rate, 1, rate as usize * 3, 0.1, 7).into_samples();
    for (what, samples) in [("silence", silence), ("noise", noise)] {
        let (speaking, segments) = read(&detect(rate, &samples));
        let share = speaking.iter().filter(|&&s| s).count() as f64 / speaking.len() as f64;
        println!(
            "{what}: {:.1} % of frames speaking, segments {segments:?}",
            share * 100.0
        );
        assert!(segments.is_empty(), "{what} gave segments {segments:?}");
        assert!(
            share <= 0.05,
            "{what} was speech on {:.1} % of frames",
            share * 100.0
        );
    }
}

/// Collects every value the demo publishes as `data-audio-result` (each
/// mutation's old value, then the newest) in `window.__fwAudioResults`
/// (at most 4000).
const RESULT_KEEPER: &str = r#"
(() => {
  window.__fwAudioResults = [];
  const keep = (text) => {
    if (!text) return;
    window.__fwAudioResults.push(text);
    if (window.__fwAudioResults.length > 4000) window.__fwAudioResults.shift();
  };
  new MutationObserver((records) => {
    const values = records.map((r) => r.oldValue).slice(1);
    values.push(document.body.dataset.audioResult);
    values.forEach(keep);
  }).observe(document, {
    subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-audio-result'],
  });
})();
"#;

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_audio_worker_marks_the_sentences_of_the_microphone() {
    let server = StaticServer::start(&dist_dir().expect("no demo build")).expect("static server");
    marks_the_sentences(|query| server.url(query), "local", &[]);
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_server_marks_the_sentences_of_the_microphone_through_opus() {
    let dist = dist_dir().expect("no demo build");
    let server = ServerProcess::start(&dist, &[]).expect("framewise-server");
    marks_the_sentences(
        |query| server.url(&format!("{query}&placement=remote")),
        "remote",
        &[LOOPBACK],
    );
}

/// The espeak sentences as the microphone of the demo at `url(query)`,
/// the detector running at `place`: ≥ 90 % of its frames agree with the
/// energy labels over two loops of the file.
fn marks_the_sentences(url: impl Fn(&str) -> String, place: &str, flags: &[&str]) {
    let speech = Speech::sentences(PAUSE_S).expect("speech from espeak-ng");
    let labels = speech.labels(HANGOVER_MS);
    let camera = fake_camera_flag().expect("writing the fake camera");
    let microphone = microphone_flag("speech", &speech.wav()).expect("writing the speech");
    let autoplay = "--autoplay-policy=no-user-gesture-required";
    let mut all = vec![camera.as_str(), microphone.as_str(), autoplay];
    all.extend(flags);
    let browser = Browser::start(&all).expect("Chromium");
    for script in [SPY, RESULT_KEEPER] {
        browser.add_init_script(script).expect("init script");
    }
    browser
        .goto(&url("/?processor=voice-activity&mode=camera&autostart=1"))
        .expect("loading the page");
    wait_playing(&browser);
    wait_audio_runs_at(&browser, place, Duration::from_secs(30));
    // Two loops of the file.
    let loop_ms = labels.len() as f64 * FRAME_MS;
    std::thread::sleep(Duration::from_millis((2.0 * loop_ms) as u64 + 500));
    let texts = browser
        .execute("return window.__fwAudioResults", &[])
        .expect("reading the results");
    let results: Vec<Value> = texts
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|t| serde_json::from_str(t.as_str()?).ok())
                .collect()
        })
        .unwrap_or_default();
    // Frames in order of time, each once.
    let mut by_time: Vec<(f64, Value)> = results
        .into_iter()
        .filter_map(|r| Some((r["at_ms"].as_f64()?, r)))
        .collect();
    by_time.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_time.dedup_by(|a, b| a.0 == b.0);
    let frames: Vec<Value> = by_time.into_iter().map(|(_, r)| r).collect();
    let (speaking, segments) = read(&frames);
    let (agree, shift) = best_agreement(&speaking, &labels);
    println!(
        "{} frames ({place}): {:.1} % agree with the labels (shifted {shift} frames); {} segments",
        speaking.len(),
        agree * 100.0,
        segments.len()
    );
    assert!(
        speaking.len() as f64 >= 1.5 * labels.len() as f64,
        "too few results: {}",
        speaking.len()
    );
    assert!(agree >= 0.9, "only {:.1} % of frames agree", agree * 100.0);
    assert!(segments.len() >= 3, "segments {segments:?}");
}
