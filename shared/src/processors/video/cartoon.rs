//! `cartoon`: placeholder until the real kernel lands.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("cartoon", MediaKind::Video, Cost::Moderate, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Cartoon;

impl Configure for Cartoon {}

impl VideoProcessor for Cartoon {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
