//! `passthrough`: the frame unchanged; the baseline for measuring a pipeline.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "passthrough",
        MediaKind::Video,
        Cost::Light,
        "Shows the camera unchanged.",
    )
}

/// Leaves every frame as it is.
#[derive(Debug, Default)]
pub struct Passthrough;

impl Configure for Passthrough {}

impl VideoProcessor for Passthrough {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
