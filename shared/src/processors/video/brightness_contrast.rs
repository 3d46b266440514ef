//! `brightness-contrast`: placeholder.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "brightness-contrast",
        MediaKind::Video,
        Cost::Light,
        "placeholder",
    )
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct BrightnessContrast;

impl Configure for BrightnessContrast {}

impl VideoProcessor for BrightnessContrast {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
