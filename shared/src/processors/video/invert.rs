//! `invert`: the photographic negative.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "invert",
        MediaKind::Video,
        Cost::Light,
        "Negative: 255 minus each colour channel.",
    )
}

/// Inverts R, G and B; alpha is kept.
#[derive(Debug, Default)]
pub struct Invert;

impl Configure for Invert {}

impl VideoProcessor for Invert {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        for p in frame.data_mut().chunks_exact_mut(4) {
            p[0] = 255 - p[0];
            p[1] = 255 - p[1];
            p[2] = 255 - p[2];
        }
        Ok(())
    }
}
