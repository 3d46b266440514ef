//! `canny`: placeholder until the real kernel lands.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("canny", MediaKind::Video, Cost::Moderate, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Canny;

impl Configure for Canny {}

impl VideoProcessor for Canny {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
