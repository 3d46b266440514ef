//! A streaming resampler for analysis: mono samples at one rate in, at
//! another out. Going down, a fourth-order low-pass (two biquads, just
//! under the new Nyquist) keeps what would fold over out; then each output
//! sample is the linear interpolation at its time. Good for detectors and
//! plots that want a fixed rate; not meant for listening. Plain `f64` and
//! `libm`, so every target gives the same samples.

use super::biquad::{coefficients, Response};

/// The cutoff of the anti-aliasing filter, as a share of the new Nyquist
/// frequency.
const CUTOFF: f64 = 0.9;
/// The Q of the two biquads of a fourth-order Butterworth low-pass.
const BUTTERWORTH_Q: [f64; 2] = [0.541_196_100_146_197, 1.306_562_964_876_376_8];

/// One biquad's coefficients and state (transposed direct form II).
#[derive(Debug, Clone, Copy)]
struct Stage {
    c: [f64; 5],
    s: [f64; 2],
}

impl Stage {
    fn run(&mut self, x: f64) -> f64 {
        let [b0, b1, b2, a1, a2] = self.c;
        let y = b0 * x + self.s[0];
        self.s[0] = b1 * x - a1 * y + self.s[1];
        self.s[1] = b2 * x - a2 * y;
        y
    }
}

/// Resamples one stream from `from` Hz to `to` Hz.
#[derive(Debug, Clone)]
pub struct Resampler {
    from: u32,
    to: u32,
    /// The anti-aliasing filter, when going down.
    stages: Option<[Stage; 2]>,
    /// The time of the next output sample after the previous input
    /// sample, in `1/to` of an input sample: kept in integers, so a block
    /// of a whole number of output samples (10 ms at any rate) always
    /// gives that many.
    at: u64,
    previous: f64,
}

impl Resampler {
    /// A resampler from `from` Hz to `to` Hz (both above 0).
    pub fn new(from: u32, to: u32) -> Self {
        let (from, to) = (from.max(1), to.max(1));
        let stages = (to < from).then(|| {
            let cutoff = CUTOFF * f64::from(to) / 2.0;
            BUTTERWORTH_Q.map(|q| Stage {
                c: coefficients(Response::LowPass, cutoff, q, from),
                s: [0.0; 2],
            })
        });
        Self {
            from,
            to,
            stages,
            at: u64::from(to),
            previous: 0.0,
        }
    }

    /// The input rate.
    pub fn from_rate(&self) -> u32 {
        self.from
    }

    /// The output rate.
    pub fn to_rate(&self) -> u32 {
        self.to
    }

    /// Takes one input sample; hands each output sample it completes (none
    /// or more) to `out`.
    pub fn push(&mut self, sample: f64, mut out: impl FnMut(f64)) {
        let x = match &mut self.stages {
            Some(stages) => stages.iter_mut().fold(sample, |x, stage| stage.run(x)),
            None => sample,
        };
        // Output times fall in (previous, this] at offsets `at / to` ≤ 1.
        let (from, to) = (u64::from(self.from), u64::from(self.to));
        while self.at <= to {
            out(self.previous + (x - self.previous) * (self.at as f64 / to as f64));
            self.at += from;
        }
        self.at -= to;
        self.previous = x;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| libm::sin(2.0 * core::f64::consts::PI * hz * i as f64 / f64::from(rate)))
            .collect()
    }

    fn resample(resampler: &mut Resampler, input: &[f64]) -> Vec<f64> {
        let mut out = Vec::new();
        for &x in input {
            resampler.push(x, |y| out.push(y));
        }
        out
    }

    fn rms(x: &[f64]) -> f64 {
        libm::sqrt(x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64)
    }

    #[test]
    fn rates_convert_by_their_ratio() {
        for (from, to) in [
            (48_000, 16_000),
            (44_100, 16_000),
            (22_050, 16_000),
            (8_000, 16_000),
        ] {
            let out = resample(&mut Resampler::new(from, to), &vec![0.0; from as usize]);
            let expected = to as usize;
            assert!(
                out.len().abs_diff(expected) <= 1,
                "{from}→{to}: {}",
                out.len()
            );
        }
    }

    #[test]
    fn blocks_of_10_ms_give_10_ms_every_time() {
        for (from, to) in [(44_100, 48_000), (48_000, 44_100), (16_000, 48_000)] {
            let mut resampler = Resampler::new(from, to);
            // One input ahead (what `noise-suppression` primes with):
            // the last output time of a block never waits for the next.
            let primed = resample(&mut resampler, &[0.0]).len();
            let (block, expected) = (from as usize / 100, to as usize / 100);
            let counts: Vec<usize> = (0..300)
                .map(|_| resample(&mut resampler, &vec![0.1; block]).len())
                .collect();
            assert!(
                primed + counts[0] > expected,
                "{from}→{to}: {primed} + {}",
                counts[0]
            );
            assert!(
                counts[1..].iter().all(|&n| n == expected),
                "{from}→{to}: {counts:?}"
            );
        }
    }

    #[test]
    fn a_tone_in_the_band_passes_and_one_above_it_is_removed() {
        let mut resampler = Resampler::new(48_000, 16_000);
        let kept = resample(&mut resampler, &tone(48_000, 1_000.0, 48_000));
        assert!((rms(&kept[1600..]) - core::f64::consts::FRAC_1_SQRT_2).abs() < 0.02);
        // 12 kHz would fold to 4 kHz at 16 kHz: it comes through 20 dB
        // down at least (fourth order, one octave and a half above the
        // cutoff), 20 kHz far more.
        for (hz, most) in [(12_000.0, 0.1), (20_000.0, 0.01)] {
            let mut resampler = Resampler::new(48_000, 16_000);
            let folded = resample(&mut resampler, &tone(48_000, hz, 48_000));
            let ratio = rms(&folded[1600..]) / core::f64::consts::FRAC_1_SQRT_2;
            assert!(ratio < most, "{hz} Hz came through at {ratio}");
        }
    }
}
