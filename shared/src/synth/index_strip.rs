//! A frame index written as a strip of black and white blocks along the
//! top of a frame, and read back from any processed copy that keeps the
//! strip legible: unchanged, inverted, grey or mirrored.
//!
//! The strip holds [`BLOCKS`] blocks of equal width: a start marker (white),
//! the 16-bit index most significant bit first (white = 1), an even-parity
//! bit, and an end marker (black). An inverted picture turns the markers
//! round, which the reader notices and undoes.
//!
//! ```
//! use framewise::synth::{index_strip, textured_frame};
//!
//! let mut frame = textured_frame(320, 240, 1);
//! index_strip::write(&mut frame, 1234);
//! assert_eq!(index_strip::read(&frame, false), Some(1234));
//! ```

use crate::frame::VideoFrame;
use crate::processors::video::luma::luma;

/// Blocks in the strip: two markers, 16 index bits, one parity bit.
pub const BLOCKS: u32 = 19;
/// Index bits; indices wrap at 2^16.
pub const BITS: u32 = 16;

/// Height of the strip for a frame height: 1/16 of it, at least 4 rows
/// (all of a frame shorter than that).
pub fn height(frame_height: u32) -> u32 {
    (frame_height / 16).max(4).min(frame_height)
}

fn bits(index: u32) -> [bool; BLOCKS as usize] {
    let mut bits = [false; BLOCKS as usize];
    bits[0] = true;
    let index = index % (1 << BITS);
    for b in 0..BITS {
        bits[1 + b as usize] = index >> (BITS - 1 - b) & 1 == 1;
    }
    bits[1 + BITS as usize] = index.count_ones() % 2 == 1;
    bits
}

/// The pixel columns of block `i`: `[start, end)`.
fn block_columns(width: u32, i: u32) -> (u32, u32) {
    (i * width / BLOCKS, (i + 1) * width / BLOCKS)
}

/// Writes `index` (mod 2^16) into the top rows of `frame`. Frames narrower
/// than [`BLOCKS`] pixels cannot hold it and are left unchanged.
pub fn write(frame: &mut VideoFrame, index: u32) {
    let (width, strip) = (frame.width(), height(frame.height()));
    if width < BLOCKS {
        return;
    }
    let bits = bits(index);
    let row_bytes = width as usize * 4;
    for row in frame
        .data_mut()
        .chunks_exact_mut(row_bytes)
        .take(strip as usize)
    {
        for (i, &bit) in (0..BLOCKS).zip(bits.iter()) {
            let (start, end) = block_columns(width, i);
            let value = if bit { 255 } else { 0 };
            for p in row[start as usize * 4..end as usize * 4].chunks_exact_mut(4) {
                p.copy_from_slice(&[value, value, value, 255]);
            }
        }
    }
}

/// Reads the index from `frame`'s strip, or `None` when it is not legible
/// (markers or parity wrong). `mirrored` reads a horizontally flipped copy.
pub fn read(frame: &VideoFrame, mirrored: bool) -> Option<u32> {
    let (width, strip) = (frame.width(), height(frame.height()));
    if width < BLOCKS {
        return None;
    }
    let mut bits = [false; BLOCKS as usize];
    for (i, bit) in (0..BLOCKS).zip(bits.iter_mut()) {
        let (start, end) = block_columns(width, i);
        // The middle half of the block, away from edges that filters blur.
        let (x0, x1) = (start + (end - start) / 4, end - (end - start) / 4);
        let (y0, y1) = (strip / 4, strip - strip / 4);
        let (mut sum, mut count) = (0u32, 0u32);
        for y in y0..y1.max(y0 + 1) {
            for x in x0..x1.max(x0 + 1) {
                let x = if mirrored { width - 1 - x } else { x };
                let p = frame.pixel(x, y)?;
                sum += u32::from(luma(p[0], p[1], p[2]));
                count += 1;
            }
        }
        *bit = sum > 128 * count;
    }
    let inverted = match (bits[0], bits[BLOCKS as usize - 1]) {
        (true, false) => false,
        (false, true) => true,
        _ => return None,
    };
    if inverted {
        bits.iter_mut().for_each(|b| *b = !*b);
    }
    let index = (1..=BITS as usize).fold(0u32, |acc, i| acc << 1 | u32::from(bits[i]));
    (bits[1 + BITS as usize] == (index.count_ones() % 2 == 1)).then_some(index)
}
