//! Audio through the server end to end: the demo with `placement=remote`
//! sends the fake microphone (a generated tone) to `framewise-server` as
//! Opus next to the camera; the server runs the audio processor and sends
//! Opus back, which the page records beside the raw microphone (the
//! gain, the delay's echo, the high-pass), or whose results reach the
//! page (the spectrum's peak).

use std::time::Duration;

use framewise::synth;
use framewise_e2e::audio::{highpass_db, open_remote, rms, wait_audio_result, Recording};
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

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_delay_on_the_server_echoes_a_click_by_the_set_time() {
    let clicks = synth::wav_of(&synth::clicks(48_000, 1.0, 1.0));
    let wav = microphone_flag("clicks-1s", &clicks).expect("writing the clicks");
    let query = "/?processor=delay&mode=camera&placement=remote&autostart=1";
    let (_server, browser) = open_remote(query, &wav);
    set_slider(&browser, "fw-delay-feedback", "0");
    set_slider(&browser, "fw-delay-mix", "0.5");
    for delay_ms in [120.0, 330.0] {
        set_slider(&browser, "fw-delay-delay_ms", &delay_ms.to_string());
        std::thread::sleep(Duration::from_millis(600));
        // Five clicks: the receiver's jitter buffer stretches or shrinks
        // the odd one by 10–20 ms, and the median must not be it.
        let heard = Recording::take(&browser, 5300);
        let (gap, gaps) = heard.echo_gap_ms();
        let gap = gap.unwrap_or_else(|| panic!("no click and echo in the output"));
        println!(
            "delay {delay_ms} ms through the server: click to echo {gap:.2} ms, of {gaps:.2?}"
        );
        // The click and its echo travel in the same Opus stream.
        assert!(
            (gap - delay_ms).abs() <= 5.0,
            "a delay of {delay_ms} ms put the echo {gap:.2} ms after the click"
        );
    }
}

#[test]
#[ignore = "needs builds of www/ and framewise-server, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn the_highpass_on_the_server_attenuates_a_100_hz_tone_as_designed() {
    let query = "/?processor=highpass&mode=camera&placement=remote&autostart=1";
    let (_server, browser) = open_remote_tone(query, 100.0);
    let q = std::f64::consts::FRAC_1_SQRT_2;
    // Opus's own response at 100 Hz (both ways) is in both recordings:
    // the filter's share is their ratio.
    let gain_at = |cutoff: f64| {
        set_slider(&browser, "fw-highpass-cutoff_hz", &cutoff.to_string());
        std::thread::sleep(Duration::from_millis(800));
        Recording::take(&browser, 1000).gain()
    };
    let open = gain_at(20.0);
    let cut = gain_at(400.0);
    let measured_db = 20.0 * (cut / open).log10();
    let expected_db =
        highpass_db(100.0, 400.0, q, 48_000.0) - highpass_db(100.0, 20.0, q, 48_000.0);
    println!(
        "100 Hz through the server's 400 Hz high-pass: {measured_db:.2} dB against a 20 Hz one \
         (codec response {:.2} dB), designed {expected_db:.2} dB",
        20.0 * open.log10()
    );
    assert!(
        (measured_db - expected_db).abs() <= 1.5,
        "{measured_db:.2} dB, not {expected_db:.2} ± 1.5 dB"
    );
}
