//! Built-in audio processors.

pub mod biquad;
pub mod delay;
pub(crate) mod fft;
pub mod gain;
pub mod level_meter;
pub mod noise_suppression;
pub mod pitch;
pub mod resample;
pub mod spectrum;
pub mod voice_activity;

/// One interleaved sample frame (a sample per channel) mixed to mono.
pub(crate) fn mono(block: &[f32]) -> f64 {
    block.iter().map(|&s| f64::from(s)).sum::<f64>() / block.len().max(1) as f64
}
