//! `frame-stats`: mean brightness, a luma histogram and a motion score per
//! frame, emitted as results; the frame is left unchanged.

use serde::Serialize;

use super::luma::rgba_to_luma;
use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "frame-stats",
        MediaKind::Video,
        Cost::Light,
        "Measures brightness, a histogram and motion; the picture is unchanged.",
    )
    .param(ParamSpec::int("bins", "Histogram bins", 2, 256, 1, 32))
}

/// The result emitted for every frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Mean luma, 0–255.
    pub mean_brightness: f32,
    /// Pixel counts per luma bin, darkest first; bins split 0–255 evenly.
    pub histogram: Vec<u32>,
    /// Mean absolute luma change since the previous frame, 0–1; `None` for
    /// the first frame and after a size change.
    pub motion: Option<f32>,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
}

/// Measures each frame and emits a [`Stats`].
#[derive(Debug)]
pub struct FrameStats {
    bins: usize,
    luma: Vec<u8>,
    previous: Vec<u8>,
}

impl Default for FrameStats {
    fn default() -> Self {
        Self {
            bins: 32,
            luma: Vec::new(),
            previous: Vec::new(),
        }
    }
}

impl Configure for FrameStats {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.bins = params.int("bins")?.clamp(1, 256) as usize;
        Ok(())
    }
}

impl VideoProcessor for FrameStats {
    fn process(
        &mut self,
        frame: &mut VideoFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        let pixels = frame.width() as usize * frame.height() as usize;
        self.luma.resize(pixels, 0);
        rgba_to_luma(frame.data(), &mut self.luma);

        let mut levels = [0u32; 256];
        let mut sum = 0u64;
        for &y in &self.luma {
            levels[usize::from(y)] += 1;
            sum += u64::from(y);
        }
        let mut histogram = vec![0u32; self.bins];
        for (level, count) in levels.iter().enumerate() {
            histogram[level * self.bins / 256] += count;
        }
        let motion = (self.previous.len() == pixels).then(|| {
            let change: u64 = self
                .luma
                .iter()
                .zip(&self.previous)
                .map(|(&a, &b)| u64::from(a.abs_diff(b)))
                .sum();
            (change as f64 / (pixels as f64 * 255.0)) as f32
        });
        std::mem::swap(&mut self.luma, &mut self.previous);

        results.emit(&Stats {
            mean_brightness: (sum as f64 / pixels as f64) as f32,
            histogram,
            motion,
            width: frame.width(),
            height: frame.height(),
        })
    }
}
