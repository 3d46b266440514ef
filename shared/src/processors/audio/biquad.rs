//! placeholder
use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
};
/// d
pub fn lowpass_info() -> ProcessorInfo {
    ProcessorInfo::new("lowpass", MediaKind::Audio, Cost::Light, "placeholder")
}
/// d
pub fn highpass_info() -> ProcessorInfo {
    ProcessorInfo::new("highpass", MediaKind::Audio, Cost::Light, "placeholder")
}
/// d
#[derive(Debug, Default)]
pub struct Biquad;
impl Biquad {
    /// d
    pub fn lowpass() -> Self {
        Self
    }
    /// d
    pub fn highpass() -> Self {
        Self
    }
}
impl Configure for Biquad {}
impl AudioProcessor for Biquad {
    fn process(&mut self, _: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
