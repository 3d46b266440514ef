//! `cartoon`: flat colours and dark outlines.
//!
//! 1. Optional Gaussian smoothing (the `blur` kernel) with `smoothing`
//!    sigma; 0 turns it off.
//! 2. Outlines: where the 3×3 Sobel L1 magnitude of the (smoothed) luma
//!    exceeds `edge_threshold`, the pixel turns black.
//! 3. Everywhere else each of R, G, B is posterised to `levels` evenly
//!    spaced values from 0 to 255 (rounded to nearest), so a frame has at
//!    most `levels³` colours plus black. Alpha is kept.
//!
//! ```
//! use framewise::processors::video::cartoon::posterize_lut;
//!
//! let lut = posterize_lut(3);
//! assert_eq!((lut[0], lut[60], lut[100], lut[200], lut[255]), (0, 0, 128, 255, 255));
//! ```

use super::blur::{gaussian_blur_mut, BlurScratch, GaussianKernel};
use super::luma::rgba_to_luma;
use super::sobel::SobelScratch;
use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "cartoon",
        MediaKind::Video,
        Cost::Moderate,
        "Cartoon look: smoothed, posterised colours with dark outlines.",
    )
    .param(ParamSpec::float("smoothing", "Smoothing", 0.0, 5.0, 0.1, 1.0).unit("px"))
    .param(ParamSpec::int("levels", "Levels per channel", 2, 16, 1, 6))
    .param(ParamSpec::int("edge_threshold", "Edge threshold", 0, 2040, 1, 200).unit("gradient"))
}

/// The posterising table for `levels` values per channel (clamped to
/// 2..=256): each byte maps to the nearest of `levels` evenly spaced
/// values from 0 to 255.
pub fn posterize_lut(levels: u32) -> [u8; 256] {
    let steps = levels.clamp(2, 256) - 1;
    let mut lut = [0u8; 256];
    for (v, out) in (0u32..).zip(lut.iter_mut()) {
        let q = (v * steps + 127) / 255;
        *out = ((q * 255 + steps / 2) / steps) as u8;
    }
    lut
}

/// Cartoon settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CartoonParams {
    /// Gaussian smoothing sigma in pixels; 0 for none.
    pub smoothing: f64,
    /// Values per channel, 2..=16 in the schema.
    pub levels: u32,
    /// Sobel L1 magnitude above which a pixel is an outline.
    pub edge_threshold: u16,
}

impl Default for CartoonParams {
    fn default() -> Self {
        Self {
            smoothing: 1.0,
            levels: 6,
            edge_threshold: 200,
        }
    }
}

/// Buffers and tables kept across frames.
#[derive(Debug, Clone)]
pub struct CartoonScratch {
    kernel: Option<(u64, GaussianKernel)>,
    lut: Option<(u32, [u8; 256])>,
    blur: BlurScratch,
    luma: Vec<u8>,
    sobel: SobelScratch,
    mag: Vec<u16>,
}

impl Default for CartoonScratch {
    fn default() -> Self {
        Self {
            kernel: None,
            lut: None,
            blur: BlurScratch::new(),
            luma: Vec::new(),
            sobel: SobelScratch::new(),
            mag: Vec::new(),
        }
    }
}

/// Cartoonises a `width`×`height` RGBA image in place. Leaves `rgba`
/// unchanged if it is shorter than the size.
pub fn cartoon_mut(
    rgba: &mut [u8],
    width: usize,
    height: usize,
    params: &CartoonParams,
    scratch: &mut CartoonScratch,
) {
    let n = width * height;
    let Some(rgba) = rgba.get_mut(..n * 4) else {
        return;
    };
    if n == 0 {
        return;
    }
    if params.smoothing > 0.0 {
        let bits = params.smoothing.to_bits();
        if scratch.kernel.as_ref().map(|(b, _)| *b) != Some(bits) {
            scratch.kernel = Some((bits, GaussianKernel::new(params.smoothing)));
        }
        if let Some((_, kernel)) = &scratch.kernel {
            gaussian_blur_mut::<4>(rgba, width, height, kernel, &mut scratch.blur);
        }
    }
    if scratch.lut.as_ref().map(|(l, _)| *l) != Some(params.levels) {
        scratch.lut = Some((params.levels, posterize_lut(params.levels)));
    }
    let lut = match &scratch.lut {
        Some((_, lut)) => lut,
        None => return,
    };
    scratch.luma.resize(n, 0);
    rgba_to_luma(rgba, &mut scratch.luma);
    let threshold = params.edge_threshold;
    let mut rows = rgba.chunks_exact_mut(width * 4);
    let (luma, sobel, mag) = (&scratch.luma, &mut scratch.sobel, &mut scratch.mag);
    sobel.for_each_l1_row(luma, width, height, mag, |_, mag| {
        let Some(row) = rows.next() else {
            return;
        };
        for (px, &m) in row.chunks_exact_mut(4).zip(mag) {
            let keep = if m > threshold { 0 } else { 0xff };
            for v in px.iter_mut().take(3) {
                *v = lut[usize::from(*v)] & keep;
            }
        }
    });
}

/// The `cartoon` processor.
#[derive(Debug, Clone, Default)]
pub struct Cartoon {
    params: CartoonParams,
    scratch: CartoonScratch,
}

impl Configure for Cartoon {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.params = CartoonParams {
            smoothing: params.float("smoothing")?,
            levels: params.int("levels")?.clamp(2, 256) as u32,
            edge_threshold: params.int("edge_threshold")?.clamp(0, i64::from(u16::MAX)) as u16,
        };
        Ok(())
    }
}

impl VideoProcessor for Cartoon {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        cartoon_mut(frame.data_mut(), w, h, &self.params, &mut self.scratch);
        Ok(())
    }
}
