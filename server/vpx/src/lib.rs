//! A small safe wrapper over libvpx's VP8 encoder and decoder, for
//! `framewise-server`: [`Vp8Encoder`] turns [`framewise::I420Frame`]s into
//! VP8 frames with real-time settings, [`Vp8Decoder`] turns them back.
//!
//! libvpx comes from the system (Debian's `libvpx-dev`, found through
//! `pkg-config`; `cargo xtask setup` installs it). All `unsafe` code lives
//! in this crate's private modules; the public API is safe, and bad input
//! (corrupt bitstreams, odd sizes, size changes) gives a [`VpxError`],
//! never a crash. [`release_free_memory`] hands the buffers a finished
//! session freed back to the system (glibc keeps them otherwise), and
//! [`limit_allocator_arenas`] keeps glibc from spreading them over more
//! arenas than a server needs.
//!
//! ```
//! use framewise::{synth, ColorRange, I420Frame};
//! use framewise_vpx::{EncoderConfig, Vp8Decoder, Vp8Encoder};
//!
//! let picture = I420Frame::from_rgba(&synth::textured_frame(320, 240, 1), ColorRange::Limited);
//! let mut encoder = Vp8Encoder::new(EncoderConfig::for_size(320, 240, 30))?;
//! let mut decoder = Vp8Decoder::new()?;
//!
//! let packets = encoder.encode(&picture, 0, false)?;
//! assert!(packets[0].keyframe, "a stream starts with a keyframe");
//! let frames = decoder.decode(&packets[0].data, 0)?;
//! assert_eq!((frames[0].width(), frames[0].height()), (320, 240));
//! # Ok::<(), framewise_vpx::VpxError>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]

mod codec;
mod decoder;
mod encoder;
mod memory;

pub use decoder::Vp8Decoder;
pub use encoder::{EncodedFrame, EncoderConfig, Vp8Encoder, TIMEBASE_HZ};
pub use memory::{limit_allocator_arenas, release_free_memory};

/// What went wrong in libvpx or in what was handed to it. The text includes
/// libvpx's own message where it gives one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VpxError {
    /// libvpx could not start an encoder or decoder.
    #[error("libvpx init failed: {0}")]
    Init(String),
    /// An encoder setting (or the frame size it implies) is not usable.
    #[error("VP8 encoder config rejected: {0}")]
    Config(String),
    /// Encoding a frame failed.
    #[error("VP8 encode failed: {0}")]
    Encode(String),
    /// The input is not a decodable VP8 frame, or decoding it failed.
    #[error("VP8 decode failed: {0}")]
    Decode(String),
}
