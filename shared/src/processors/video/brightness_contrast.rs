//! `brightness-contrast`: a tone curve through a 256-entry lookup table.

use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "brightness-contrast",
        MediaKind::Video,
        Cost::Light,
        "Brightness and contrast: (value − 128) × contrast + 128 + brightness.",
    )
    .param(ParamSpec::int("brightness", "Brightness", -255, 255, 1, 0))
    .param(ParamSpec::float("contrast", "Contrast", 0.0, 4.0, 0.05, 1.0).unit("×"))
}

/// Applies `(v − 128) × contrast + 128 + brightness` to R, G and B,
/// rounded and clamped; alpha is kept.
#[derive(Debug)]
pub struct BrightnessContrast {
    table: [u8; 256],
}

impl Default for BrightnessContrast {
    fn default() -> Self {
        Self {
            table: tone_table(0, 1.0),
        }
    }
}

/// The lookup table for a brightness offset and a contrast factor.
pub fn tone_table(brightness: i64, contrast: f64) -> [u8; 256] {
    let mut table = [0u8; 256];
    for (v, out) in table.iter_mut().enumerate() {
        let curved = (v as f64 - 128.0) * contrast + 128.0 + brightness as f64;
        *out = libm::round(curved).clamp(0.0, 255.0) as u8;
    }
    table
}

impl Configure for BrightnessContrast {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.table = tone_table(params.int("brightness")?, params.float("contrast")?);
        Ok(())
    }
}

impl VideoProcessor for BrightnessContrast {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        for p in frame.data_mut().chunks_exact_mut(4) {
            p[0] = self.table[usize::from(p[0])];
            p[1] = self.table[usize::from(p[1])];
            p[2] = self.table[usize::from(p[2])];
        }
        Ok(())
    }
}
