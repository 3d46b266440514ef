//! `edge-overlay`: placeholder until the real kernel lands.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "edge-overlay",
        MediaKind::Video,
        Cost::Moderate,
        "placeholder",
    )
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct EdgeOverlay;

impl Configure for EdgeOverlay {}

impl VideoProcessor for EdgeOverlay {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
