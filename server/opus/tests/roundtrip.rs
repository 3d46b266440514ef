//! Samples through libopus and back: level and pitch kept within codec
//! tolerance, bad input refused with a clear error.

use std::f32::consts::TAU;

use framewise_opus::{OpusDecoder, OpusEncoder, OpusError, SAMPLE_RATE};

const BLOCK: usize = 960;

fn tone(hz: f32, amplitude: f32, blocks: usize) -> Vec<f32> {
    (0..BLOCK * blocks)
        .map(|i| amplitude * (i as f32 * hz * TAU / SAMPLE_RATE as f32).sin())
        .collect()
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

/// Rising zero crossings per second.
fn frequency(samples: &[f32]) -> f32 {
    let rising = samples
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    rising as f32 * SAMPLE_RATE as f32 / samples.len() as f32
}

fn roundtrip(input: &[f32], bitrate: i32) -> Vec<f32> {
    let mut encoder = OpusEncoder::new(bitrate).expect("an encoder");
    let mut decoder = OpusDecoder::new().expect("a decoder");
    input
        .chunks(BLOCK)
        .flat_map(|block| {
            let packet = encoder.encode(block).expect("encoding");
            decoder.decode(&packet).expect("decoding")
        })
        .collect()
}

#[test]
fn a_tone_keeps_its_level_and_pitch_at_32_kbps() {
    for amplitude in [0.5, 0.125] {
        let input = tone(440.0, amplitude, 100);
        let output = roundtrip(&input, 32_000);
        assert_eq!(output.len(), input.len());
        // Past the codec's start-up (its look-ahead and first packets).
        let settled = &output[BLOCK * 10..];
        let ratio = rms(settled) / rms(&input[BLOCK * 10..]);
        assert!(
            (ratio - 1.0).abs() < 0.05,
            "level ratio {ratio} at {amplitude}"
        );
        let hz = frequency(settled);
        assert!((hz - 440.0).abs() < 3.0, "pitch {hz} Hz");
    }
}

#[test]
fn silence_stays_silent() {
    let output = roundtrip(&vec![0.0; BLOCK * 20], 32_000);
    assert!(rms(&output) < 1e-3, "rms {}", rms(&output));
}

#[test]
fn a_lost_packet_is_concealed_with_a_block_of_its_length() {
    let input = tone(440.0, 0.5, 20);
    let mut encoder = OpusEncoder::new(32_000).unwrap();
    let mut decoder = OpusDecoder::new().unwrap();
    for block in input.chunks(BLOCK).take(10) {
        decoder.decode(&encoder.encode(block).unwrap()).unwrap();
    }
    let concealed = decoder.conceal().unwrap();
    assert_eq!(concealed.len(), BLOCK);
    assert!(rms(&concealed) > 0.05, "concealment carries the tone on");
}

#[test]
fn bad_input_is_an_error_not_a_crash() {
    assert!(matches!(OpusEncoder::new(1_000), Err(OpusError::Config(_))));
    assert!(matches!(
        OpusEncoder::new(900_000),
        Err(OpusError::Config(_))
    ));
    let mut encoder = OpusEncoder::new(32_000).unwrap();
    let error = encoder.encode(&[0.0; 1000]).unwrap_err();
    assert!(error.to_string().contains("1000 samples"), "{error}");
    let mut decoder = OpusDecoder::new().unwrap();
    assert!(matches!(decoder.decode(&[]), Err(OpusError::Decode(_))));
    // TOC of config 31 with code 3 asking for 63 frames: over 120 ms.
    let error = decoder.decode(&[0xff, 0xff, 0x00]).unwrap_err();
    assert!(matches!(error, OpusError::Decode(_)), "{error}");
    // The decoder goes on after a bad packet.
    let packet = encoder.encode(&[0.0; BLOCK]).unwrap();
    assert_eq!(decoder.decode(&packet).unwrap().len(), BLOCK);
}
