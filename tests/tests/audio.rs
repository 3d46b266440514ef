//! Audio end to end, locally: the demo runs an audio processor on the
//! fake microphone in a worker of its own (`AudioData` blocks through
//! the worker's wasm) or, with the page's audio track processors taken
//! away, in an AudioWorklet (the same wasm a second time), and the page
//! records the raw microphone and the output `<video>`'s
//! audio side by side, sample by sample. Each test plays its own
//! generated WAV as the microphone.

use std::time::Duration;

use framewise::synth;
use framewise_e2e::audio::{
    audio_path, highpass_db, open_local as open, open_page, open_worklet, rms, wait_audio_result,
    Recording, WORKLET_ONLY,
};
use framewise_e2e::camera::{assert_inverted, grab, grid, set_slider};
use framewise_e2e::microphone_flag;
use framewise_e2e::webdriver::Browser;
use serde_json::Value;

/// The flag playing a tone of `hz` at half scale.
fn tone(hz: f64) -> String {
    let wav = synth::wav(48_000, 1, 2.0, hz);
    microphone_flag(&format!("tone-{hz}"), &wav).expect("writing the tone")
}

/// Lets a param change reach the worklet and the filters settle.
fn settle() {
    std::thread::sleep(Duration::from_millis(400));
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn gain_of_minus_6_db_halves_the_rms() {
    let (_server, browser) = open("/?processor=gain&mode=camera&autostart=1", &tone(440.0));
    assert_eq!(audio_path(&browser), "worker");
    halves_the_rms(&browser);
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_worklet_path_halves_the_rms_too() {
    let (_server, browser) = open_worklet("/?processor=gain&mode=camera&autostart=1", &tone(440.0));
    halves_the_rms(&browser);
}

/// Gain at 0 dB and −6 dB, from the output over the microphone.
fn halves_the_rms(browser: &Browser) {
    let unity = Recording::take(browser, 800);
    set_slider(browser, "fw-gain-gain_db", "-6");
    settle();
    let halved = Recording::take(browser, 800);
    println!(
        "output/microphone RMS at 0 dB {:.4}, at -6 dB {:.4} (microphone RMS {:.4}, {} Hz)",
        unity.gain(),
        halved.gain(),
        rms(&unity.mic),
        unity.rate
    );
    assert!(rms(&unity.mic) > 0.05, "the microphone is too quiet");
    assert!(
        (unity.gain() - 1.0).abs() <= 0.02,
        "0 dB changed the level: {:.4}",
        unity.gain()
    );
    let expected = 10f64.powf(-6.0 / 20.0);
    assert!(
        (halved.gain() - expected).abs() <= 0.02 * expected,
        "-6 dB gave {:.4}, not {expected:.4} ± 2%",
        halved.gain()
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn delay_shifts_a_click_by_the_set_time() {
    let clicks = synth::wav_of(&synth::clicks(48_000, 1.0, 1.0));
    let wav = microphone_flag("clicks-1s", &clicks).expect("writing the clicks");
    let (_server, browser) = open("/?processor=delay&mode=camera&autostart=1", &wav);
    // Half dry, half one echo: each click comes out twice, `delay_ms`
    // apart, whatever the pipeline's own latency.
    set_slider(&browser, "fw-delay-feedback", "0");
    set_slider(&browser, "fw-delay-mix", "0.5");
    for delay_ms in [120.0, 330.0] {
        set_slider(&browser, "fw-delay-delay_ms", &delay_ms.to_string());
        settle();
        let heard = Recording::take(&browser, 3300);
        let quantum_ms = 128.0 * 1000.0 / heard.rate;
        let (gap, gaps) = heard.echo_gap_ms();
        let gap = gap.unwrap_or_else(|| panic!("no click and echo in the output"));
        println!(
            "delay {delay_ms} ms: click to echo {gap:.2} ms, median of {gaps:.2?} (a quantum: {quantum_ms:.2} ms)"
        );
        assert!(
            (gap - delay_ms).abs() <= quantum_ms,
            "a delay of {delay_ms} ms put the echo {gap:.2} ms after the click"
        );
    }
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn highpass_attenuates_a_100_hz_tone_as_designed() {
    let (_server, browser) = open("/?processor=highpass&mode=camera&autostart=1", &tone(100.0));
    let (cutoff, q) = (400.0, std::f64::consts::FRAC_1_SQRT_2);
    set_slider(&browser, "fw-highpass-cutoff_hz", &cutoff.to_string());
    settle();
    let heard = Recording::take(&browser, 1000);
    let expected_db = highpass_db(100.0, cutoff, q, heard.rate);
    let measured_db = 20.0 * heard.gain().log10();
    println!(
        "100 Hz through a {cutoff} Hz high-pass: {measured_db:.2} dB, designed {expected_db:.2} dB"
    );
    assert!(
        (measured_db - expected_db).abs() <= 1.0,
        "{measured_db:.2} dB, not {expected_db:.2} ± 1 dB"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn level_meter_results_reach_the_page() {
    let (_server, browser) = open(
        "/?processor=level-meter&mode=camera&autostart=1",
        &tone(440.0),
    );
    // (results so far, the page's clock in ms), read together: the rate
    // is the page's, whatever the WebDriver round trips take.
    let count = |browser: &Browser| {
        let reading = browser
            .execute(
                "return [Number(document.body.dataset.audioResults || 0), performance.now()]",
                &[],
            )
            .unwrap_or_default();
        let at = |i: usize| reading[i].as_f64().unwrap_or(0.0);
        (at(0), at(1))
    };
    let first = browser
        .wait_for(
            "return document.body.dataset.audioResult || null",
            Duration::from_secs(10),
        )
        .expect("no level-meter result reached the page");
    let before = count(&browser);
    std::thread::sleep(Duration::from_secs(1));
    let after = count(&browser);
    let per_second = (after.0 - before.0) * 1000.0 / (after.1 - before.1).max(1.0);
    let result: Value = serde_json::from_str(first.as_str().unwrap_or("{}")).unwrap_or_default();
    println!("{per_second} results in a second; one: {result}");
    let level = result["rms"][0].as_f64().unwrap_or(0.0);
    // The tone is a sine at half scale: RMS 0.354.
    assert!(
        (level - 0.354).abs() < 0.03,
        "the meter read {level}: {result}"
    );
    // One per block the processor is given: the worker's AudioData are
    // 10 ms.
    assert_eq!(audio_path(&browser), "worker");
    assert!(
        (85.0..=115.0).contains(&per_second),
        "{per_second} results a second"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn stop_closes_the_audio_context_and_the_microphone() {
    // The audio worker's path: the plots' context, and the microphone's
    // clones and the output generator as live tracks.
    stops_everything(&[], &["running"], 3);
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn stop_closes_the_worklet_s_audio_context_and_the_microphone() {
    // The worklet's context and the audio plots'.
    // Its output track comes from the context, not a generator.
    stops_everything(&[WORKLET_ONLY], &["running", "running"], 1);
}

/// Keeps every track cloned or generated on the page in `__fwTracks` too.
const TRACK_KEEPER: &str = "(() => {     const clone = MediaStreamTrack.prototype.clone;     MediaStreamTrack.prototype.clone = function () {       const track = clone.call(this); window.__fwTracks.push(track); return track; };     const Generator = window.MediaStreamTrackGenerator;     if (Generator) window.MediaStreamTrackGenerator = class extends Generator {       constructor(...args) { super(...args); window.__fwTracks.push(this); } };   })();";

/// Runs gain with `scripts`, checks the page's AudioContexts' states are
/// `contexts` and at least `live` audio tracks are live (microphone,
/// clones, generators), then that STOP closes them all and ends every
/// track.
fn stops_everything(scripts: &[&str], contexts: &[&str], live: u64) {
    let scripts: Vec<&str> = scripts.iter().copied().chain([TRACK_KEEPER]).collect();
    let (_server, browser) = open_page(
        "/?processor=gain&mode=camera&autostart=1",
        &tone(440.0),
        &scripts,
    );
    framewise_e2e::audio::wait_audio_runs_at(&browser, "local", Duration::from_secs(20));
    let running = browser
        .execute(
            "return window.__fwContexts.filter((c) => !c.fwTest).map((c) => c.state)",
            &[],
        )
        .expect("a WebDriver call");
    assert_eq!(running, serde_json::json!(contexts), "{running}");
    let running_tracks = browser
        .execute(
            "return window.__fwTracks.filter((t) => t.kind === 'audio' && t.readyState === 'live').length",
            &[],
        )
        .expect("a WebDriver call");
    assert!(
        running_tracks.as_u64().unwrap_or(0) >= live,
        "{running_tracks} live audio tracks"
    );
    browser.click(".fw-stop").expect("a WebDriver call");
    let closed = browser.wait_for(
        "return window.__fwContexts.every((c) => c.state === 'closed') && \
           window.__fwTracks.every((t) => t.readyState === 'ended')",
        Duration::from_secs(5),
    );
    let left = browser
        .execute(
            "return [window.__fwContexts.map((c) => c.state), \
                     window.__fwTracks.map((t) => t.kind + ':' + t.readyState)]",
            &[],
        )
        .expect("a WebDriver call");
    assert!(closed.is_ok(), "STOP left audio running: {left}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn a_worklet_that_fails_to_load_is_a_clear_warning_and_video_goes_on() {
    // The page's first module fails; the test's own recorder loads later.
    let broken = "(() => { const original = AudioWorklet.prototype.addModule; let first = true; \
                    AudioWorklet.prototype.addModule = function (...args) { \
                      if (!first) return original.apply(this, args); \
                      first = false; \
                      return Promise.reject(new DOMException('blocked by the test', 'AbortError')); \
                    }; })();";
    warns_and_plays_the_microphone(
        &[WORKLET_ONLY, broken],
        "audio processing could not start: the audio worklet module did not load: \
         addModule: AbortError: blocked by the test",
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn an_audio_worker_that_cannot_start_is_a_clear_warning_and_video_goes_on() {
    // The audio generator cannot be made; the camera's video one can.
    let broken = "(() => { const Generator = window.MediaStreamTrackGenerator; \
                    window.MediaStreamTrackGenerator = function (init) { \
                      if (init && init.kind === 'audio') \
                        throw new DOMException('blocked by the test', 'NotSupportedError'); \
                      return new Generator(init); \
                    }; })();";
    warns_and_plays_the_microphone(
        &[broken],
        "audio processing could not start: new MediaStreamTrackGenerator: NotSupportedError: \
         blocked by the test",
    );
}

/// Runs gain with `scripts` that break the audio path: the Streamer shows
/// `expected`, plays the video, and the output plays the raw microphone.
fn warns_and_plays_the_microphone(scripts: &[&str], expected: &str) {
    let (_server, browser) = open_page(
        "/?processor=gain&mode=camera&autostart=1",
        &tone(440.0),
        scripts,
    );
    let shown = browser
        .wait_for(
            "const w = document.querySelector('.fw-error'); \
             return w && w.textContent.includes('audio') ? w.textContent : null",
            Duration::from_secs(10),
        )
        .expect("no warning about audio");
    println!("warning: {shown}");
    assert_eq!(shown.as_str().unwrap_or_default(), expected);
    let state = browser
        .execute("return document.querySelector('.fw-streamer').dataset", &[])
        .expect("a WebDriver call");
    assert_eq!(state["state"], "playing", "{state}");
    assert_eq!(state["audioRunsAt"], "", "{state}");
    assert_eq!(state["audioPath"], "", "{state}");
    // The raw microphone plays instead.
    let heard = Recording::take(&browser, 500);
    assert!(
        (heard.gain() - 1.0).abs() < 0.05,
        "the output is not the microphone: {:.3}",
        heard.gain()
    );
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn pitch_reads_the_microphone_tone() {
    let (_server, browser) = open("/?processor=pitch&mode=camera&autostart=1", &tone(440.0));
    let result = wait_audio_result(&browser, "hz");
    println!("pitch of the 440 Hz tone: {result}");
    let hz = result["hz"].as_f64().unwrap_or(0.0);
    assert!((hz - 440.0).abs() < 2.0, "{result}");
    assert_eq!(result["note"], "A4", "{result}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn spectrum_peaks_at_the_microphone_tone() {
    let (_server, browser) = open(
        "/?processor=spectrum&mode=camera&autostart=1",
        &tone(1000.0),
    );
    let result = wait_audio_result(&browser, "peak_hz");
    let peak = result["peak_hz"].as_f64().unwrap_or(0.0);
    println!(
        "spectrum of the 1 kHz tone: peak {peak:.2} Hz at {} dB",
        result["peak_db"]
    );
    assert!((peak - 1000.0).abs() < 3.0, "{result}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_camera_tab_runs_an_audio_processor_beside_the_video_processor() {
    let query = "/?processor=invert&mode=camera&autostart=1&audio_processor=gain";
    let (_server, browser) = open(query, &tone(440.0));
    let shots = grab(&browser, &grid(80), 8);
    assert_inverted(&shots);
    set_slider(&browser, "camera-audio-gain-gain_db", "-6");
    settle();
    let halved = Recording::take(&browser, 800);
    let expected = 10f64.powf(-6.0 / 20.0);
    println!(
        "invert on the camera, gain -6 dB on the microphone: {:.4}",
        halved.gain()
    );
    assert!(
        (halved.gain() - expected).abs() <= 0.02 * expected,
        "-6 dB gave {:.4}, not {expected:.4} ± 2%",
        halved.gain()
    );
}
