//! `blur`: placeholder until the real kernel lands.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("blur", MediaKind::Video, Cost::Moderate, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Blur;

impl Configure for Blur {}

impl VideoProcessor for Blur {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
