//! `pixelate`: placeholder.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("pixelate", MediaKind::Video, Cost::Light, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Pixelate;

impl Configure for Pixelate {}

impl VideoProcessor for Pixelate {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
