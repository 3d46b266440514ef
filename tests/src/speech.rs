//! Spoken test audio: Debian's `espeak-ng` (which `cargo xtask setup`
//! installs) renders known sentences, put between stretches of silence,
//! and a labelling of where the speech is, computed from the samples'
//! energy in the detector's 16 ms frames — what a voice activity detector
//! is held to.

use std::io;
use std::process::Command;

use framewise::processors::audio::resample::Resampler;
use framewise::{synth, AudioFrame};

/// The sentences of [`Speech::sentences`].
pub const SENTENCES: [&str; 2] = [
    "The quick brown fox jumps over the lazy dog.",
    "Framewise hears every word you say.",
];

/// Frames of the labelling, in ms (the detector's).
pub const FRAME_MS: f64 = 16.0;
/// A frame is speech when its RMS is above this share of the loudest
/// frame's (−30 dB).
const SPEECH_SHARE: f64 = 0.032;

/// Mono samples at their rate.
#[derive(Debug, Clone)]
pub struct Speech {
    /// Samples per second.
    pub rate: u32,
    /// The samples, −1..1.
    pub samples: Vec<f32>,
}

/// `text` spoken by espeak-ng (US English, 160 words a minute), as it
/// renders it (22 050 Hz mono).
pub fn say(text: &str) -> io::Result<Speech> {
    let output = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "160", "--stdout", text])
        .output()
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("espeak-ng could not run ({e}): `cargo xtask setup` installs it"),
            )
        })?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "espeak-ng failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    parse_wav(&output.stdout)
}

/// A 16-bit PCM mono WAV's samples (espeak-ng's `--stdout` leaves the
/// data size unset: the data runs to the end).
fn parse_wav(bytes: &[u8]) -> io::Result<Speech> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a WAV espeak-ng would write: {what}"),
        )
    };
    if bytes.len() < 44 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(bad("no RIFF/WAVE header"));
    }
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (channels, rate, bits) = (u16_at(22), u32_at(24), u16_at(34));
    if channels != 1 || bits != 16 {
        return Err(bad(&format!("{channels} channels of {bits} bits")));
    }
    let data = bytes
        .windows(4)
        .position(|w| w == b"data")
        .ok_or_else(|| bad("no data chunk"))?
        + 8;
    let samples = bytes[data..]
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
        .collect();
    Ok(Speech { rate, samples })
}

impl Speech {
    /// `silence_s` of silence, then each of [`SENTENCES`] followed by
    /// `silence_s` of silence.
    pub fn sentences(silence_s: f64) -> io::Result<Self> {
        let mut spoken = Vec::new();
        for text in SENTENCES {
            spoken.push(say(text)?);
        }
        let rate = spoken[0].rate;
        let pause = vec![0.0; (silence_s * f64::from(rate)) as usize];
        let mut samples = pause.clone();
        for sentence in spoken {
            samples.extend(sentence.samples);
            samples.extend(&pause);
        }
        Ok(Self { rate, samples })
    }

    /// Which 16 ms frames hold speech by energy, a speech frame's label
    /// carried on for `hangover_ms` (the pauses between words).
    pub fn labels(&self, hangover_ms: f64) -> Vec<bool> {
        let frame = (f64::from(self.rate) * FRAME_MS / 1000.0) as usize;
        let energy: Vec<f64> = self
            .samples
            .chunks_exact(frame)
            .map(|c| {
                (c.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / frame as f64).sqrt()
            })
            .collect();
        let loudest = energy.iter().copied().fold(0.0, f64::max);
        let hangover = (hangover_ms / FRAME_MS).round() as usize;
        let mut labels = Vec::with_capacity(energy.len());
        let mut since_speech = usize::MAX;
        for e in energy {
            since_speech = if e > SPEECH_SHARE * loudest {
                0
            } else {
                since_speech.saturating_add(1)
            };
            labels.push(since_speech <= hangover);
        }
        labels
    }

    /// The same speech at `rate` (resampled by the core's resampler).
    pub fn at_rate(&self, rate: u32) -> Self {
        let mut resampler = Resampler::new(self.rate, rate);
        let mut samples = Vec::new();
        for &x in &self.samples {
            resampler.push(f64::from(x), |y| samples.push(y as f32));
        }
        Self { rate, samples }
    }

    /// The same speech with steady noise added: [`synth::noise`] (white,
    /// up to `amplitude`) through a one-pole low-pass at 2 kHz, which
    /// sounds like a fan or a room rather than hiss.
    pub fn with_noise(&self, amplitude: f32, seed: u64) -> Self {
        let noise = synth::noise(self.rate, 1, self.samples.len(), amplitude, seed);
        let k = 1.0 - (-2.0 * std::f64::consts::PI * 2_000.0 / f64::from(self.rate)).exp();
        let mut state = 0.0f64;
        let samples = self
            .samples
            .iter()
            .zip(noise.samples())
            .map(|(&s, &n)| {
                state += k * (f64::from(n) - state);
                s + (2.0 * state) as f32
            })
            .collect();
        Self {
            rate: self.rate,
            samples,
        }
    }

    /// As a 16-bit WAV file, for a fake microphone.
    pub fn wav(&self) -> Vec<u8> {
        match AudioFrame::new(self.rate, 1, self.samples.clone(), 0) {
            Ok(frame) => framewise::synth::wav_of(&frame),
            Err(_) => Vec::new(),
        }
    }
}

/// The levels of a recording that holds speech and pauses, in dBFS over
/// 16 ms frames: the noise floor (the 20th percentile, a frame inside a
/// pause) and the speech (the 95th percentile). No alignment with the
/// labelling is needed, so a delayed output reads the same way.
pub fn floor_and_speech_db(rate: f64, samples: &[f64]) -> (f64, f64) {
    let frame = ((rate * FRAME_MS / 1000.0) as usize).max(1);
    let mut levels: Vec<f64> = samples
        .chunks_exact(frame)
        .map(|c| 10.0 * (c.iter().map(|v| v * v).sum::<f64>() / frame as f64 + 1e-12).log10())
        .collect();
    levels.sort_by(f64::total_cmp);
    let at = |share: f64| {
        levels
            .get(((levels.len() as f64 - 1.0) * share) as usize)
            .copied()
            .unwrap_or(-120.0)
    };
    (at(0.2), at(0.95))
}

/// The share of frames on which `detected` and `labels` agree, at the
/// shift of `labels` (taken as a loop) that agrees best, and that shift.
pub fn best_agreement(detected: &[bool], labels: &[bool]) -> (f64, usize) {
    if detected.is_empty() || labels.is_empty() {
        return (0.0, 0);
    }
    (0..labels.len())
        .map(|shift| {
            let same = detected
                .iter()
                .enumerate()
                .filter(|&(i, &d)| d == labels[(i + shift) % labels.len()])
                .count();
            (same as f64 / detected.len() as f64, shift)
        })
        .fold(
            (0.0, 0),
            |best, next| if next.0 > best.0 { next } else { best },
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_shift_of_a_loop_is_found() {
        let labels = [false, false, true, true, true, false];
        let detected = [true, true, true, false, false, false, true];
        assert_eq!(best_agreement(&detected, &labels), (1.0, 2));
        assert_eq!(best_agreement(&[], &labels).0, 0.0);
    }

    #[test]
    fn a_wav_comes_back_as_its_samples() {
        let speech = Speech {
            rate: 22_050,
            samples: vec![0.0, 0.5, -0.5],
        };
        let parsed = parse_wav(&speech.wav()).unwrap();
        assert_eq!(parsed.rate, 22_050);
        assert!((parsed.samples[1] - 0.5).abs() < 1e-3);
        assert!(parse_wav(b"nonsense").is_err());
    }
}
