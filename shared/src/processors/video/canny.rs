//! `canny`: the Canny edge detector with the rules of OpenCV's
//! `cv2.Canny(image, threshold1, threshold2, apertureSize=3, L2gradient)`.
//!
//! 1. Luma (OpenCV's BT.601 weights), or in `max-channel` mode the
//!    R, G and B planes; optionally a Gaussian pre-blur (OpenCV has none;
//!    `blur_sigma = 0` keeps it that way).
//! 2. 3×3 Sobel with replicated borders, `i16` gradients; magnitude
//!    `|dx| + |dy|`, or `dx² + dy²` against squared thresholds with
//!    `l2_gradient`. In `max-channel` mode each pixel takes the gradient of
//!    the channel with the largest magnitude (ties go to the first of
//!    B, G, R — OpenCV's channel order).
//! 3. Non-maximum suppression exactly as OpenCV: the direction is chosen
//!    with `tan(22.5°)` in Q15 fixed point (13573); a horizontal or vertical
//!    maximum must be `>` its left/upper and `>=` its right/lower
//!    neighbour, a diagonal one `>` both. Magnitudes outside the image
//!    count as 0. A surviving magnitude `> low` is a candidate, `> high`
//!    a strong edge.
//! 4. Hysteresis: candidates 8-connected to a strong edge become edges,
//!    tracked with an explicit stack that can never hold more entries than
//!    there are pixels.
//!
//! The work runs row by row over three rolling magnitude rows, so only the
//! input plane(s) and the edge map are frame-sized; every buffer is kept
//! across frames.
//!
//! ```
//! use framewise::processors::video::canny::{canny, CannyParams};
//!
//! // A dark square on a bright background: its outline is found (on the
//! // bright side: OpenCV keeps the first of two equal maxima).
//! let (w, h) = (16, 16);
//! let plane: Vec<u8> = (0..w * h)
//!     .map(|i| if (4..12).contains(&(i % w)) && (4..12).contains(&(i / w)) { 20 } else { 220 })
//!     .collect();
//! let edges = canny(&plane, w, h, &CannyParams::default());
//! assert_eq!(edges[3 * w + 8], 255);
//! assert_eq!(edges[4 * w + 8], 0);
//! assert_eq!(edges[8 * w + 8], 0);
//! ```

use super::blur::{gaussian_blur_mut, BlurScratch, GaussianKernel};
use super::luma::rgba_to_luma;
use super::sobel::{rows_around, sobel_row};
use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// `tan(22.5°)` in Q15, as OpenCV's `TG22`.
const TG22: i32 = 13573;

/// Map states, as OpenCV: a candidate, not an edge, an edge.
const CANDIDATE: u8 = 0;
const NOT_EDGE: u8 = 1;
const EDGE: u8 = 2;

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "canny",
        MediaKind::Video,
        Cost::Moderate,
        "Canny edge detector (as OpenCV's cv2.Canny): white edges on black.",
    )
    .param(
        ParamSpec::float("threshold1", "Low threshold", 0.0, 1000.0, 1.0, 100.0).unit("gradient"),
    )
    .param(
        ParamSpec::float("threshold2", "High threshold", 0.0, 1000.0, 1.0, 200.0).unit("gradient"),
    )
    .param(ParamSpec::bool("l2_gradient", "L2 gradient", false))
    .param(ParamSpec::float("blur_sigma", "Pre-blur sigma", 0.0, 5.0, 0.1, 0.0).unit("px"))
    .param(ParamSpec::choice(
        "color_mode",
        "Colour mode",
        &["luma", "max-channel"],
        "luma",
    ))
}

/// Which planes the gradients come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// The BT.601 luma of each pixel.
    #[default]
    Luma,
    /// R, G and B separately; each pixel keeps the strongest gradient.
    MaxChannel,
}

/// Canny settings, with OpenCV's meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CannyParams {
    /// One hysteresis threshold; the smaller of the two is the low one.
    pub threshold1: f64,
    /// The other hysteresis threshold; the larger is the high one.
    pub threshold2: f64,
    /// Compare `dx² + dy²` with squared thresholds instead of `|dx| + |dy|`.
    pub l2_gradient: bool,
    /// Gaussian pre-blur sigma in pixels; 0 for none.
    pub blur_sigma: f64,
    /// Luma or per-channel gradients (RGBA input only).
    pub color_mode: ColorMode,
}

impl Default for CannyParams {
    fn default() -> Self {
        Self {
            threshold1: 100.0,
            threshold2: 200.0,
            l2_gradient: false,
            blur_sigma: 0.0,
            color_mode: ColorMode::Luma,
        }
    }
}

impl CannyParams {
    /// The integer `(low, high)` thresholds OpenCV compares magnitudes
    /// with: ordered, squared for L2 (after capping at 32767), floored.
    pub fn int_thresholds(&self) -> (i32, i32) {
        let (mut low, mut high) = (
            self.threshold1.min(self.threshold2),
            self.threshold1.max(self.threshold2),
        );
        if self.l2_gradient {
            low = low.min(32767.0);
            high = high.min(32767.0);
            if low > 0.0 {
                low *= low;
            }
            if high > 0.0 {
                high *= high;
            }
        }
        // `as` saturates, and NaN becomes 0.
        (libm::floor(low) as i32, libm::floor(high) as i32)
    }
}

/// Buffers kept across frames, resized when the frame size changes.
#[derive(Debug, Default, Clone)]
pub struct CannyScratch {
    /// Input planes: luma in `planes[0]`, or B, G, R.
    planes: [Vec<u8>; 3],
    blur: BlurScratch,
    kernel: Option<(u64, GaussianKernel)>,
    smooth: Vec<i16>,
    diff: Vec<i16>,
    /// Gradients of the row being suppressed (0) and the row below (1).
    dx: [Vec<i16>; 2],
    dy: [Vec<i16>; 2],
    /// Per-channel gradients in max-channel mode.
    cdx: Vec<i16>,
    cdy: Vec<i16>,
    cmag: Vec<i32>,
    /// Magnitudes of rows y-1, y, y+1, each with a zero on both ends.
    mag: [Vec<i32>; 3],
    /// `(width + 2) × (height + 2)` states with a NOT_EDGE border.
    map: Vec<u8>,
    stack: Vec<usize>,
}

impl CannyScratch {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds the cached pre-blur kernel if sigma changed.
    fn update_kernel(&mut self, sigma: f64) {
        let bits = sigma.to_bits();
        if self.kernel.as_ref().map(|(b, _)| *b) != Some(bits) {
            self.kernel = Some((bits, GaussianKernel::new(sigma)));
        }
    }

    /// Runs Canny on the planes already in `self.planes` (`channels` of
    /// them, each `w`×`h`), leaving the result in `self.map`.
    fn detect(&mut self, w: usize, h: usize, channels: usize, params: &CannyParams) {
        let n = w * h;
        if params.blur_sigma > 0.0 {
            self.update_kernel(params.blur_sigma);
            if let Some((_, kernel)) = &self.kernel {
                for plane in self.planes.iter_mut().take(channels) {
                    gaussian_blur_mut::<1>(plane, w, h, kernel, &mut self.blur);
                }
            }
        }
        let (low, high) = params.int_thresholds();
        let l2 = params.l2_gradient;
        let step = w + 2;
        self.smooth.resize(w + 2, 0);
        self.diff.resize(w + 2, 0);
        for v in self.dx.iter_mut().chain(&mut self.dy) {
            v.resize(w, 0);
        }
        self.cdx.resize(w, 0);
        self.cdy.resize(w, 0);
        self.cmag.resize(w + 2, 0);
        for m in &mut self.mag {
            m.clear();
            m.resize(w + 2, 0);
        }
        self.map.resize(step * (h + 2), NOT_EDGE);
        // Only the border must be preset: every inner cell is written below.
        if let Some(top) = self.map.get_mut(..step) {
            top.fill(NOT_EDGE);
        }
        if let Some(bottom) = self.map.get_mut(step * (h + 1)..) {
            bottom.fill(NOT_EDGE);
        }
        for row in self.map.chunks_exact_mut(step) {
            if let Some(first) = row.first_mut() {
                *first = NOT_EDGE;
            }
            if let Some(last) = row.last_mut() {
                *last = NOT_EDGE;
            }
        }
        self.stack.clear();
        self.stack.reserve(n);

        for y in 0..=h {
            // Gradients and magnitude of row y into the "next" slots.
            if y < h {
                let [_, next_dx] = &mut self.dx;
                let [_, next_dy] = &mut self.dy;
                let [_, _, next_mag] = &mut self.mag;
                let next_mag = &mut next_mag[1..w + 1];
                for (c, plane) in self.planes.iter().take(channels).enumerate() {
                    let plane = plane.get(..n).unwrap_or(&[]);
                    let (above, row, below) = rows_around(plane, w, h, y);
                    if c == 0 {
                        sobel_row(
                            above,
                            row,
                            below,
                            &mut self.smooth,
                            &mut self.diff,
                            next_dx,
                            next_dy,
                        );
                        magnitude_row(next_dx, next_dy, next_mag, l2);
                    } else {
                        sobel_row(
                            above,
                            row,
                            below,
                            &mut self.smooth,
                            &mut self.diff,
                            &mut self.cdx,
                            &mut self.cdy,
                        );
                        let cmag = &mut self.cmag[..w];
                        magnitude_row(&self.cdx, &self.cdy, cmag, l2);
                        keep_strongest(next_dx, next_dy, next_mag, &self.cdx, &self.cdy, cmag);
                    }
                }
            } else {
                self.mag[2].fill(0);
            }
            // Suppress row y - 1, now that the row below it is known.
            if y >= 1 {
                let base = y * step + 1;
                let map_row = &mut self.map[base..base + w];
                let [prev, cur, next] = &self.mag;
                nms_row(
                    prev,
                    cur,
                    next,
                    &self.dx[0],
                    &self.dy[0],
                    low,
                    high,
                    map_row,
                    base,
                    &mut self.stack,
                );
            }
            self.mag.rotate_left(1);
            self.dx.swap(0, 1);
            self.dy.swap(0, 1);
        }
        hysteresis(&mut self.map, step, &mut self.stack);
    }

    /// The edge map rows (one byte a pixel: 2 = edge), `w` wide.
    fn map_rows(&self, w: usize, h: usize) -> impl Iterator<Item = &[u8]> {
        let step = w + 2;
        self.map
            .chunks_exact(step)
            .skip(1)
            .take(h)
            .map(move |row| &row[1..step - 1])
    }
}

/// `|dx| + |dy|` or `dx² + dy²`, element-wise.
#[inline]
fn magnitude_row(dx: &[i16], dy: &[i16], out: &mut [i32], l2: bool) {
    if l2 {
        for ((o, &x), &y) in out.iter_mut().zip(dx).zip(dy) {
            let (x, y) = (i32::from(x), i32::from(y));
            *o = x * x + y * y;
        }
    } else {
        for ((o, &x), &y) in out.iter_mut().zip(dx).zip(dy) {
            *o = i32::from(x).abs() + i32::from(y).abs();
        }
    }
}

/// Where the candidate channel's magnitude is strictly larger, take its
/// gradient and magnitude.
#[inline]
fn keep_strongest(
    dx: &mut [i16],
    dy: &mut [i16],
    mag: &mut [i32],
    cdx: &[i16],
    cdy: &[i16],
    cmag: &[i32],
) {
    for (((x, y), m), ((&cx, &cy), &cm)) in dx
        .iter_mut()
        .zip(dy.iter_mut())
        .zip(mag.iter_mut())
        .zip(cdx.iter().zip(cdy).zip(cmag))
    {
        let better = cm > *m;
        *x = if better { cx } else { *x };
        *y = if better { cy } else { *y };
        *m = if better { cm } else { *m };
    }
}

/// Non-maximum suppression and thresholding of one row, OpenCV's rules.
/// `prev`, `cur` and `next` are magnitudes with one zero at each end
/// (`width + 2`); `map` is the row's `width` states, starting at index
/// `base` of the whole map; strong edges are pushed on `stack`.
#[allow(clippy::too_many_arguments)]
fn nms_row(
    prev: &[i32],
    cur: &[i32],
    next: &[i32],
    dx: &[i16],
    dy: &[i16],
    low: i32,
    high: i32,
    map: &mut [u8],
    base: usize,
    stack: &mut Vec<usize>,
) {
    let w = dx
        .len()
        .min(dy.len())
        .min(map.len())
        .min(prev.len().saturating_sub(2))
        .min(cur.len().saturating_sub(2))
        .min(next.len().saturating_sub(2));
    let (dx, dy, map) = (&dx[..w], &dy[..w], &mut map[..w]);
    // The eight neighbours as slices aligned with the pixels (the rows
    // carry one zero on each side), so the loop needs no bounds checks.
    let (ul, up, ur) = (&prev[..w], &prev[1..w + 1], &prev[2..w + 2]);
    let (left, mid, right) = (&cur[..w], &cur[1..w + 1], &cur[2..w + 2]);
    let (dl, down, dr) = (&next[..w], &next[1..w + 1], &next[2..w + 2]);
    // Branch-free, so it vectorises: every pixel computes every case.
    for j in 0..w {
        let m = mid[j];
        let (xs, ys) = (i32::from(dx[j]), i32::from(dy[j]));
        let (l, r, u, d) = (left[j], right[j], up[j], down[j]);
        let (a_ul, a_ur, a_dl, a_dr) = (ul[j], ur[j], dl[j], dr[j]);
        let x = xs.abs();
        let y = ys.abs() << 15;
        let tg22x = x * TG22;
        let tg67x = tg22x + (x << 16);
        let horizontal = y < tg22x;
        let vertical = y > tg67x;
        // Same signs: the gradient runs along the main diagonal.
        let same = (xs ^ ys) >= 0;
        let diag_a = if same { a_ul } else { a_ur };
        let diag_b = if same { a_dr } else { a_dl };
        let a = if horizontal {
            l
        } else if vertical {
            u
        } else {
            diag_a
        };
        let b = if horizontal {
            r
        } else if vertical {
            d
        } else {
            diag_b
        };
        // `m >= b` on an axis, `m > b` on a diagonal.
        let diagonal = i32::from(!(horizontal | vertical));
        let keep = (m > low) & (m > a) & (m >= b + diagonal);
        let strong = m > high;
        // NOT_EDGE = 1, CANDIDATE = 0, EDGE = 2.
        map[j] = u8::from(!keep) | (u8::from(keep & strong) << 1);
    }
    // Strong edges are rare: find them a chunk at a time.
    const CHUNK: usize = 32;
    for (c, chunk) in map.chunks(CHUNK).enumerate() {
        if chunk.iter().fold(0u8, |acc, &s| acc | (s & EDGE)) == 0 {
            continue;
        }
        for (j, &s) in chunk.iter().enumerate() {
            if s == EDGE {
                stack.push(base + c * CHUNK + j);
            }
        }
    }
}

/// Turns every candidate 8-connected to an edge into an edge. `stack`
/// holds the strong edges' map indices; each cell is pushed at most once
/// (when it becomes an edge), so the stack never outgrows the pixel count.
fn hysteresis(map: &mut [u8], step: usize, stack: &mut Vec<usize>) {
    while let Some(i) = stack.pop() {
        let neighbours = [
            i.wrapping_sub(1),
            i + 1,
            i.wrapping_sub(step + 1),
            i.wrapping_sub(step),
            i.wrapping_sub(step - 1),
            i + step - 1,
            i + step,
            i + step + 1,
        ];
        for k in neighbours {
            if let Some(cell) = map.get_mut(k) {
                if *cell == CANDIDATE {
                    *cell = EDGE;
                    stack.push(k);
                }
            }
        }
    }
}

/// Canny edges of a one-byte `width`×`height` plane: 255 on edges, 0
/// elsewhere. `params.color_mode` is ignored (there is one channel).
/// Returns all zeros if `gray` is shorter than `width * height`.
pub fn canny(gray: &[u8], width: usize, height: usize, params: &CannyParams) -> Vec<u8> {
    let n = width * height;
    let mut out = vec![0u8; n];
    let Some(gray) = gray.get(..n) else {
        return out;
    };
    if n == 0 {
        return out;
    }
    let mut scratch = CannyScratch::new();
    scratch.planes[0].clear();
    scratch.planes[0].extend_from_slice(gray);
    scratch.detect(width, height, 1, params);
    for (dst, src) in out
        .chunks_exact_mut(width)
        .zip(scratch.map_rows(width, height))
    {
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = if s == EDGE { 255 } else { 0 };
        }
    }
    out
}

/// Replaces a `width`×`height` RGBA image with its Canny edges: white
/// edges, black elsewhere, alpha 255. Leaves `rgba` unchanged if it is
/// shorter than `width * height * 4`.
pub fn canny_rgba_mut(
    rgba: &mut [u8],
    width: usize,
    height: usize,
    params: &CannyParams,
    scratch: &mut CannyScratch,
) {
    let n = width * height;
    let Some(rgba) = rgba.get_mut(..n * 4) else {
        return;
    };
    if n == 0 {
        return;
    }
    let channels = match params.color_mode {
        ColorMode::Luma => {
            scratch.planes[0].resize(n, 0);
            rgba_to_luma(rgba, &mut scratch.planes[0]);
            1
        }
        ColorMode::MaxChannel => {
            let [b, g, r] = &mut scratch.planes;
            for p in [&mut *b, &mut *g, &mut *r] {
                p.resize(n, 0);
            }
            for (((px, b), g), r) in rgba
                .chunks_exact(4)
                .zip(b.iter_mut())
                .zip(g.iter_mut())
                .zip(r.iter_mut())
            {
                (*r, *g, *b) = (px[0], px[1], px[2]);
            }
            3
        }
    };
    scratch.detect(width, height, channels, params);
    for (dst, src) in rgba
        .chunks_exact_mut(width * 4)
        .zip(scratch.map_rows(width, height))
    {
        for (px, &s) in dst.chunks_exact_mut(4).zip(src) {
            let v = if s == EDGE { 255 } else { 0 };
            px.copy_from_slice(&[v, v, v, 255]);
        }
    }
}

/// The `canny` processor: Canny edges of each frame, white on black.
#[derive(Debug, Default, Clone)]
pub struct Canny {
    params: CannyParams,
    scratch: CannyScratch,
}

impl Configure for Canny {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.params = CannyParams {
            threshold1: params.float("threshold1")?,
            threshold2: params.float("threshold2")?,
            l2_gradient: params.bool("l2_gradient")?,
            blur_sigma: params.float("blur_sigma")?,
            color_mode: match params.choice("color_mode")? {
                "max-channel" => ColorMode::MaxChannel,
                _ => ColorMode::Luma,
            },
        };
        Ok(())
    }
}

impl VideoProcessor for Canny {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        canny_rgba_mut(frame.data_mut(), w, h, &self.params, &mut self.scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_opencv() {
        let p = CannyParams {
            threshold1: 200.5,
            threshold2: 100.7,
            ..CannyParams::default()
        };
        assert_eq!(p.int_thresholds(), (100, 200));
        let p = CannyParams {
            l2_gradient: true,
            ..p
        };
        assert_eq!(p.int_thresholds(), (10140, 40200));
    }

    #[test]
    fn every_small_size_works() {
        let mut scratch = CannyScratch::new();
        for (w, h) in [(1, 1), (1, 7), (7, 1), (2, 2), (3, 3), (40, 1), (1, 40)] {
            let frame = crate::synth::textured_frame(w, h, 1);
            for mode in [ColorMode::Luma, ColorMode::MaxChannel] {
                let mut data = frame.data().to_vec();
                let params = CannyParams {
                    color_mode: mode,
                    blur_sigma: 1.0,
                    ..CannyParams::default()
                };
                canny_rgba_mut(&mut data, w as usize, h as usize, &params, &mut scratch);
                assert!(data
                    .chunks_exact(4)
                    .all(|p| p == [0, 0, 0, 255] || p == [255; 4]));
            }
        }
    }
}
