//! `grayscale`: every pixel's luma in R, G and B.

use super::luma::luma;
use crate::{
    Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "grayscale",
        MediaKind::Video,
        Cost::Light,
        "Black and white (BT.601 luma).",
    )
}

/// Replaces colour with luma; alpha is kept.
#[derive(Debug, Default)]
pub struct Grayscale;

/// Turns RGBA pixels grey in place.
pub fn grayscale_mut(rgba: &mut [u8]) {
    for p in rgba.chunks_exact_mut(4) {
        let y = luma(p[0], p[1], p[2]);
        p[0] = y;
        p[1] = y;
        p[2] = y;
    }
}

impl Configure for Grayscale {}

impl VideoProcessor for Grayscale {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        grayscale_mut(frame.data_mut());
        Ok(())
    }
}
