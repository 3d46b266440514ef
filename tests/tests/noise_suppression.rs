//! Noise suppression on noisy speech (espeak-ng's sentences with a steady
//! low-passed noise under them): natively, the noise floor in the pauses
//! drops by a measured amount while the speech keeps its level. In the
//! browser (ignored here, run by `cargo xtask test`) the same noisy
//! speech is the fake microphone, denoised in the page (the audio worker) and through
//! the server.

use std::time::Duration;

use framewise::{AudioFrame, Registry};
use framewise_e2e::audio::{open_local, open_remote, Recording};
use framewise_e2e::microphone_flag;
use framewise_e2e::speech::{floor_and_speech_db, Speech};
use framewise_e2e::webdriver::Browser;
use serde_json::json;

/// The pause around each sentence, s.
const PAUSE_S: f64 = 1.5;
/// The noise's peak amplitude before its low-pass.
const NOISE: f32 = 0.1;

/// The noisy speech every check uses, at 48 kHz.
fn noisy_speech() -> Speech {
    Speech::sentences(PAUSE_S)
        .expect("speech from espeak-ng")
        .at_rate(48_000)
        .with_noise(NOISE, 11)
}

/// Runs `speech` through `noise-suppression` at `strength` natively in
/// 10 ms blocks.
fn denoise(speech: &Speech, strength: f64) -> Vec<f64> {
    let registry = Registry::with_builtins();
    let mut pipeline = registry
        .audio("noise-suppression", &json!({ "strength": strength }))
        .expect("the processor");
    let block = (speech.rate / 100) as usize;
    let mut out = Vec::with_capacity(speech.samples.len());
    for chunk in speech.samples.chunks(block) {
        let mut frame = AudioFrame::new(speech.rate, 1, chunk.to_vec(), 0).expect("a block");
        pipeline.process(&mut frame).expect("denoising");
        out.extend(frame.samples().iter().map(|&s| f64::from(s)));
    }
    out
}

#[test]
fn the_noise_floor_of_noisy_speech_drops_and_the_speech_stays() {
    let speech = noisy_speech();
    let input: Vec<f64> = speech.samples.iter().map(|&s| f64::from(s)).collect();
    let rate = f64::from(speech.rate);
    let (floor_in, speech_in) = floor_and_speech_db(rate, &input);
    let (floor_out, speech_out) = floor_and_speech_db(rate, &denoise(&speech, 1.0));
    let (floor_half, _) = floor_and_speech_db(rate, &denoise(&speech, 0.5));
    println!(
        "noise floor {floor_in:.1} → {floor_out:.1} dBFS ({:.1} dB less), speech {speech_in:.1} → {speech_out:.1} dBFS",
        floor_in - floor_out
    );
    assert!(
        floor_in - floor_out >= 30.0,
        "the floor dropped only {:.1} dB",
        floor_in - floor_out
    );
    assert!(
        (speech_in - speech_out).abs() <= 3.0,
        "the speech went from {speech_in:.1} to {speech_out:.1} dBFS"
    );
    // Half the input mixed back in: a floor about 6 dB under the input's.
    let half_drop = floor_in - floor_half;
    println!("at half strength the floor is {half_drop:.1} dB lower");
    assert!(
        (4.0..9.0).contains(&half_drop),
        "at half strength the floor dropped {half_drop:.1} dB"
    );
}

/// The fake microphone playing the noisy speech.
fn noisy_microphone() -> String {
    microphone_flag("noisy-speech", &noisy_speech().wav()).expect("writing the noisy speech")
}

/// Records the microphone and the output for 7 s (a pause and a
/// sentence at least) and returns how much lower the output's noise
/// floor is, dB, after checking that the speech kept its level within
/// `speech_tolerance_db`.
fn floor_drop_in_the_page(browser: &Browser, speech_tolerance_db: f64) -> f64 {
    // The network learns the noise in its first second.
    std::thread::sleep(Duration::from_millis(1500));
    let heard = Recording::take(browser, 7000);
    let (floor_in, speech_in) = floor_and_speech_db(heard.rate, &heard.mic);
    let (floor_out, speech_out) = floor_and_speech_db(heard.rate, &heard.out);
    println!(
        "noise floor {floor_in:.1} → {floor_out:.1} dBFS ({:.1} dB less), speech {speech_in:.1} → {speech_out:.1} dBFS",
        floor_in - floor_out
    );
    assert!(
        (speech_in - speech_out).abs() <= speech_tolerance_db,
        "the speech went from {speech_in:.1} to {speech_out:.1} dBFS"
    );
    floor_in - floor_out
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_audio_worker_lowers_the_noise_floor_of_the_microphone() {
    let (_server, browser) = open_local(
        "/?processor=noise-suppression&mode=camera&autostart=1",
        &noisy_microphone(),
    );
    let drop = floor_drop_in_the_page(&browser, 3.0);
    assert!(drop >= 30.0, "the floor dropped only {drop:.1} dB");
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_server_lowers_the_noise_floor_through_opus() {
    let (_server, browser) = open_remote(
        "/?processor=noise-suppression&mode=camera&placement=remote&autostart=1",
        &noisy_microphone(),
    );
    // Opus adds a floor of its own to what it codes.
    let drop = floor_drop_in_the_page(&browser, 3.0);
    assert!(drop >= 25.0, "the floor dropped only {drop:.1} dB");
}
