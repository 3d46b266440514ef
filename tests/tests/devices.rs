//! Devices end to end: the camera picker switches cameras while the
//! processor keeps running, and the microphone passes through to the
//! output unprocessed (its samples analysed in the page) and can be
//! switched too, also while an audio processor runs on it. Chromium's fake devices: `device-count=2` gives two
//! cameras, and every fake microphone plays our generated tone.

use std::time::Duration;

use framewise_e2e::audio::Recording;
use framewise_e2e::camera::{set_slider, wait_for_stats, wait_playing, SPY};
use framewise_e2e::webdriver::Browser;
use framewise_e2e::{
    dist_dir, fake_camera_flag, fake_microphone_flag, flags_replacing, StaticServer,
    FAKE_MICROPHONE,
};
use serde_json::Value;

/// Picks the option labelled `label` in the device `<select>` with id
/// `select_id`, as a user does; returns its device id.
fn pick(browser: &Browser, select_id: &str, label: &str) -> String {
    let picked = browser
        .execute(
            "const select = document.getElementById(arguments[0]); \
             const option = select && [...select.options].find((o) => o.text === arguments[1]); \
             if (!option) return null; \
             select.value = option.value; \
             select.dispatchEvent(new Event('change', { bubbles: true })); \
             return option.value",
            &[Value::from(select_id), Value::from(label)],
        )
        .expect("picking a device");
    picked
        .as_str()
        .unwrap_or_else(|| panic!("no option {label:?} in #{select_id}"))
        .to_owned()
}

/// The labels in the device `<select>` with id `select_id`.
fn options(browser: &Browser, select_id: &str) -> Value {
    browser
        .wait_for(
            &format!(
                "const s = document.getElementById('{select_id}'); \
                 return s && s.options.length > 1 ? [...s.options].map((o) => o.text) : null"
            ),
            Duration::from_secs(10),
        )
        .unwrap_or_else(|e| panic!("no devices listed in #{select_id}: {e}"))
}

/// Share of sampled points where the output is within 40 of 255 − input.
/// The frames are not paired (the fake cameras carry no index), so only
/// the still parts of the picture agree; that is most of it.
const INVERTED_SHARE: &str = r#"
const grab = (video) => {
  const c = document.createElement('canvas');
  c.width = video.videoWidth; c.height = video.videoHeight;
  const x = c.getContext('2d', { willReadFrequently: true });
  x.drawImage(video, 0, 0);
  return x.getImageData(0, 0, c.width, c.height).data;
};
const input = document.querySelector('video.fw-input');
const output = document.querySelector('video.fw-output');
if (!input.videoWidth || input.videoWidth !== output.videoWidth) return null;
const [a, b] = [grab(input), grab(output)];
let good = 0, all = 0;
for (let i = 0; i < a.length; i += 4 * 997) {
  all += 1;
  if ([0, 1, 2].every((c) => Math.abs(255 - a[i + c] - b[i + c]) <= 40)) good += 1;
}
return good / all;
"#;

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn switching_the_camera_while_running_keeps_processing() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let flags = flags_replacing(
        "--use-fake-device-for-media-stream",
        Some("--use-fake-device-for-media-stream=device-count=2"),
    );
    let browser = Browser::launch(&flags, &[]).unwrap();
    browser.add_init_script(SPY).unwrap();
    browser
        .goto(&server.url("/?processor=invert&mode=camera&autostart=1"))
        .unwrap();
    wait_playing(&browser);
    let cameras = options(&browser, "framewise-camera");
    println!("cameras: {cameras}");
    assert_eq!(
        cameras,
        serde_json::json!(["Default", "fake_device_0", "fake_device_1"])
    );
    browser
        .execute(
            "window.__fwOutput = document.querySelector('video.fw-output').srcObject",
            &[],
        )
        .unwrap();
    let before = wait_for_stats(&browser, 20);

    // Switch to the camera that is not running.
    let running = browser
        .execute(
            "return window.__fwTracks.find((t) => t.kind === 'video').label",
            &[],
        )
        .unwrap();
    let other = if running == "fake_device_0" {
        "fake_device_1"
    } else {
        "fake_device_0"
    };
    println!("switching from {running} to {other}");
    let id = pick(&browser, "framewise-camera", other);
    let switched = browser.wait_for(
        &format!(
            "const tracks = window.__fwTracks.filter((t) => t.kind === 'video'); \
             const live = tracks.filter((t) => t.readyState === 'live').map((t) => t.label); \
             return tracks.length === 2 && live.length === 1 && live[0] === {other:?}"
        ),
        Duration::from_secs(10),
    );
    let tracks = browser
        .execute(
            "return window.__fwTracks.filter((t) => t.kind === 'video') \
               .map((t) => [t.label, t.readyState])",
            &[],
        )
        .unwrap();
    println!("camera tracks after the switch: {tracks}");
    assert!(
        switched.is_ok(),
        "the old camera should end and {other} run: {tracks}"
    );
    let frames_before = before["frames"].as_u64().unwrap_or(0) as u32;
    let after = wait_for_stats(&browser, frames_before + 60);
    println!(
        "frames: {} before the switch, {} after",
        frames_before, after["frames"]
    );
    let (same_output, restarts, state) = {
        let value = browser
            .execute(
                "const s = document.querySelector('.fw-streamer'); \
                 return [window.__fwOutput === document.querySelector('video.fw-output').srcObject, \
                   s.dataset.restarts, s.dataset.state]",
                &[],
            )
            .unwrap();
        (value[0].clone(), value[1].clone(), value[2].clone())
    };
    assert_eq!(same_output, true, "the output stream was replaced");
    assert_eq!(restarts, "0", "the worker was restarted");
    assert_eq!(state, "playing");
    let share = browser
        .wait_for(INVERTED_SHARE, Duration::from_secs(5))
        .unwrap();
    println!("output = 255 - input at {share} of the points");
    assert!(
        share.as_f64().unwrap_or(0.0) >= 0.8,
        "not inverted: {share}"
    );
    let remembered = browser
        .execute(
            "return localStorage.getItem('framewise.framewise.camera')",
            &[],
        )
        .unwrap();
    assert_eq!(remembered, id, "the choice is remembered");

    browser.click(".fw-stop").unwrap();
    let ended = browser.wait_for(
        "return window.__fwTracks \
           .every((t) => t.readyState === 'ended')",
        Duration::from_secs(5),
    );
    assert!(ended.is_ok(), "STOP left a camera track running");
}

/// Analyses the output `<video>`'s audio for a second: `{tracks, label,
/// rms, peak_hz}` (an AnalyserNode on its audio track).
const LISTEN: &str = r#"
const stream = document.querySelector('video.fw-output').srcObject;
const tracks = stream ? stream.getAudioTracks() : [];
if (tracks.length === 0) return { tracks: 0 };
const context = new AudioContext();
const source = context.createMediaStreamSource(new MediaStream(tracks));
const analyser = context.createAnalyser();
analyser.fftSize = 8192;
source.connect(analyser);
return new Promise((resolve) => setTimeout(() => {
  const wave = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(wave);
  const spectrum = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(spectrum);
  let peak = 0;
  for (let i = 1; i < spectrum.length; i++) if (spectrum[i] > spectrum[peak]) peak = i;
  const rms = Math.sqrt(wave.reduce((sum, v) => sum + v * v, 0) / wave.length);
  const result = { tracks: tracks.length, label: tracks[0].label, state: tracks[0].readyState,
    rms, peak_hz: peak * context.sampleRate / analyser.fftSize,
    bin_hz: context.sampleRate / analyser.fftSize };
  context.close();
  resolve(result);
}, 1000));
"#;

/// Asserts that `heard` (from [`LISTEN`]) is the fake microphone's tone.
fn assert_tone(heard: &Value) {
    let (_, hz, _) = FAKE_MICROPHONE;
    let peak = heard["peak_hz"].as_f64().unwrap_or(0.0);
    let bin = heard["bin_hz"].as_f64().unwrap_or(0.0);
    assert_eq!(heard["tracks"], 1, "{heard}");
    assert_eq!(heard["state"], "live", "{heard}");
    assert!(
        (peak - hz).abs() <= 2.0 * bin,
        "the output's audio peaks at {peak} Hz, not the microphone's {hz} Hz: {heard}"
    );
    // Our tone has an RMS of 0.35; Chromium's capture path plays it at
    // about 0.1 (its own level). Silence is below 0.001.
    let rms = heard["rms"].as_f64().unwrap_or(0.0);
    assert!(rms > 0.03, "the output's audio is too quiet: {heard}");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_microphone_passes_through_to_the_output_and_can_be_switched() {
    let server = StaticServer::start(&dist_dir().unwrap()).unwrap();
    let camera = fake_camera_flag().unwrap();
    let microphone = fake_microphone_flag().unwrap();
    let autoplay = "--autoplay-policy=no-user-gesture-required";
    let browser = Browser::start(&[&camera, &microphone, autoplay]).unwrap();
    browser.add_init_script(SPY).unwrap();
    browser
        .goto(&server.url("/?processor=invert&mode=camera&autostart=1&audio=1"))
        .unwrap();
    wait_playing(&browser);
    let heard = browser.execute(LISTEN, &[]).unwrap();
    println!("output audio: {heard}");
    assert_tone(&heard);

    let microphones = options(&browser, "framewise-microphone");
    println!("microphones: {microphones}");
    let other = microphones
        .as_array()
        .and_then(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .find(|label| *label != "Default" && Some(*label) != heard["label"].as_str())
        })
        .expect("a second microphone")
        .to_owned();
    pick(&browser, "framewise-microphone", &other);
    let switched = browser.wait_for(
        &format!(
            "const s = document.querySelector('video.fw-output').srcObject; \
             const t = s && s.getAudioTracks(); \
             return t && t.length === 1 && t[0].label === {other:?} && t[0].readyState === 'live'"
        ),
        Duration::from_secs(10),
    );
    assert!(switched.is_ok(), "the output's microphone is not {other}");
    let heard = browser.execute(LISTEN, &[]).unwrap();
    println!("output audio after the switch: {heard}");
    assert_tone(&heard);
    let old_ended = browser
        .execute(
            "return window.__fwTracks.filter((t) => t.kind === 'audio') \
               .filter((t) => t.readyState === 'live').length",
            &[],
        )
        .unwrap();
    assert_eq!(old_ended, 1, "the old microphone track still runs");
    let state = browser
        .execute("return document.querySelector('.fw-streamer').dataset", &[])
        .unwrap();
    assert_eq!(state["restarts"], "0");
    assert_eq!(state["state"], "playing");
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn switching_the_microphone_keeps_the_audio_processor_running() {
    let (_server, browser) = framewise_e2e::audio::open_local(
        "/?processor=gain&mode=camera&autostart=1",
        &fake_microphone_flag().unwrap(),
    );
    set_slider(&browser, "fw-gain-gain_db", "-6");
    std::thread::sleep(Duration::from_millis(400));
    let before = Recording::take(&browser, 600);
    let running = browser
        .execute(
            "return window.__fwTracks.find((t) => t.kind === 'audio').label",
            &[],
        )
        .unwrap();
    let other = options(&browser, "framewise-microphone")
        .as_array()
        .and_then(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .find(|label| *label != "Default" && Some(*label) != running.as_str())
                .map(str::to_owned)
        })
        .expect("a second microphone");
    println!("switching from {running} to {other}");
    pick(&browser, "framewise-microphone", &other);
    let switched = browser.wait_for(
        &format!(
            "const live = window.__fwTracks.filter((t) => t.kind === 'audio' && t.readyState === 'live'); \
             return live.length === 1 && live[0].label === {other:?}"
        ),
        Duration::from_secs(10),
    );
    assert!(switched.is_ok(), "the microphone did not switch to {other}");
    std::thread::sleep(Duration::from_millis(400));
    let after = Recording::take(&browser, 600);
    println!(
        "gain at -6 dB before the switch {:.4}, after {:.4}",
        before.gain(),
        after.gain()
    );
    let expected = 10f64.powf(-6.0 / 20.0);
    for (when, gain) in [("before", before.gain()), ("after", after.gain())] {
        assert!(
            (gain - expected).abs() <= 0.03 * expected,
            "{when} the switch the output is {gain:.4} of the microphone, not {expected:.4}"
        );
    }
    let state = browser
        .execute("return document.querySelector('.fw-streamer').dataset", &[])
        .unwrap();
    assert_eq!(state["audioPath"], "worker", "{state}");
    assert_eq!(state["audioRunsAt"], "local", "{state}");
    assert_eq!(state["restarts"], "0", "{state}");
}
