//! `pixelate`: each block of pixels replaced by its average colour.

use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "pixelate",
        MediaKind::Video,
        Cost::Light,
        "Mosaic: square blocks of average colour.",
    )
    .param(ParamSpec::int("block_size", "Block size", 2, 128, 1, 12).unit("px"))
}

/// Averages square blocks; partial blocks at the right and bottom edges
/// average the pixels they have.
#[derive(Debug)]
pub struct Pixelate {
    block: usize,
    sums: Vec<u32>,
}

impl Default for Pixelate {
    fn default() -> Self {
        Self {
            block: 12,
            sums: Vec::new(),
        }
    }
}

impl Configure for Pixelate {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.block = params.int("block_size")?.clamp(1, 4096) as usize;
        Ok(())
    }
}

impl VideoProcessor for Pixelate {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (w, block) = (frame.width() as usize, self.block);
        let row_bytes = w * 4;
        let blocks_across = w.div_ceil(block);
        for band in frame.data_mut().chunks_mut(row_bytes * block) {
            let rows = band.len() / row_bytes;
            self.sums.clear();
            self.sums.resize(blocks_across * 4, 0);
            for row in band.chunks_exact(row_bytes) {
                for (x, p) in row.chunks_exact(4).enumerate() {
                    let s = &mut self.sums[(x / block) * 4..(x / block) * 4 + 4];
                    s.iter_mut().zip(p).for_each(|(s, &v)| *s += u32::from(v));
                }
            }
            for (bx, sum) in self.sums.chunks_exact(4).enumerate() {
                let count = (rows * (block.min(w - bx * block))) as u32;
                let mut mean = [0u8; 4];
                for (m, s) in mean.iter_mut().zip(sum) {
                    *m = ((s + count / 2) / count) as u8;
                }
                for row in band.chunks_exact_mut(row_bytes) {
                    let end = ((bx + 1) * block).min(w) * 4;
                    for p in row[bx * block * 4..end].chunks_exact_mut(4) {
                        p.copy_from_slice(&mean);
                    }
                }
            }
        }
        Ok(())
    }
}
