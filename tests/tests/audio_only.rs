//! Audio only (`camera=false`, the demo's `&camera=0`): the microphone
//! through the audio processor, no camera opened and no video in the
//! output, locally (in the audio worker) and through the server in an
//! audio-only session; gain at −6 dB halves the RMS either way.

use std::time::Duration;

use framewise::synth;
use framewise_e2e::audio::{open_audio_only, AudioOnlyServer, Recording};
use framewise_e2e::camera::set_slider;
use framewise_e2e::microphone_flag;
use framewise_e2e::webdriver::Browser;

fn tone() -> String {
    let wav = synth::wav(48_000, 1, 2.0, 440.0);
    microphone_flag("tone-440.0", &wav).expect("writing the tone")
}

/// The kinds of the tracks getUserMedia gave and of the output's
/// tracks: `[camera tracks, output video tracks, output audio tracks]`.
fn track_counts(browser: &Browser) -> Vec<u64> {
    let counts = browser
        .execute(
            "const out = document.querySelector('video.fw-output').srcObject; \
             return [window.__fwTracks.filter((t) => t.kind === 'video').length, \
                     out ? out.getVideoTracks().length : -1, \
                     out ? out.getAudioTracks().length : -1]",
            &[],
        )
        .expect("reading the tracks");
    counts
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_u64()).collect())
        .unwrap_or_default()
}

/// Output/microphone RMS at 0 dB and at −6 dB.
fn gains(browser: &Browser, settle_ms: u64) -> (f64, f64) {
    std::thread::sleep(Duration::from_millis(settle_ms));
    let unity = Recording::take(browser, 800).gain();
    set_slider(browser, "fw-gain-gain_db", "-6");
    std::thread::sleep(Duration::from_millis(settle_ms));
    let halved = Recording::take(browser, 800).gain();
    println!("output/microphone RMS at 0 dB {unity:.4}, at -6 dB {halved:.4}");
    (unity, halved)
}

#[test]
#[ignore = "needs a trunk build of www/, Chromium and ChromeDriver; `cargo xtask test` runs it"]
fn audio_only_runs_the_processor_without_a_camera() {
    let query = "/?processor=gain&mode=camera&camera=0&autostart=1";
    let (_server, browser) = open_audio_only(query, &tone(), false);
    assert_eq!(track_counts(&browser), vec![0, 0, 1]);
    let (unity, halved) = gains(&browser, 400);
    assert!(
        (unity - 1.0).abs() <= 0.02,
        "0 dB changed the level: {unity}"
    );
    let expected = 10f64.powf(-6.0 / 20.0);
    assert!(
        (halved - expected).abs() <= 0.02 * expected,
        "-6 dB gave {halved:.4}, not {expected:.4}"
    );
}

#[test]
#[ignore = "needs a trunk build of www/, framewise-server and Chromium; `cargo xtask test` runs it"]
fn audio_only_runs_on_the_server_in_an_audio_only_session() {
    let query = "/?processor=gain&mode=camera&camera=0&placement=remote&autostart=1";
    let (server, browser) = open_audio_only(query, &tone(), true);
    let AudioOnlyServer::Remote(server) = server else {
        panic!("no framewise-server");
    };
    assert_eq!(server.sessions().expect("the session count"), 1);
    assert_eq!(track_counts(&browser), vec![0, 0, 1]);
    let (unity, halved) = gains(&browser, 600);
    let expected = 10f64.powf(-6.0 / 20.0);
    let ratio = halved / unity;
    assert!(
        (unity - 1.0).abs() <= 0.06,
        "0 dB changed the level: {unity}"
    );
    assert!(
        (ratio - expected).abs() <= 0.03 * expected,
        "-6 dB through the server gave {ratio:.4} of the 0 dB level, not {expected:.4}"
    );
}
