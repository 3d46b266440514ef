//! Audio through the server end to end: the demo with `placement=remote`
//! sends the fake microphone (a generated tone) to `framewise-server` as
//! Opus next to the camera; the server runs the audio processor and sends
//! Opus back, which the page records beside the raw microphone (the
//! gain), or whose results reach the page (the spectrum's peak).

use std::time::Duration;

use framewise::synth;
use framewise_e2e::audio::{open_remote, rms, wait_audio_result, Recording};
use framewise_e2e::camera::set_slider;
use framewise_e2e::microphone_flag;
use framewise_e2e::server::ServerProcess;
use framewise_e2e::webdriver::Browser;

/// [`open_remote`] with a tone of `hz` at half scale as the microphone.
fn open_remote_tone(query: &str, hz: f64) -> (ServerProcess, Browser) {
    let tone = microphone_flag(&format!("tone-{hz}"), &synth::wav(48_000, 1, 2.0, hz))
        .expect("writing the tone");
    open_remote(query, &tone)
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn gain_on_the_server_halves_the_rms_through_opus() {
    let (server, browser) = open_remote_tone(
        "/?processor=gain&mode=camera&placement=remote&autostart=1",
        440.0,
    );
    assert_eq!(server.sessions().unwrap(), 1);
    // Opus settles in a few packets; the output is its decode.
    std::thread::sleep(Duration::from_millis(500));
    let unity = Recording::take(&browser, 1000);
    set_slider(&browser, "fw-gain-gain_db", "-6");
    std::thread::sleep(Duration::from_millis(600));
    let halved = Recording::take(&browser, 1000);
    println!(
        "through the server: output/microphone RMS at 0 dB {:.4}, at -6 dB {:.4} (microphone {:.4})",
        unity.gain(),
        halved.gain(),
        rms(&unity.mic)
    );
    assert!(rms(&unity.mic) > 0.05, "the microphone is too quiet");
    // Opus at 64 kbit/s keeps a steady tone's level within a few percent.
    assert!(
        (unity.gain() - 1.0).abs() <= 0.06,
        "0 dB through the server changed the level: {:.4}",
        unity.gain()
    );
    let expected = 10f64.powf(-6.0 / 20.0);
    let ratio = halved.gain() / unity.gain();
    assert!(
        (ratio - expected).abs() <= 0.03 * expected,
        "-6 dB through the server gave {ratio:.4} of the 0 dB level, not {expected:.4} ± 3%"
    );
    browser
        .execute(
            "document.querySelector('.fw-stop').click(); return true",
            &[],
        )
        .unwrap();
    let sessions = server.wait_no_sessions().unwrap();
    assert_eq!(sessions, 0, "STOP left the server session running");
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_spectrum_on_the_server_peaks_at_the_tone() {
    let query = "/?processor=spectrum&mode=camera&placement=remote&autostart=1";
    let (_server, browser) = open_remote_tone(query, 1000.0);
    let result = wait_audio_result(&browser, "peak_hz");
    let peak = result["peak_hz"].as_f64().unwrap_or(0.0);
    println!(
        "spectrum of the 1 kHz tone through Opus: peak {peak:.2} Hz at {} dB",
        result["peak_db"]
    );
    assert!((peak - 1000.0).abs() < 3.0, "{result}");
}
