//! Behaviour of the built-in processors (the kernels with their own
//! references are in `kernels.rs`), checked against independent math.

use framewise::processors::video::luma::luma;
use framewise::{synth, AudioFrame, Cost, MediaKind, Registry, VideoFrame};
use serde_json::{json, Value};

fn run_video(name: &str, params: Value, frame: &mut VideoFrame) -> Vec<Value> {
    let mut pipeline = Registry::with_builtins()
        .video(name, &params)
        .expect("valid params");
    pipeline.process(frame).expect("processes")
}

fn run_audio(name: &str, params: Value, frame: &mut AudioFrame) -> Vec<Value> {
    let mut pipeline = Registry::with_builtins()
        .audio(name, &params)
        .expect("valid params");
    pipeline.process(frame).expect("processes")
}

#[test]
fn registry_lists_every_builtin_with_schema_and_cost() {
    let registry = Registry::with_builtins();
    let names: Vec<&str> = registry.infos().map(|i| i.name.as_str()).collect();
    for name in [
        "passthrough",
        "grayscale",
        "invert",
        "canny",
        "blur",
        "edge-overlay",
        "pixelate",
        "cartoon",
        "brightness-contrast",
        "flip",
        "rotate-180",
        "frame-stats",
        "stress",
        "gain",
        "delay",
        "lowpass",
        "highpass",
        "level-meter",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let canny = registry.info("canny").unwrap();
    assert_eq!(canny.kind, MediaKind::Video);
    assert_ne!(canny.cost, Cost::Light);
    let json = serde_json::to_value(canny).unwrap();
    assert_eq!(json["params"][0]["name"], "threshold1");
    assert_eq!(json["params"][0]["default"], 100.0);
    assert_eq!(json["params"][1]["default"], 200.0);
    assert_eq!(registry.info("gain").unwrap().kind, MediaKind::Audio);
}

#[test]
fn unknown_processor_names_the_known_ones() {
    let registry = Registry::with_builtins();
    let err = registry
        .video("sepia", &json!({}))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("unknown video processor \"sepia\"; known video processors: blur, "),
        "{err}"
    );
    let err = registry
        .audio("invert", &json!({}))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("unknown audio processor \"invert\"") && err.contains("gain"),
        "{err}"
    );
}

#[test]
fn bad_params_at_creation_and_later_are_clear_and_harmless() {
    let registry = Registry::with_builtins();
    let err = registry
        .video("canny", &json!({"threshold1": 5000}))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("canny: param \"threshold1\" is 5000, outside its range 0..=1000"),
        "{err}"
    );
    let mut pixelate = registry
        .video("pixelate", &json!({"block_size": 4}))
        .unwrap();
    let err = pixelate
        .set_params(&json!({"block_size": "big"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"block_size\" must be a whole number"),
        "{err}"
    );
    assert_eq!(pixelate.params().int("block_size"), Ok(4));
}

#[test]
fn app_processors_register_next_to_builtins() {
    let mut registry = Registry::with_builtins();
    let info =
        |name: &str| framewise::ProcessorInfo::new(name, MediaKind::Video, Cost::Light, "test");
    let make = framewise::processors::video::invert::Invert::default;
    assert!(registry.register_video(info("my-invert"), make).is_ok());
    assert!(registry
        .register_video(info("my-invert"), make)
        .unwrap_err()
        .to_string()
        .contains("already"));
    assert!(registry.register_video(info("canny"), make).is_err());
    assert!(registry
        .register_video(info("Bad Name"), make)
        .unwrap_err()
        .to_string()
        .contains("lowercase"));
    let audio = framewise::ProcessorInfo::new("x", MediaKind::Audio, Cost::Light, "");
    assert!(registry
        .register_video(audio, make)
        .unwrap_err()
        .to_string()
        .contains("wrong media kind"));
    let bad_default = info("bad").param(framewise::ParamSpec::int("n", "N", 0, 10, 1, 99));
    assert!(registry
        .register_video(bad_default, make)
        .unwrap_err()
        .to_string()
        .contains("invalid default"));
}

#[test]
fn params_change_between_frames_not_during() {
    let registry = Registry::with_builtins();
    let mut bc = registry.video("brightness-contrast", &json!({})).unwrap();
    let mut frame = VideoFrame::filled(2, 2, [100, 100, 100, 255], 0).unwrap();
    bc.process(&mut frame).unwrap();
    assert_eq!(frame.pixel(0, 0), Some([100, 100, 100, 255]));
    bc.set_params(&json!({"brightness": 20})).unwrap();
    bc.process(&mut frame).unwrap();
    assert_eq!(frame.pixel(0, 0), Some([120, 120, 120, 255]));
}

#[test]
fn invert_and_grayscale_follow_their_formulas() {
    let input = synth::textured_frame(40, 30, 3);
    let mut inverted = input.clone();
    run_video("invert", json!({}), &mut inverted);
    let mut grey = input.clone();
    run_video("grayscale", json!({}), &mut grey);
    for (i, p) in input.data().chunks_exact(4).enumerate() {
        let q = &inverted.data()[i * 4..i * 4 + 4];
        assert_eq!(q, &[255 - p[0], 255 - p[1], 255 - p[2], p[3]]);
        let g = &grey.data()[i * 4..i * 4 + 4];
        let expected = 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
        assert!(g[0] == g[1] && g[1] == g[2] && (f64::from(g[0]) - expected).abs() <= 0.51);
        assert_eq!(g[0], luma(p[0], p[1], p[2]));
    }
}

#[test]
fn flips_and_rotation_move_pixels_where_they_belong() {
    let input = synth::textured_frame(7, 5, 1);
    for (name, params, map) in [
        (
            "flip",
            json!({"axis": "horizontal"}),
            (|x, y| (6 - x, y)) as fn(u32, u32) -> (u32, u32),
        ),
        ("flip", json!({"axis": "vertical"}), |x, y| (x, 4 - y)),
        ("rotate-180", json!({}), |x, y| (6 - x, 4 - y)),
    ] {
        let mut out = input.clone();
        run_video(name, params, &mut out);
        for y in 0..5 {
            for x in 0..7 {
                let (sx, sy) = map(x, y);
                assert_eq!(out.pixel(x, y), input.pixel(sx, sy), "{name} at {x},{y}");
            }
        }
    }
}

#[test]
fn pixelate_fills_blocks_with_their_mean() {
    let input = synth::textured_frame(10, 7, 5);
    let mut out = input.clone();
    run_video("pixelate", json!({"block_size": 4}), &mut out);
    // The partial block at x 8..10, y 4..7 holds the mean of its 6 pixels.
    let block: Vec<[u8; 4]> = (4..7)
        .flat_map(|y| (8..10).map(move |x| (x, y)))
        .map(|(x, y)| input.pixel(x, y).unwrap())
        .collect();
    for c in 0..4 {
        let sum: u32 = block.iter().map(|p| u32::from(p[c])).sum();
        let mean = (f64::from(sum) / 6.0).round() as u8;
        for (x, y) in [(8, 4), (9, 6)] {
            assert!(
                out.pixel(x, y).unwrap()[c].abs_diff(mean) <= 1,
                "channel {c}"
            );
        }
    }
    assert_eq!(out.pixel(0, 0), out.pixel(3, 3));
    assert_ne!(out.pixel(3, 3), out.pixel(4, 3));
}

#[test]
fn brightness_contrast_matches_the_formula() {
    let mut frame = VideoFrame::from_rgba(
        3,
        1,
        vec![0, 64, 128, 255, 200, 250, 10, 255, 128, 128, 128, 0],
        0,
    )
    .unwrap();
    run_video(
        "brightness-contrast",
        json!({"brightness": -10, "contrast": 1.5}),
        &mut frame,
    );
    let f = |v: f64| ((v - 128.0) * 1.5 + 118.0).round().clamp(0.0, 255.0) as u8;
    assert_eq!(
        frame.data(),
        &[
            f(0.0),
            f(64.0),
            f(128.0),
            255,
            f(200.0),
            f(250.0),
            f(10.0),
            255,
            118,
            118,
            118,
            0
        ]
    );
}

#[test]
fn frame_stats_reports_brightness_histogram_and_motion_without_changing_the_frame() {
    let mut frame = VideoFrame::filled(8, 8, [100, 100, 100, 255], 0).unwrap();
    let original = frame.clone();
    let mut stats = Registry::with_builtins()
        .video("frame-stats", &json!({"bins": 4}))
        .unwrap();
    let first = stats.process(&mut frame).unwrap();
    assert_eq!(frame, original);
    assert_eq!(first[0]["mean_brightness"], 100.0);
    assert_eq!(first[0]["histogram"], json!([0, 64, 0, 0]));
    assert_eq!(first[0]["motion"], Value::Null);
    let mut brighter = VideoFrame::filled(8, 8, [151, 151, 151, 255], 0).unwrap();
    let second = stats.process(&mut brighter).unwrap();
    assert!((second[0]["motion"].as_f64().unwrap() - 51.0 / 255.0).abs() < 1e-6);
    let mut resized = VideoFrame::filled(4, 4, [0, 0, 0, 255], 0).unwrap();
    assert_eq!(
        stats.process(&mut resized).unwrap()[0]["motion"],
        Value::Null
    );
}

fn rms(samples: &[f32]) -> f64 {
    (samples
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / samples.len() as f64)
        .sqrt()
}

#[test]
fn gain_scales_rms_by_the_decibel_factor() {
    for db in [-20.0, -6.0, 0.0, 6.0, 12.5] {
        let input = synth::sine(48_000, 2, 4_800, 440.0, 0.25);
        let mut out = input.clone();
        run_audio("gain", json!({"gain_db": db}), &mut out);
        let ratio = rms(out.samples()) / rms(input.samples());
        assert!(
            (ratio - 10f64.powf(db / 20.0)).abs() < 1e-5,
            "{db} dB gave {ratio}"
        );
    }
}

#[test]
fn delay_shifts_a_click_by_the_right_number_of_samples() {
    for (ms, rate) in [(10.0, 48_000), (7.3, 44_100), (1.0, 8_000)] {
        let expected = (ms * f64::from(rate) / 1000.0).round() as usize;
        let mut frame = synth::click(rate, 2, expected + 100, 20);
        run_audio(
            "delay",
            json!({"delay_ms": ms, "feedback": 0.0, "mix": 1.0}),
            &mut frame,
        );
        let left: Vec<f32> = frame.samples().iter().step_by(2).copied().collect();
        let peak = left.iter().position(|&s| s == 1.0);
        assert_eq!(peak, Some(20 + expected), "{ms} ms at {rate} Hz");
        assert_eq!(left.iter().filter(|&&s| s != 0.0).count(), 1);
    }
}

#[test]
fn delay_feedback_repeats_the_echo_across_blocks() {
    let mut delay = Registry::with_builtins()
        .audio(
            "delay",
            &json!({"delay_ms": 1.0, "feedback": 0.5, "mix": 1.0}),
        )
        .unwrap();
    let mut first = synth::click(48_000, 1, 48, 0);
    delay.process(&mut first).unwrap();
    assert_eq!(first.samples()[0], 0.0);
    let mut second = synth::sine(48_000, 1, 48, 0.0, 0.0);
    delay.process(&mut second).unwrap();
    // The click comes back after 48 samples, then at half level after 96.
    assert_eq!(second.samples()[0], 1.0);
    let mut third = synth::sine(48_000, 1, 48, 0.0, 0.0);
    delay.process(&mut third).unwrap();
    assert_eq!(third.samples()[0], 0.5);
}

fn attenuation_db(name: &str, params: Value, hz: f64) -> f64 {
    let input = synth::sine(48_000, 1, 48_000, hz, 0.5);
    let mut out = input.clone();
    run_audio(name, params, &mut out);
    // Skip the first 100 ms while the filter settles.
    20.0 * (rms(&out.samples()[4_800..]) / rms(&input.samples()[4_800..])).log10()
}

#[test]
fn filters_attenuate_out_of_band_sines_by_the_expected_amount() {
    // A 2nd-order Butterworth (Q = 1/√2) falls 12 dB per octave: 3 octaves
    // beyond the cutoff is about −36 dB, and the cutoff itself is −3 dB.
    let lowpass = json!({"cutoff_hz": 1000, "q": std::f64::consts::FRAC_1_SQRT_2});
    assert!(attenuation_db("lowpass", lowpass.clone(), 100.0).abs() < 0.1);
    assert!((attenuation_db("lowpass", lowpass.clone(), 1000.0) + 3.01).abs() < 0.2);
    let far = attenuation_db("lowpass", lowpass, 8000.0);
    assert!((-38.0..=-34.0).contains(&far), "lowpass at 8 kHz: {far} dB");
    let highpass = json!({"cutoff_hz": 2000, "q": std::f64::consts::FRAC_1_SQRT_2});
    assert!(attenuation_db("highpass", highpass.clone(), 16_000.0).abs() < 0.2);
    let far = attenuation_db("highpass", highpass, 250.0);
    assert!(
        (-38.0..=-34.0).contains(&far),
        "highpass at 250 Hz: {far} dB"
    );
}

#[test]
fn level_meter_reports_rms_and_peak_per_channel() {
    let mut frame = AudioFrame::new(48_000, 2, [0.5, -0.25].repeat(100), 0).unwrap();
    let original = frame.clone();
    let results = run_audio("level-meter", json!({}), &mut frame);
    assert_eq!(frame, original);
    assert_eq!(results[0]["rms"], json!([0.5, 0.25]));
    assert_eq!(results[0]["peak"], json!([0.5, 0.25]));
    let db = results[0]["rms_dbfs"][0].as_f64().unwrap();
    assert!((db + 6.0206).abs() < 1e-3, "{db}");
    let mut silence = synth::sine(48_000, 1, 10, 0.0, 0.0);
    let results = run_audio("level-meter", json!({}), &mut silence);
    assert_eq!(results[0]["peak_dbfs"], json!([-120.0]));
}

/// The results of audio processor `name` for `audio` fed in render
/// quanta of 128 samples, as a real stream is.
fn results_of(name: &str, audio: AudioFrame, params: Value) -> Vec<Value> {
    let mut pipeline = Registry::with_builtins()
        .audio(name, &params)
        .expect("valid params");
    let channels = usize::from(audio.channels());
    let mut results = Vec::new();
    for block in audio.samples().chunks(128 * channels) {
        let mut block = AudioFrame::new(audio.sample_rate(), audio.channels(), block.to_vec(), 0)
            .expect("a block");
        results.extend(pipeline.process(&mut block).expect("processes"));
    }
    results
}

#[test]
fn pitch_finds_the_frequency_and_note_of_a_tone() {
    for (rate, hz, note) in [
        (48_000, 440.0, "A4"),
        (44_100, 110.0, "A2"),
        (48_000, 261.63, "C4"),
        (48_000, 1000.0, "B5"),
    ] {
        let results = results_of(
            "pitch",
            synth::sine(rate, 2, rate as usize / 2, hz, 0.5),
            json!({}),
        );
        // Two periods of 60 Hz per window, a result every half window.
        let window = 2.0 * (f64::from(rate) / 60.0).ceil();
        let expected = ((f64::from(rate) / 2.0 - window) / (window / 2.0)).floor() as usize + 1;
        assert!(
            results.len().abs_diff(expected) <= 1,
            "{} results",
            results.len()
        );
        let last = results.last().unwrap();
        let found = last["hz"].as_f64().unwrap();
        assert!(
            (found - hz).abs() < hz * 0.002,
            "{hz} Hz read as {found}: {last}"
        );
        assert_eq!(last["note"], note, "{last}");
        assert!(last["clarity"].as_f64().unwrap() > 0.95, "{last}");
        assert!(last["cents"].as_f64().unwrap().abs() < 50.0);
    }
}

#[test]
fn pitch_of_silence_and_noise_is_none_and_the_sound_is_unchanged() {
    let silence = results_of("pitch", synth::sine(48_000, 1, 24_000, 0.0, 0.0), json!({}));
    assert!(!silence.is_empty());
    assert!(silence
        .iter()
        .all(|r| r["hz"].is_null() && r["note"].is_null()));
    let noise = results_of("pitch", synth::noise(48_000, 1, 24_000, 0.5, 7), json!({}));
    let pitched = noise.iter().filter(|r| !r["hz"].is_null()).count();
    assert!(
        pitched * 10 <= noise.len(),
        "noise had a pitch {pitched} times"
    );
    let mut tone = synth::sine(48_000, 1, 4_800, 440.0, 0.5);
    let original = tone.clone();
    run_audio("pitch", json!({}), &mut tone);
    assert_eq!(tone, original);
}

#[test]
fn pitch_range_limits_what_is_found() {
    // 50 Hz is below the lowest frequency asked for: no pitch, or a
    // harmonic inside the range, never 50.
    let results = results_of(
        "pitch",
        synth::sine(48_000, 1, 24_000, 50.0, 0.5),
        json!({"min_hz": 100}),
    );
    assert!(results
        .iter()
        .all(|r| r["hz"].as_f64().is_none_or(|hz| hz >= 99.0)));
    let refused = Registry::with_builtins()
        .audio("pitch", &json!({"max_hz": 100}))
        .err()
        .unwrap();
    assert!(refused.to_string().contains("max_hz"), "{refused}");
}

#[test]
fn spectrum_peaks_at_the_tone_in_its_band() {
    for (rate, hz) in [(48_000, 440.0), (44_100, 3_000.0), (48_000, 100.0)] {
        let tone = synth::sine(rate, 2, rate as usize, hz, 0.5);
        let results = results_of("spectrum", tone, json!({}));
        // 20 a second once the first 4096 samples are in.
        assert!(
            (15..=20).contains(&results.len()),
            "{} results",
            results.len()
        );
        let last = results.last().unwrap();
        let peak = last["peak_hz"].as_f64().unwrap();
        assert!((peak - hz).abs() < 2.0, "{hz} Hz peaked at {peak}");
        // A sine at half scale is -6 dBFS (up to 1.5 dB lower between bins).
        let level = last["peak_db"].as_f64().unwrap();
        assert!((-7.6..=-5.5).contains(&level), "{hz} Hz at {level} dB");
        let bands: Vec<f64> = serde_json::from_value(last["bands_db"].clone()).unwrap();
        assert_eq!(bands.len(), 32);
        let (min, max) = (
            last["min_hz"].as_f64().unwrap(),
            last["max_hz"].as_f64().unwrap(),
        );
        let loudest = (0..bands.len())
            .max_by(|&a, &b| bands[a].total_cmp(&bands[b]))
            .unwrap();
        let ratio = (max / min).ln() / bands.len() as f64;
        let (low, high) = (
            min * (ratio * loudest as f64).exp(),
            min * (ratio * (loudest + 1) as f64).exp(),
        );
        assert!(
            low <= hz * 1.02 && hz <= high * 1.02,
            "{hz} Hz loudest in {low}..{high}"
        );
    }
}

#[test]
fn spectrum_of_silence_has_no_peak_and_the_sound_is_unchanged() {
    let silence = results_of(
        "spectrum",
        synth::sine(48_000, 1, 24_000, 0.0, 0.0),
        json!({}),
    );
    assert!(!silence.is_empty());
    assert!(silence.iter().all(|r| r["peak_hz"].is_null()));
    let fewer = results_of(
        "spectrum",
        synth::sine(48_000, 1, 48_000, 440.0, 0.5),
        json!({"updates": 5, "fft_size": "1024", "bands": 8}),
    );
    assert!((4..=5).contains(&fewer.len()), "{} results", fewer.len());
    assert_eq!(fewer[0]["bands_db"].as_array().map(Vec::len), Some(8));
    let mut tone = synth::sine(48_000, 1, 9_600, 440.0, 0.5);
    let original = tone.clone();
    run_audio("spectrum", json!({}), &mut tone);
    assert_eq!(tone, original);
    let refused = Registry::with_builtins().audio("spectrum", &json!({"fft_size": "1000"}));
    assert!(refused.err().unwrap().to_string().contains("fft_size"));
}

#[test]
fn notes_are_named_with_their_octave_and_cents() {
    use framewise::processors::audio::pitch::note;
    assert_eq!(note(440.0).0, "A4");
    assert_eq!(note(27.5).0, "A0");
    assert_eq!(note(16.352).0, "C0");
    let (name, cents) = note(445.0);
    assert_eq!(name, "A4");
    assert!((cents - 19.56).abs() < 0.05, "{cents}");
    let (name, cents) = note(430.0);
    assert_eq!(name, "A4");
    assert!(cents < 0.0);
}

/// Takes any params but refuses `n = 3` when configured.
#[derive(Default)]
struct Picky;

impl framewise::Configure for Picky {
    fn configure(&mut self, params: &framewise::Params) -> Result<(), framewise::ParamError> {
        match params.int("n")? {
            3 => Err(framewise::ParamError::Undeclared {
                name: "n".into(),
                expected: "anything but 3",
            }),
            _ => Ok(()),
        }
    }
}

impl framewise::VideoProcessor for Picky {
    fn process(
        &mut self,
        _: &mut VideoFrame,
        _: &mut framewise::Results,
    ) -> Result<(), framewise::ProcessError> {
        Ok(())
    }
}

#[test]
fn params_a_processor_rejects_leave_it_running_as_before() {
    let mut registry = Registry::new();
    let info = framewise::ProcessorInfo::new("picky", MediaKind::Video, Cost::Light, "test")
        .param(framewise::ParamSpec::int("n", "N", 0, 9, 1, 1));
    registry.register_video(info, Picky::default).unwrap();
    let mut picky = registry.video("picky", &json!({"n": 2})).unwrap();
    picky.set_params(&json!({"n": 3})).unwrap();
    assert_eq!(picky.params().int("n"), Ok(3), "accepted, pending");
    let mut frame = VideoFrame::filled(1, 1, [0; 4], 0).unwrap();
    assert!(picky
        .process(&mut frame)
        .unwrap_err()
        .to_string()
        .contains("anything but 3"));
    assert_eq!(picky.params().int("n"), Ok(2), "back to what it runs with");
    assert!(picky.process(&mut frame).is_ok());
}
