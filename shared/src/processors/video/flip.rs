//! `flip` and `rotate-180`: placeholder.

use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description of `flip`.
pub fn flip_info() -> ProcessorInfo {
    ProcessorInfo::new("flip", MediaKind::Video, Cost::Light, "placeholder")
}
/// The registry description of `rotate-180`.
pub fn rotate_info() -> ProcessorInfo {
    ProcessorInfo::new("rotate-180", MediaKind::Video, Cost::Light, "placeholder")
}
/// Placeholder.
#[derive(Debug, Default)]
pub struct Flip;
impl Configure for Flip {}
impl VideoProcessor for Flip {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
/// Placeholder.
#[derive(Debug, Default)]
pub struct Rotate180;
impl Configure for Rotate180 {}
impl VideoProcessor for Rotate180 {
    fn process(&mut self, _: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        Ok(())
    }
}
