//! `spectrum`: what frequencies the sound holds, for a plot or a meter:
//! the magnitude spectrum of the last `fft_size` samples (mixed to mono,
//! under a Hann window) `updates` times a second, in log-spaced bands,
//! with the loudest frequency; the sound is unchanged.
//!
//! The peak is refined between bins by a parabola through the dB of the
//! loudest bin and its neighbours (within a few Hz of a steady tone).
//! The windowed FFT is the one `audio/fft.rs` shares, so every target
//! gives the same numbers.

use serde::Serialize;

use super::fft::Listening;
use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "spectrum",
        MediaKind::Audio,
        Cost::Light,
        "Measures the spectrum: log-spaced band levels and the loudest frequency; the sound is \
         unchanged.",
    )
    .param(ParamSpec::choice(
        "fft_size",
        "FFT size",
        &["1024", "2048", "4096", "8192"],
        "4096",
    ))
    .param(ParamSpec::int("bands", "Bands", 8, 128, 1, 32))
    .param(ParamSpec::int("updates", "Updates", 1, 30, 1, 20).unit("/s"))
}

/// The lowest band edge, Hz.
pub const LOWEST_HZ: f64 = 20.0;
/// Below this level (dBFS) a frame is silence: no peak.
pub const SILENCE_DB: f64 = -90.0;

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spectrum {
    /// The loudest frequency, or `None` in silence.
    pub peak_hz: Option<f64>,
    /// Its level, dBFS (a full-scale sine reads 0).
    pub peak_db: f64,
    /// The bands' lowest and highest edges, Hz; the bands are spaced
    /// evenly in log frequency between them.
    pub min_hz: f64,
    /// See `min_hz`.
    pub max_hz: f64,
    /// Each band's level: its loudest bin, dBFS (floored at −120).
    pub bands_db: Vec<f64>,
}

/// Measures the spectrum; see the [module docs](self).
#[derive(Debug, Default)]
pub struct SpectrumMeter {
    size: usize,
    bands: usize,
    updates: u32,
    /// The last `size` mono samples and their FFT.
    listening: Listening,
}

impl SpectrumMeter {
    /// Sizes the buffers for `size` (a power of two).
    fn resize(&mut self) {
        self.listening = Listening::new(self.size);
    }

    /// The spectrum of the samples heard, at `rate`.
    fn measure(&mut self, rate: u32) -> Spectrum {
        let n = self.size;
        self.listening.measure();
        let db = &self.listening.db;
        let bin_hz = f64::from(rate) / n as f64;
        let (peak, &peak_db) =
            db.iter()
                .enumerate()
                .skip(1)
                .fold((0, &f64::NEG_INFINITY), |best, (k, v)| {
                    if *v > *best.1 {
                        (k, v)
                    } else {
                        best
                    }
                });
        let peak_hz = (peak_db > SILENCE_DB && peak > 0).then(|| {
            let shift = match (db.get(peak - 1), db.get(peak + 1)) {
                (Some(&a), Some(&c)) => {
                    let bend = a - 2.0 * peak_db + c;
                    if bend < 0.0 {
                        (0.5 * (a - c) / bend).clamp(-0.5, 0.5)
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
            (peak as f64 + shift) * bin_hz
        });
        let max_hz = f64::from(rate) / 2.0;
        let ratio = libm::log(max_hz / LOWEST_HZ) / self.bands as f64;
        let bands_db = (0..self.bands)
            .map(|b| {
                let low = LOWEST_HZ * libm::exp(ratio * b as f64);
                let high = LOWEST_HZ * libm::exp(ratio * (b + 1) as f64);
                let first = (libm::floor(low / bin_hz) as usize).max(1);
                let last = (libm::ceil(high / bin_hz) as usize).clamp(first, n / 2);
                db[first..=last].iter().copied().fold(-120.0, f64::max)
            })
            .collect();
        Spectrum {
            peak_hz,
            peak_db,
            min_hz: LOWEST_HZ,
            max_hz,
            bands_db,
        }
    }
}

impl Configure for SpectrumMeter {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        let size = params.choice("fft_size")?.parse().unwrap_or(4096usize);
        self.bands = params.int("bands")?.clamp(1, 128) as usize;
        self.updates = params.int("updates")?.clamp(1, 30) as u32;
        if size != self.size {
            self.size = size;
            self.resize();
        }
        Ok(())
    }
}

impl AudioProcessor for SpectrumMeter {
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        if self.listening.size() != self.size || self.size == 0 {
            self.size = self.size.max(1024);
            self.resize();
        }
        let rate = frame.sample_rate();
        let every = (rate / self.updates.max(1)).max(1) as usize;
        let channels = usize::from(frame.channels());
        for block in frame.samples().chunks_exact(channels) {
            self.listening.push(super::mono(block));
            if self.listening.filled == self.size && self.listening.since >= every {
                let spectrum = self.measure(rate);
                results.emit(&spectrum)?;
            }
        }
        Ok(())
    }
}
