//! `pitch`: the fundamental frequency of the sound (a tuner), by YIN
//! (de Cheveigné & Kawahara, 2002) over a sliding window; the sound is
//! unchanged.
//!
//! The channels are mixed to mono into a window two periods of the lowest
//! frequency long; every half window a result is emitted: the frequency,
//! how clearly periodic the sound is, and the nearest note with its
//! offset in cents. Silence and noise give `hz: null`. Plain `f64`
//! arithmetic and `libm`, so every target gives the same numbers.

use serde::Serialize;

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "pitch",
        MediaKind::Audio,
        Cost::Light,
        "Measures the pitch (a tuner): frequency, clarity and note; the sound is unchanged.",
    )
    .param(ParamSpec::float("min_hz", "Lowest", 40.0, 400.0, 1.0, 60.0).unit("Hz"))
    .param(ParamSpec::float("max_hz", "Highest", 500.0, 4000.0, 1.0, 1500.0).unit("Hz"))
    .param(ParamSpec::float(
        "threshold",
        "Threshold",
        0.02,
        0.5,
        0.01,
        0.15,
    ))
}

/// Below this RMS (about -60 dBFS) there is no pitch to find.
pub const SILENCE_RMS: f64 = 0.001;

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pitch {
    /// The fundamental frequency, or `None` for silence or noise.
    pub hz: Option<f64>,
    /// How periodic the window is, 0 (noise) to 1 (a pure tone).
    pub clarity: f64,
    /// The nearest equal-tempered note (A4 = 440 Hz), e.g. `"A4"`.
    pub note: Option<String>,
    /// How far `hz` is from that note, in cents (−50..50).
    pub cents: Option<f64>,
}

/// The note names from C.
const NOTES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];

/// The nearest note to `hz` and the offset in cents.
pub fn note(hz: f64) -> (String, f64) {
    let midi = 69.0 + 12.0 * libm::log2(hz / 440.0);
    let nearest = libm::round(midi);
    let index = (nearest as i64).rem_euclid(12) as usize;
    let octave = (nearest as i64).div_euclid(12) - 1;
    (
        format!("{}{octave}", NOTES[index]),
        (midi - nearest) * 100.0,
    )
}

/// YIN's estimate for `window` at `sample_rate`: periods from `tau_min`
/// to `tau_max` samples (`window` holds at least `2 * tau_max`), using
/// `scratch` for the difference function. `(hz, clarity)`; `hz` is `None`
/// when no dip goes below `threshold`.
fn yin(
    window: &[f64],
    sample_rate: u32,
    (tau_min, tau_max): (usize, usize),
    threshold: f64,
    scratch: &mut Vec<f64>,
) -> (Option<f64>, f64) {
    let n = window.len() - tau_max;
    scratch.clear();
    scratch.push(1.0);
    // The cumulative mean normalised difference d'(tau).
    let mut running = 0.0;
    for tau in 1..=tau_max {
        let d: f64 = (0..n)
            .map(|j| {
                let delta = window[j] - window[j + tau];
                delta * delta
            })
            .sum();
        running += d;
        scratch.push(if running > 0.0 {
            d * tau as f64 / running
        } else {
            1.0
        });
    }
    let below = (tau_min.max(2)..tau_max).find(|&tau| scratch[tau] < threshold);
    let Some(mut tau) = below else {
        let best = (tau_min.max(2)..tau_max)
            .map(|tau| scratch[tau])
            .fold(1.0, f64::min);
        return (None, (1.0 - best).clamp(0.0, 1.0));
    };
    while tau + 1 < tau_max && scratch[tau + 1] < scratch[tau] {
        tau += 1;
    }
    // A parabola through the dip and its neighbours.
    let (a, b, c) = (scratch[tau - 1], scratch[tau], scratch[tau + 1]);
    let bend = a - 2.0 * b + c;
    let shift = if bend > 0.0 {
        (0.5 * (a - c) / bend).clamp(-0.5, 0.5)
    } else {
        0.0
    };
    let period = tau as f64 + shift;
    (
        Some(f64::from(sample_rate) / period),
        (1.0 - b).clamp(0.0, 1.0),
    )
}

/// Finds the pitch every half window.
#[derive(Debug, Default)]
pub struct PitchMeter {
    min_hz: f64,
    max_hz: f64,
    threshold: f64,
    sample_rate: u32,
    /// The last mono samples, a ring written at `next`.
    ring: Vec<f64>,
    next: usize,
    /// Samples in the ring so far (up to its length).
    filled: usize,
    /// Samples since the last measurement.
    since: usize,
    /// The ring in time order, for a measurement.
    window: Vec<f64>,
    scratch: Vec<f64>,
}

impl PitchMeter {
    /// The shortest and longest period, in samples, at `sample_rate`.
    fn taus(&self, sample_rate: u32) -> (usize, usize) {
        let rate = f64::from(sample_rate);
        let tau_min = (rate / self.max_hz).floor().max(2.0) as usize;
        let tau_max = (rate / self.min_hz).ceil() as usize;
        (tau_min, tau_max.max(tau_min + 2))
    }
}

impl Configure for PitchMeter {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.min_hz = params.float("min_hz")?;
        self.max_hz = params.float("max_hz")?;
        self.threshold = params.float("threshold")?;
        // A new range needs a window of another length.
        self.ring.clear();
        Ok(())
    }
}

impl AudioProcessor for PitchMeter {
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        let rate = frame.sample_rate();
        let taus = self.taus(rate);
        let length = 2 * taus.1;
        if rate != self.sample_rate || self.ring.len() != length {
            self.sample_rate = rate;
            self.ring = vec![0.0; length];
            (self.next, self.filled, self.since) = (0, 0, 0);
        }
        let channels = usize::from(frame.channels());
        for block in frame.samples().chunks_exact(channels) {
            self.ring[self.next] = super::mono(block);
            self.next = (self.next + 1) % length;
            self.filled = (self.filled + 1).min(length);
            self.since += 1;
            if self.filled == length && self.since >= length / 2 {
                self.since = 0;
                self.window.clear();
                self.window.extend_from_slice(&self.ring[self.next..]);
                self.window.extend_from_slice(&self.ring[..self.next]);
                let energy = self.window.iter().map(|s| s * s).sum::<f64>() / length as f64;
                let (hz, clarity) = if libm::sqrt(energy) < SILENCE_RMS {
                    (None, 0.0)
                } else {
                    yin(&self.window, rate, taus, self.threshold, &mut self.scratch)
                };
                let (note, cents) = match hz.map(note) {
                    Some((name, cents)) => (Some(name), Some(cents)),
                    None => (None, None),
                };
                results.emit(&Pitch {
                    hz,
                    clarity,
                    note,
                    cents,
                })?;
            }
        }
        Ok(())
    }
}
