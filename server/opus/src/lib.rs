//! A small safe wrapper over libopus, for `framewise-server`: the audio
//! of a WebRTC session as the server handles it — 48 kHz, one channel,
//! `f32` samples in −1..1, one packet per 10, 20, 40 or 60 ms.
//! [`OpusDecoder`] turns the browser's packets into samples (concealing a
//! lost one), [`OpusEncoder`] turns processed samples back into packets.
//!
//! libopus comes from the system (Debian's `libopus-dev`; `cargo xtask
//! setup` installs it), linked through `opusic-sys` without its bundled
//! build. All `unsafe` code lives in this crate; the public API is safe,
//! and bad input (corrupt packets, wrong block lengths, bitrates out of
//! range) gives an [`OpusError`], never a crash.
//!
//! ```
//! use framewise_opus::{OpusDecoder, OpusEncoder, SAMPLE_RATE};
//!
//! let mut encoder = OpusEncoder::new(64_000)?;
//! let mut decoder = OpusDecoder::new()?;
//! let block: Vec<f32> = (0..960)
//!     .map(|i| 0.5 * (i as f32 * 440.0 * std::f32::consts::TAU / SAMPLE_RATE as f32).sin())
//!     .collect();
//! let packet = encoder.encode(&block)?;
//! let samples = decoder.decode(&packet)?;
//! assert_eq!(samples.len(), 960);
//! # Ok::<(), framewise_opus::OpusError>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]

mod decoder;
mod encoder;

pub use decoder::OpusDecoder;
pub use encoder::OpusEncoder;

/// The sample rate of everything here: WebRTC's Opus clock.
pub const SAMPLE_RATE: u32 = 48_000;
/// Samples in the longest packet Opus makes (120 ms at 48 kHz).
pub const MAX_PACKET_SAMPLES: usize = 5_760;
/// The bitrates [`OpusEncoder::new`] accepts, in bits per second.
pub const BITRATES: std::ops::RangeInclusive<i32> = 6_000..=510_000;

/// What went wrong in libopus or in what was handed to it. The text
/// includes libopus's own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpusError {
    /// libopus could not start an encoder or decoder.
    #[error("libopus init failed: {0}")]
    Init(String),
    /// An encoder setting is not usable.
    #[error("Opus encoder config rejected: {0}")]
    Config(String),
    /// Encoding a block failed.
    #[error("Opus encode failed: {0}")]
    Encode(String),
    /// The input is not a decodable Opus packet, or decoding it failed.
    #[error("Opus decode failed: {0}")]
    Decode(String),
}

/// libopus's message for an error code.
fn message(code: std::ffi::c_int) -> String {
    // SAFETY: opus_strerror takes any code and returns a pointer to a
    // static NUL-terminated string (never NULL).
    let text = unsafe { std::ffi::CStr::from_ptr(opusic_sys::opus_strerror(code)) };
    format!("{} ({code})", text.to_string_lossy())
}
