//! The generated test media: the frame-index strip survives the processors
//! that keep it legible, and the Y4M and WAV files are well formed.

use framewise::synth::{self, index_strip};
use framewise::{ColorRange, I420Frame, Registry, VideoFrame};
use serde_json::json;

fn process(name: &str, frame: &mut VideoFrame) {
    let mut pipeline = Registry::with_builtins()
        .video(name, &json!({}))
        .expect("built-in");
    pipeline.process(frame).expect("processes");
}

#[test]
fn index_strip_round_trips_through_legible_processors() {
    for (w, h) in [(640, 480), (1280, 720), (160, 120), (19, 4), (57, 31)] {
        for index in [0, 1, 2, 255, 256, 4097, 65_535] {
            let frame = synth::moving_frame(w, h, index, 0);
            assert_eq!(
                index_strip::read(&frame, false),
                Some(index),
                "{w}x{h} #{index}"
            );
            for name in ["invert", "grayscale", "passthrough", "brightness-contrast"] {
                let mut out = frame.clone();
                process(name, &mut out);
                assert_eq!(
                    index_strip::read(&out, false),
                    Some(index),
                    "{name} {w}x{h} #{index}"
                );
            }
            let mut mirrored = frame.clone();
            process("flip", &mut mirrored);
            assert_eq!(
                index_strip::read(&mirrored, true),
                Some(index),
                "flip {w}x{h} #{index}"
            );
            let back =
                I420Frame::from_rgba(&frame, ColorRange::Limited).to_rgba(ColorRange::Limited);
            assert_eq!(
                index_strip::read(&back, false),
                Some(index),
                "I420 {w}x{h} #{index}"
            );
        }
    }
}

#[test]
fn index_strip_survives_a_blur_at_camera_sizes() {
    let mut frame = synth::moving_frame(640, 480, 12_345, 0);
    process("blur", &mut frame);
    assert_eq!(index_strip::read(&frame, false), Some(12_345));
}

#[test]
fn index_wraps_at_16_bits() {
    assert_eq!(
        index_strip::read(&synth::moving_frame(320, 240, 65_537, 0), false),
        Some(1)
    );
}

#[test]
fn an_illegible_strip_reads_as_none() {
    assert_eq!(
        index_strip::read(&synth::textured_frame(640, 480, 1), false),
        None
    );
    assert_eq!(
        index_strip::read(
            &VideoFrame::filled(640, 480, [0, 0, 0, 255], 0).unwrap(),
            false
        ),
        None
    );
    assert_eq!(
        index_strip::read(&VideoFrame::filled(640, 480, [255; 4], 0).unwrap(), false),
        None
    );
    assert_eq!(
        index_strip::read(&synth::moving_frame(18, 40, 3, 0), false),
        None,
        "too narrow"
    );
    // One flipped data bit breaks the parity.
    let mut frame = synth::moving_frame(190, 64, 6, 0);
    for y in 0..index_strip::height(64) {
        for x in 10..20 {
            let i = ((y * 190 + x) * 4) as usize;
            frame.data_mut()[i..i + 3].copy_from_slice(&[255, 255, 255]);
        }
    }
    assert_eq!(index_strip::read(&frame, false), None);
}

#[test]
fn moving_frames_move_and_keep_a_still_rectangle() {
    let (a, b) = (
        synth::moving_frame(320, 240, 0, 0),
        synth::moving_frame(320, 240, 10, 0),
    );
    assert_ne!(
        a.data()[320 * 4 * 40..],
        b.data()[320 * 4 * 40..],
        "shapes move"
    );
    let (x0, y0, x1, y1) = synth::still_rect(320, 240);
    for (x, y) in [(x0, y0), (x1 - 1, y1 - 1), ((x0 + x1) / 2, (y0 + y1) / 2)] {
        let [r, g, b_, _] = a.pixel(x, y).unwrap();
        assert_eq!([r, g, b_], synth::STILL_COLOR);
        assert_eq!(a.pixel(x, y), b.pixel(x, y));
    }
}

#[test]
fn canny_finds_the_still_rectangle_and_nothing_in_flat_areas() {
    let (w, h) = (640, 480);
    let mut frame = synth::moving_frame(w, h, 7, 0);
    process("canny", &mut frame);
    let (x0, y0, x1, y1) = synth::still_rect(w, h);
    let edge_near = |x: u32, y: u32| {
        (x.saturating_sub(1)..=x + 1)
            .any(|x| (y.saturating_sub(1)..=y + 1).any(|y| frame.pixel(x, y).unwrap()[0] == 255))
    };
    for x in (x0 + 4..x1 - 4).step_by(7) {
        assert!(
            edge_near(x, y0) && edge_near(x, y1 - 1),
            "top/bottom border at x {x}"
        );
    }
    for y in (y0 + 4..y1 - 4).step_by(7) {
        assert!(
            edge_near(x0, y) && edge_near(x1 - 1, y),
            "left/right border at y {y}"
        );
    }
    // Inside the rectangle and a patch of background are flat: no edges.
    for (ax, ay, bx, by) in [
        (x0 + 3, y0 + 3, x1 - 3, y1 - 3),
        (w - 60, h - 40, w - 10, h - 5),
    ] {
        for y in ay..by {
            for x in ax..bx {
                assert_eq!(
                    frame.pixel(x, y).unwrap()[0],
                    0,
                    "edge in a flat area at {x},{y}"
                );
            }
        }
    }
}

#[test]
fn y4m_has_a_header_and_frames_that_carry_their_index() {
    let (w, h, fps, frames) = (96, 64, 30, 5);
    let file = synth::y4m(w, h, fps, frames);
    let header = b"YUV4MPEG2 W96 H64 F30:1 Ip A1:1 C420jpeg\n";
    assert!(file.starts_with(header));
    let frame_len = I420Frame::buffer_len(w, h);
    assert_eq!(file.len(), header.len() + frames as usize * (6 + frame_len));
    for k in 0..frames as usize {
        let start = header.len() + k * (6 + frame_len);
        assert_eq!(&file[start..start + 6], b"FRAME\n");
        let planes = file[start + 6..start + 6 + frame_len].to_vec();
        let rgba = I420Frame::new(w, h, planes, 0)
            .unwrap()
            .to_rgba(ColorRange::Limited);
        assert_eq!(index_strip::read(&rgba, false), Some(k as u32));
    }
}

#[test]
fn wav_is_16_bit_pcm_with_the_right_length_and_level() {
    let file = synth::wav(48_000, 2, 0.5, 440.0);
    assert_eq!(&file[0..4], b"RIFF");
    assert_eq!(&file[8..16], b"WAVEfmt ");
    let u16_at = |i: usize| u16::from_le_bytes([file[i], file[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([file[i], file[i + 1], file[i + 2], file[i + 3]]);
    assert_eq!(
        (u16_at(20), u16_at(22), u32_at(24), u16_at(34)),
        (1, 2, 48_000, 16)
    );
    assert_eq!(u32_at(40), 24_000 * 2 * 2);
    assert_eq!(file.len(), 44 + 24_000 * 4);
    let peak = file[44..]
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]).unsigned_abs())
        .max();
    assert!((16_300..=16_384).contains(&peak.unwrap()), "{peak:?}");
}

#[test]
fn clicks_are_short_bursts_at_each_period_and_silence_between() {
    let rate = 48_000;
    let clicks = synth::clicks(rate, 2.0, 0.5);
    let samples = clicks.samples();
    assert_eq!((clicks.channels(), samples.len()), (1, 96_000));
    let loud: Vec<usize> = (0..samples.len())
        .filter(|&i| samples[i].abs() > 0.1)
        .collect();
    let burst = 96; // 2 ms at 48 kHz
    for start in [0, 24_000, 48_000, 72_000] {
        assert!(
            loud.iter().any(|&i| (start..start + burst).contains(&i)),
            "no burst at {start}"
        );
    }
    assert!(
        loud.iter().all(|&i| i % 24_000 < burst),
        "sound outside the bursts"
    );
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!((0.7..=0.8).contains(&peak), "peak {peak}");
}

#[test]
fn wav_of_writes_any_block() {
    let clicks = synth::clicks(8_000, 1.0, 0.25);
    let file = synth::wav_of(&clicks);
    assert_eq!(file.len(), 44 + 8_000 * 2);
    let first = i16::from_le_bytes([file[44 + 4], file[45 + 4]]);
    assert_eq!(first, (clicks.samples()[2] * 32_767.0) as i16);
}

/// Zero crossings per second of `samples` at `rate`, halved: the frequency.
fn crossing_hz(samples: &[f32], rate: f64) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / rate)
}

#[test]
fn a_chirp_sweeps_from_its_first_frequency_to_its_last_exponentially() {
    let chirp = synth::chirp(48_000, 4.0, 100.0, 6_400.0, 0.5);
    let samples = chirp.samples();
    assert_eq!(samples.len(), 4 * 48_000);
    assert!(samples.iter().all(|s| s.abs() <= 0.5));
    // Six octaves in four seconds: 1.5 octaves a second.
    let at = |second: f64| {
        let start = (second * 48_000.0) as usize;
        crossing_hz(&samples[start..start + 2_400], 48_000.0)
    };
    let expected = |second: f64| 100.0 * 2f64.powf(1.5 * (second + 0.025));
    for second in [0.0, 1.0, 2.0, 3.9] {
        let (got, want) = (at(second), expected(second));
        assert!(
            (got / want - 1.0).abs() < 0.06,
            "{second} s: {got} Hz, not {want}"
        );
    }
}

#[test]
fn the_spectrogram_draws_a_chirp_as_a_rising_line() {
    let registry = Registry::with_builtins();
    let mut pipeline = registry
        .video("spectrogram", &json!({"speed": 50}))
        .unwrap();
    let chirp = synth::chirp(48_000, 4.0, 100.0, 6_400.0, 0.5);
    for block in chirp.samples().chunks(480) {
        pipeline.hear(&framewise::AudioFrame::new(48_000, 1, block.to_vec(), 0).unwrap());
    }
    let mut frame = synth::textured_frame(400, 300, 1);
    pipeline.process(&mut frame).unwrap();
    let brightest = |x: u32| {
        (0..300u32)
            .max_by_key(|&y| {
                let at = ((y * 400 + x) * 4) as usize;
                frame.data()[at..at + 3]
                    .iter()
                    .map(|&c| u32::from(c))
                    .sum::<u32>()
            })
            .unwrap()
    };
    // 200 columns at 50/s: column x is heard at (x − 200) / 50 s.
    let hz = |x: u32| {
        framewise::processors::video::spectrogram::frequency_at_row(brightest(x), 300, 48_000)
    };
    for x in [230u32, 300, 390] {
        let second = (f64::from(x) - 200.0) / 50.0;
        let want = 100.0 * 2f64.powf(1.5 * second);
        assert!(
            (hz(x) / want - 1.0).abs() < 0.15,
            "column {x}: {} Hz, not {want}",
            hz(x)
        );
    }
    assert!(brightest(390) < brightest(300) && brightest(300) < brightest(230));
}
