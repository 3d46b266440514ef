//! Synthetic test media: deterministic frames and signals for tests,
//! benchmarks and demos, so no media file has to be downloaded or stored.
//!
//! ```
//! use framewise::synth;
//!
//! let a = synth::textured_frame(64, 48, 7);
//! assert_eq!(a, synth::textured_frame(64, 48, 7));
//! assert_eq!(a.data().len(), 64 * 48 * 4);
//! ```

pub mod index_strip;
mod media;

pub use media::{moving_frame, still_rect, wav, wav_of, y4m, BACKGROUND, DISC_COLOR, STILL_COLOR};

use crate::frame::{AudioFrame, VideoFrame};

/// A small, fast, deterministic PRNG (xorshift64*), identical on every target.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value, zero included).
    pub fn new(seed: u64) -> Self {
        Self((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A random number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n.max(1))) >> 32) as u32
    }
}

/// A textured RGBA frame: a diagonal colour gradient, a bright disc, a dark
/// rectangle, a ring of stripes, and per-pixel noise (±12), all placed
/// relative to the size. `seed` moves the shapes and changes the noise.
///
/// Sizes below 1 are raised to 1.
pub fn textured_frame(width: u32, height: u32, seed: u64) -> VideoFrame {
    let (width, height) = (width.max(1), height.max(1));
    let (w, h) = (i64::from(width), i64::from(height));
    let mut rng = Rng::new(seed);
    let shift = i64::from(rng.below(16)) - 8;
    let (cx, cy, radius) = (w / 3 + shift, h / 2 - shift, (w.min(h) / 4).max(1));
    let (rx0, ry0, rx1, ry1) = (w * 3 / 5 + shift, h / 5, w * 9 / 10, h * 3 / 5);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let mut r = (x * 255 / w.max(2)) as i32;
            let mut g = (y * 255 / h.max(2)) as i32;
            let mut b = ((x + y) * 255 / (w + h).max(2)) as i32 / 2 + 64;
            let (dx, dy) = (x - cx, y - cy);
            let d2 = dx * dx + dy * dy;
            if d2 < radius * radius {
                (r, g, b) = (240, 220, 60);
            } else if d2 < 4 * radius * radius && (libm::sqrt(d2 as f64) as i64 / 3) % 2 == 0 {
                (r, g, b) = (r / 3, g / 3 + 100, 200);
            }
            if (rx0..rx1).contains(&x) && (ry0..ry1).contains(&y) {
                (r, g, b) = (30, 40, 120);
            }
            let noise = rng.below(25) as i32 - 12;
            data.extend_from_slice(&[
                (r + noise).clamp(0, 255) as u8,
                (g + noise).clamp(0, 255) as u8,
                (b + noise).clamp(0, 255) as u8,
                255,
            ]);
        }
    }
    match VideoFrame::from_rgba(width, height, data, 0) {
        Ok(frame) => frame,
        Err(_) => unreachable!("the buffer is built for the size"),
    }
}

/// A sine of `hz` at `amplitude` in every channel, starting at phase 0.
pub fn sine(
    sample_rate: u32,
    channels: u16,
    samples_per_channel: usize,
    hz: f64,
    amplitude: f32,
) -> AudioFrame {
    let (sample_rate, channels) = (sample_rate.max(1), channels.max(1));
    let mut samples = Vec::with_capacity(samples_per_channel.max(1) * usize::from(channels));
    for i in 0..samples_per_channel.max(1) {
        let phase = 2.0 * core::f64::consts::PI * hz * i as f64 / f64::from(sample_rate);
        let v = amplitude * libm::sin(phase) as f32;
        samples.extend(std::iter::repeat_n(v, usize::from(channels)));
    }
    match AudioFrame::new(sample_rate, channels, samples, 0) {
        Ok(frame) => frame,
        Err(_) => unreachable!("the buffer is built for the size"),
    }
}

/// Silence with a single sample of `1.0` at `at` in every channel.
pub fn click(sample_rate: u32, channels: u16, samples_per_channel: usize, at: usize) -> AudioFrame {
    let mut frame = sine(sample_rate, channels, samples_per_channel, 0.0, 0.0);
    let channels = usize::from(frame.channels());
    if let Some(slot) = frame
        .samples_mut()
        .get_mut(at * channels..(at + 1) * channels)
    {
        slot.fill(1.0);
    }
    frame
}

/// Mono silence with a short burst every `period_s` seconds, the first at
/// 0: 2 ms of a 2 kHz sine at 0.8 under a Hann window. Unlike a single
/// sample, a burst keeps its onset through resampling and codecs, which
/// makes it the mark for measuring delays.
pub fn clicks(sample_rate: u32, seconds: f64, period_s: f64) -> AudioFrame {
    let sample_rate = sample_rate.max(1);
    let rate = f64::from(sample_rate);
    let total = ((seconds.max(0.0) * rate) as usize).max(1);
    let period = ((period_s * rate) as usize).max(1);
    let burst = ((0.002 * rate) as usize).max(1);
    let mut frame = sine(sample_rate, 1, total, 0.0, 0.0);
    for start in (0..total).step_by(period) {
        for (i, sample) in frame.samples_mut()[start..]
            .iter_mut()
            .take(burst)
            .enumerate()
        {
            let t = i as f64 / burst as f64;
            let window = 0.5 - 0.5 * libm::cos(2.0 * core::f64::consts::PI * t);
            let tone = libm::sin(2.0 * core::f64::consts::PI * 2_000.0 * i as f64 / rate);
            *sample = (0.8 * window * tone) as f32;
        }
    }
    frame
}

/// Mono exponential sweep from `from_hz` to `to_hz` over `seconds` at
/// `amplitude`: every octave takes the same time, so on a log frequency
/// axis it is a straight line.
pub fn chirp(
    sample_rate: u32,
    seconds: f64,
    from_hz: f64,
    to_hz: f64,
    amplitude: f32,
) -> AudioFrame {
    let sample_rate = sample_rate.max(1);
    let rate = f64::from(sample_rate);
    let total = ((seconds.max(0.0) * rate) as usize).max(1);
    let (low, high) = (from_hz.max(1.0), to_hz.max(1.0));
    let duration = total as f64 / rate;
    let growth = libm::log(high / low);
    let mut frame = sine(sample_rate, 1, total, 0.0, 0.0);
    for (i, sample) in frame.samples_mut().iter_mut().enumerate() {
        let t = i as f64 / rate;
        let phase = if growth.abs() < 1e-12 {
            2.0 * core::f64::consts::PI * low * t
        } else {
            2.0 * core::f64::consts::PI * low * duration / growth
                * (libm::exp(growth * t / duration) - 1.0)
        };
        *sample = amplitude * libm::sin(phase) as f32;
    }
    frame
}

/// Deterministic noise in -amplitude..amplitude, interleaved.
pub fn noise(
    sample_rate: u32,
    channels: u16,
    samples_per_channel: usize,
    amplitude: f32,
    seed: u64,
) -> AudioFrame {
    let mut frame = sine(sample_rate, channels, samples_per_channel, 0.0, 0.0);
    let mut rng = Rng::new(seed);
    for s in frame.samples_mut() {
        *s = amplitude * ((rng.below(65_536) as f32 / 32_768.0) - 1.0);
    }
    frame
}
