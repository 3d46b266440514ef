//! `edge-overlay`: Sobel edges drawn in a colour over the picture.
//!
//! The luma's 3×3 Sobel L1 magnitude `|dx| + |dy|` (0..=2040, replicated
//! borders, the same kernel as `canny`) is compared with `threshold`;
//! where it is larger, `color` is blended over the pixel with `opacity`
//! (8-bit fixed point: `opacity` 1 paints the colour exactly, 0 leaves the
//! pixel). Alpha is kept.
//!
//! ```
//! use framewise::processors::video::edge_overlay::{edge_overlay_mut, EdgeOverlayScratch};
//!
//! // A 4×1 step from black to white; the step's two pixels turn green.
//! let mut rgba = vec![0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
//! edge_overlay_mut(&mut rgba, 4, 1, 150, [0, 255, 0], 1.0, &mut EdgeOverlayScratch::default());
//! assert_eq!(&rgba[4..12], &[0, 255, 0, 255, 0, 255, 0, 255]);
//! assert_eq!(&rgba[..4], &[0, 0, 0, 255]);
//! ```

use super::luma::rgba_to_luma;
use super::sobel::SobelScratch;
use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "edge-overlay",
        MediaKind::Video,
        Cost::Moderate,
        "Outlines edges (Sobel) in a colour over the picture.",
    )
    .param(ParamSpec::int("threshold", "Threshold", 0, 2040, 1, 150).unit("gradient"))
    .param(ParamSpec::color("color", "Colour", [0, 255, 102]))
    .param(ParamSpec::float("opacity", "Opacity", 0.0, 1.0, 0.05, 1.0))
}

/// Buffers kept across frames.
#[derive(Debug, Default, Clone)]
pub struct EdgeOverlayScratch {
    luma: Vec<u8>,
    sobel: SobelScratch,
    mag: Vec<u16>,
}

/// Blends `color` with `opacity` (0..=1) over every pixel of a
/// `width`×`height` RGBA image whose luma Sobel L1 magnitude exceeds
/// `threshold`. Leaves `rgba` unchanged if it is shorter than the size.
pub fn edge_overlay_mut(
    rgba: &mut [u8],
    width: usize,
    height: usize,
    threshold: u16,
    color: [u8; 3],
    opacity: f64,
    scratch: &mut EdgeOverlayScratch,
) {
    let n = width * height;
    let Some(rgba) = rgba.get_mut(..n * 4) else {
        return;
    };
    if n == 0 {
        return;
    }
    // 0..=256: the colour's share in 1/256ths.
    let alpha = libm::round(opacity.clamp(0.0, 1.0) * 256.0) as u16;
    let c = color.map(u16::from);
    scratch.luma.resize(n, 0);
    rgba_to_luma(rgba, &mut scratch.luma);
    let mut rows = rgba.chunks_exact_mut(width * 4);
    let (luma, sobel, mag) = (&scratch.luma, &mut scratch.sobel, &mut scratch.mag);
    sobel.for_each_l1_row(luma, width, height, mag, |_, mag| {
        let Some(row) = rows.next() else {
            return;
        };
        for (px, &m) in row.chunks_exact_mut(4).zip(mag) {
            let a = if m > threshold { alpha } else { 0 };
            for (v, &c) in px.iter_mut().zip(&c) {
                *v = ((u16::from(*v) * (256 - a) + c * a + 128) >> 8) as u8;
            }
        }
    });
}

/// The `edge-overlay` processor.
#[derive(Debug, Clone)]
pub struct EdgeOverlay {
    threshold: u16,
    color: [u8; 3],
    opacity: f64,
    scratch: EdgeOverlayScratch,
}

impl Default for EdgeOverlay {
    fn default() -> Self {
        Self {
            threshold: 150,
            color: [0, 255, 102],
            opacity: 1.0,
            scratch: EdgeOverlayScratch::default(),
        }
    }
}

impl Configure for EdgeOverlay {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.threshold = params.int("threshold")?.clamp(0, i64::from(u16::MAX)) as u16;
        self.color = params.color("color")?;
        self.opacity = params.float("opacity")?;
        Ok(())
    }
}

impl VideoProcessor for EdgeOverlay {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        edge_overlay_mut(
            frame.data_mut(),
            w,
            h,
            self.threshold,
            self.color,
            self.opacity,
            &mut self.scratch,
        );
        Ok(())
    }
}
