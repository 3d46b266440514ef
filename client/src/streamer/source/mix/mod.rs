//! Several sources mixed into one grid: each input is opened as a
//! Streamer's source would be, its latest frame drawn into its tile of a
//! canvas at the mix's rate, and the canvas' capture track is the mix's
//! video. An input that is slow or stalls keeps its last frame on show;
//! it never holds up the others.

pub mod layout;
mod mixer;

use super::VideoSource;

pub use mixer::MixedTrack;

/// Most inputs a mix takes.
pub const MAX_MIX_INPUTS: usize = 16;

/// Several sources in one grid (see [`layout::grid`]), the Streamer's
/// source like any other. An input may be a [`VideoSource::Shared`]
/// source, so the camera can be in the mix and beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mix {
    /// The inputs, left to right then top to bottom (1 to
    /// [`MAX_MIX_INPUTS`]; not mixes themselves).
    pub inputs: Vec<VideoSource>,
    /// The mixed picture's width.
    pub width: u32,
    /// The mixed picture's height.
    pub height: u32,
    /// Mixed frames a second.
    pub fps: f64,
}

impl Mix {
    /// `inputs` in a 640×480 grid at 30 frames a second.
    pub fn grid(inputs: Vec<VideoSource>) -> Self {
        Self {
            inputs,
            width: 640,
            height: 480,
            fps: 30.0,
        }
    }

    /// Whether the mix can be made: 1 to [`MAX_MIX_INPUTS`] inputs, none a
    /// mix (directly or shared), a size from 16×16 to 4096×4096.
    pub fn check(&self) -> Result<(), MixError> {
        let count = self.inputs.len();
        if count == 0 || count > MAX_MIX_INPUTS {
            return Err(MixError::Inputs(count));
        }
        let nested = |source: &VideoSource| match source {
            VideoSource::Mix(_) => true,
            VideoSource::Shared(shared) => matches!(shared.source(), VideoSource::Mix(_)),
            _ => false,
        };
        if let Some(index) = self.inputs.iter().position(nested) {
            return Err(MixError::Nested(index));
        }
        let side = 16..=4096;
        if !side.contains(&self.width) || !side.contains(&self.height) {
            return Err(MixError::Size(self.width, self.height));
        }
        Ok(())
    }
}

/// A mix that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MixError {
    /// No inputs, or too many.
    #[error("a mix takes 1 to {MAX_MIX_INPUTS} inputs, not {0}")]
    Inputs(usize),
    /// An input is itself a mix.
    #[error("input {0} of the mix is a mix: put its inputs in this one instead")]
    Nested(usize),
    /// The size is out of range.
    #[error("a mix is 16×16 to 4096×4096 pixels, not {0}×{1}")]
    Size(u32, u32),
}

#[cfg(test)]
mod tests {
    use super::super::{Generator, SharedSource};
    use super::*;

    fn pattern() -> VideoSource {
        VideoSource::Generated(Generator::test_pattern(64, 48, 30.0))
    }

    #[test]
    fn mixes_are_checked_before_anything_opens() {
        assert_eq!(Mix::grid(vec![pattern(), pattern()]).check(), Ok(()));
        assert_eq!(Mix::grid(vec![]).check(), Err(MixError::Inputs(0)));
        let many = Mix::grid(vec![pattern(); MAX_MIX_INPUTS + 1]);
        assert_eq!(many.check(), Err(MixError::Inputs(17)));
        let inner = VideoSource::Mix(Mix::grid(vec![pattern()]));
        let nested = Mix::grid(vec![pattern(), inner.clone()]);
        assert_eq!(nested.check(), Err(MixError::Nested(1)));
        let shared = Mix::grid(vec![VideoSource::Shared(SharedSource::new(inner))]);
        assert_eq!(shared.check(), Err(MixError::Nested(0)));
        let tiny = Mix {
            width: 8,
            ..Mix::grid(vec![pattern()])
        };
        let error = tiny.check().unwrap_err();
        assert_eq!(error, MixError::Size(8, 480));
        assert!(error.to_string().contains("16×16"), "{error}");
    }
}
