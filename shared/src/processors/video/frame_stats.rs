//! `frame-stats`: placeholder.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("frame-stats", MediaKind::Video, Cost::Light, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct FrameStats;

impl Configure for FrameStats {}

impl VideoProcessor for FrameStats {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
