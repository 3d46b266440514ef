//! `gain`: placeholder.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("gain", MediaKind::Audio, Cost::Light, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Gain;

impl Configure for Gain {}

impl AudioProcessor for Gain {
    fn process(&mut self, _: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
