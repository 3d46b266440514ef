//! `delay`: placeholder.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("delay", MediaKind::Audio, Cost::Light, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct Delay;

impl Configure for Delay {}

impl AudioProcessor for Delay {
    fn process(&mut self, _: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
