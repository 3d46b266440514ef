//! `flip` (mirror or upside down) and `rotate-180`.

use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description of `flip`.
pub fn flip_info() -> ProcessorInfo {
    ProcessorInfo::new(
        "flip",
        MediaKind::Video,
        Cost::Light,
        "Mirror (horizontal) or upside down (vertical).",
    )
    .param(ParamSpec::choice(
        "axis",
        "Axis",
        &["horizontal", "vertical"],
        "horizontal",
    ))
}

/// The registry description of `rotate-180`.
pub fn rotate_info() -> ProcessorInfo {
    ProcessorInfo::new(
        "rotate-180",
        MediaKind::Video,
        Cost::Light,
        "Turns the picture half a turn.",
    )
}

/// Reverses the pixels of each row: the mirror image.
pub fn mirror_mut(frame: &mut VideoFrame) {
    let row_bytes = frame.width() as usize * 4;
    for row in frame.data_mut().chunks_exact_mut(row_bytes) {
        reverse_pixels(row);
    }
}

/// Reverses the order of the rows: upside down.
pub fn flip_vertical_mut(frame: &mut VideoFrame) {
    let row_bytes = frame.width() as usize * 4;
    let data = frame.data_mut();
    let rows = data.len() / row_bytes;
    for top in 0..rows / 2 {
        let (upper, lower) = data.split_at_mut((rows - 1 - top) * row_bytes);
        upper[top * row_bytes..(top + 1) * row_bytes].swap_with_slice(&mut lower[..row_bytes]);
    }
}

/// Reverses the order of all pixels: a half turn.
pub fn rotate_180_mut(frame: &mut VideoFrame) {
    reverse_pixels(frame.data_mut());
}

fn reverse_pixels(bytes: &mut [u8]) {
    let n = bytes.len() / 4;
    for i in 0..n / 2 {
        let (a, b) = bytes.split_at_mut((n - 1 - i) * 4);
        a[i * 4..i * 4 + 4].swap_with_slice(&mut b[..4]);
    }
}

/// Mirrors or flips each frame.
#[derive(Debug, Default)]
pub struct Flip {
    vertical: bool,
}

impl Configure for Flip {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.vertical = params.choice("axis")? == "vertical";
        Ok(())
    }
}

impl VideoProcessor for Flip {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        if self.vertical {
            flip_vertical_mut(frame);
        } else {
            mirror_mut(frame);
        }
        Ok(())
    }
}

/// Turns each frame half a turn.
#[derive(Debug, Default)]
pub struct Rotate180;

impl Configure for Rotate180 {}

impl VideoProcessor for Rotate180 {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        rotate_180_mut(frame);
        Ok(())
    }
}
