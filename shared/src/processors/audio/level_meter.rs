//! `level-meter`: placeholder.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new("level-meter", MediaKind::Audio, Cost::Light, "placeholder")
}

/// Placeholder.
#[derive(Debug, Default)]
pub struct LevelMeter;

impl Configure for LevelMeter {}

impl AudioProcessor for LevelMeter {
    fn process(&mut self, _: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
