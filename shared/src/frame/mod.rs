//! Frames: RGBA video, I420 video for codec paths, and interleaved f32 audio.
//!
//! Every constructor validates its buffer, so a frame that exists is a frame
//! whose sizes add up; processors can index it without checks failing.

mod audio;
mod i420;
mod video;

pub use audio::{AudioFrame, MAX_CHANNELS, MAX_SAMPLE_RATE};
pub use i420::{ColorRange, I420Frame};
pub use video::VideoFrame;

/// What is wrong with the buffer or sizes handed to a frame constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Width or height is zero.
    #[error("frame size {width}x{height} is empty: width and height must be at least 1")]
    EmptySize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The frame is larger than Framewise accepts.
    #[error("frame size {width}x{height} is too large: at most {max} pixels on a side")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Largest accepted side.
        max: u32,
    },
    /// The buffer length does not match the size and format.
    #[error("{format} buffer for {width}x{height} must be {expected} bytes, got {actual}")]
    WrongLength {
        /// The pixel format, e.g. "RGBA".
        format: &'static str,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Bytes the size and format call for.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// Audio with no channels, a zero sample rate or no samples.
    #[error("audio frame is empty: {0}")]
    EmptyAudio(&'static str),
    /// A sample rate or channel count beyond what Framewise accepts.
    #[error("audio {what} {value} is above the limit of {max}")]
    AudioLimit {
        /// "sample rate" or "channel count".
        what: &'static str,
        /// The value given.
        value: u32,
        /// The limit.
        max: u32,
    },
    /// Interleaved audio whose sample count is not a multiple of the channels.
    #[error("{samples} samples cannot be split into {channels} interleaved channels")]
    RaggedAudio {
        /// Samples given.
        samples: usize,
        /// Channel count.
        channels: u16,
    },
}

/// Largest width or height a frame may have (8K and some margin).
pub const MAX_SIDE: u32 = 16_384;

/// Checks the size, then that a `format` buffer has the `expected` length.
fn check_buffer(
    format: &'static str,
    width: u32,
    height: u32,
    expected: usize,
    actual: usize,
) -> Result<(), FrameError> {
    check_size(width, height)?;
    if actual != expected {
        return Err(FrameError::WrongLength {
            format,
            width,
            height,
            expected,
            actual,
        });
    }
    Ok(())
}

fn check_size(width: u32, height: u32) -> Result<(), FrameError> {
    if width == 0 || height == 0 {
        return Err(FrameError::EmptySize { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(FrameError::TooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    Ok(())
}
