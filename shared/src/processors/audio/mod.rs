//! Built-in audio processors.

pub mod biquad;
pub mod delay;
pub mod gain;
pub mod level_meter;
