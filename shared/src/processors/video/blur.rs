//! `blur`: Gaussian blur, separable and in 8.8 fixed point.
//!
//! The kernel is sampled from `exp(-x² / 2σ²)` (with `libm`, so every
//! target computes the same weights) out to `ceil(3σ)`, scaled to integers
//! that sum to exactly 256, and trimmed of zero tails. A horizontal pass
//! over a border-replicated copy of each row and a vertical pass that
//! accumulates whole rows (taps outer, pixels inner) both add into `u16`
//! and round with `(acc + 128) >> 8`. Since the weights are non-negative
//! and sum to 256, an accumulator never exceeds `255 · 256`, so `u16`
//! cannot overflow. Borders are replicated (OpenCV's `BORDER_REPLICATE`).
//!
//! The kernel is generic over the number of interleaved channels: the
//! `blur` processor blurs RGBA (all four channels — a constant alpha stays
//! exactly constant), and `canny` reuses it on a one-channel luma plane.
//!
//! ```
//! use framewise::processors::video::blur::{gaussian_blur, GaussianKernel};
//!
//! let kernel = GaussianKernel::new(1.5);
//! // ceil(3σ) = 5, but the outermost weight rounds to 0 and is trimmed.
//! assert_eq!(kernel.radius(), 4);
//! assert_eq!(kernel.weights().iter().map(|&w| u32::from(w)).sum::<u32>(), 256);
//!
//! // A flat plane stays flat; a single bright pixel spreads out.
//! let mut plane = vec![0u8; 9 * 9];
//! plane[4 * 9 + 4] = 255;
//! let out = gaussian_blur::<1>(&plane, 9, 9, 1.0);
//! assert!(out[4 * 9 + 4] < 255 && out[4 * 9 + 5] > 0);
//! ```

use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The largest sigma the kernel accepts; larger values are clamped.
pub const MAX_SIGMA: f64 = 32.0;

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "blur",
        MediaKind::Video,
        Cost::Moderate,
        "Gaussian blur: softens the picture; sigma sets how far it spreads.",
    )
    .param(ParamSpec::float("sigma", "Sigma", 0.1, 10.0, 0.1, 1.5).unit("px"))
}

/// A symmetric Gaussian kernel in 8.8 fixed point: integer weights that
/// sum to exactly 256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaussianKernel {
    /// `half[0]` is the centre weight, `half[k]` the weight at `±k`.
    half: Vec<u16>,
}

impl GaussianKernel {
    /// The kernel for `sigma` pixels, radius `ceil(3σ)` before trimming
    /// zero tails. A sigma that is not positive (or NaN) gives the
    /// identity; sigma is clamped to [`MAX_SIGMA`].
    pub fn new(sigma: f64) -> Self {
        if sigma.is_nan() || sigma <= 0.0 {
            return Self { half: vec![256] };
        }
        let sigma = sigma.min(MAX_SIGMA);
        let radius = libm::ceil(3.0 * sigma) as usize;
        let exact: Vec<f64> = (0..=radius)
            .map(|k| {
                let k = k as f64;
                libm::exp(-k * k / (2.0 * sigma * sigma))
            })
            .collect();
        let total: f64 = exact.iter().skip(1).sum::<f64>() * 2.0 + exact.first().unwrap_or(&1.0);
        let scaled: Vec<f64> = exact.iter().map(|g| 256.0 * g / total).collect();
        let mut half: Vec<u16> = scaled.iter().map(|&e| libm::floor(e) as u16).collect();
        let used: u32 = half
            .iter()
            .enumerate()
            .map(|(k, &w)| {
                if k == 0 {
                    u32::from(w)
                } else {
                    2 * u32::from(w)
                }
            })
            .sum();
        let mut left = 256u32.saturating_sub(used);
        // Largest remainders first (so the weights stay bell-shaped); the
        // centre takes one unit, a side weight two (it is used twice).
        let mut order: Vec<usize> = (0..half.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let fa = scaled[a] - libm::floor(scaled[a]);
            let fb = scaled[b] - libm::floor(scaled[b]);
            fb.total_cmp(&fa).then(a.cmp(&b))
        });
        for k in order {
            let cost = if k == 0 { 1 } else { 2 };
            if left < cost {
                break;
            }
            if let Some(w) = half.get_mut(k) {
                *w += 1;
                left -= cost;
            }
        }
        if let Some(centre) = half.first_mut() {
            *centre += left as u16;
        }
        while half.len() > 1 && half.last() == Some(&0) {
            half.pop();
        }
        Self { half }
    }

    /// How many pixels the kernel reaches on each side.
    pub fn radius(&self) -> usize {
        self.half.len().saturating_sub(1)
    }

    /// All `2·radius + 1` weights, left to right; they sum to 256.
    pub fn weights(&self) -> Vec<u16> {
        let mut w: Vec<u16> = self.half.iter().skip(1).rev().copied().collect();
        w.extend_from_slice(&self.half);
        w
    }
}

/// Reusable buffers for [`gaussian_blur_mut`], grown to the image size on
/// use and kept across frames.
#[derive(Debug, Default, Clone)]
pub struct BlurScratch {
    tmp: Vec<u8>,
    pad: Vec<u8>,
    acc: Vec<u16>,
}

impl BlurScratch {
    /// Empty buffers.
    pub fn new() -> Self {
        Self::default()
    }
}

/// Blurs a `width`×`height` image of `C` interleaved byte channels in
/// place. Leaves `data` unchanged if it is shorter than
/// `width * height * C`; bytes past that length are not touched.
pub fn gaussian_blur_mut<const C: usize>(
    data: &mut [u8],
    width: usize,
    height: usize,
    kernel: &GaussianKernel,
    scratch: &mut BlurScratch,
) {
    let n = width * C;
    let Some(data) = data.get_mut(..n * height) else {
        return;
    };
    let r = kernel.radius();
    if n == 0 || height == 0 || r == 0 {
        return;
    }
    let half = kernel.half.as_slice();
    let centre = half.first().copied().unwrap_or(256);
    scratch.tmp.resize(n * height, 0);
    scratch.pad.resize(n + 2 * r * C, 0);
    scratch.acc.resize(n, 0);
    let (tmp, pad, acc) = (
        &mut scratch.tmp[..n * height],
        &mut scratch.pad[..n + 2 * r * C],
        &mut scratch.acc[..n],
    );

    // Horizontal: data → tmp, one replicated-border row at a time.
    for (src, dst) in data.chunks_exact(n).zip(tmp.chunks_exact_mut(n)) {
        let (first, last) = (&src[..C], &src[n - C..]);
        let (left, rest) = pad.split_at_mut(r * C);
        let (mid, right) = rest.split_at_mut(n);
        left.chunks_exact_mut(C)
            .for_each(|p| p.copy_from_slice(first));
        mid.copy_from_slice(src);
        right
            .chunks_exact_mut(C)
            .for_each(|p| p.copy_from_slice(last));
        let pad = &*pad;
        for (a, &v) in acc.iter_mut().zip(&pad[r * C..r * C + n]) {
            *a = centre * u16::from(v);
        }
        for (k, &w) in half.iter().enumerate().skip(1) {
            let l = &pad[(r - k) * C..(r - k) * C + n];
            let rr = &pad[(r + k) * C..(r + k) * C + n];
            add_pair(acc, l, rr, w);
        }
        round_into(acc, dst);
    }

    // Vertical: tmp → data, accumulating whole rows.
    let tmp = &*tmp;
    let row = |y: usize| &tmp[y * n..y * n + n];
    let last = height - 1;
    for (y, dst) in data.chunks_exact_mut(n).enumerate() {
        for (a, &v) in acc.iter_mut().zip(row(y)) {
            *a = centre * u16::from(v);
        }
        for (k, &w) in half.iter().enumerate().skip(1) {
            add_pair(acc, row(y.saturating_sub(k)), row((y + k).min(last)), w);
        }
        round_into(acc, dst);
    }
}

/// `acc += w · (l + r)`, element-wise.
#[inline(always)]
fn add_pair(acc: &mut [u16], l: &[u8], r: &[u8], w: u16) {
    for ((a, &l), &r) in acc.iter_mut().zip(l).zip(r) {
        *a += w * (u16::from(l) + u16::from(r));
    }
}

/// `dst = (acc + 128) >> 8`, element-wise.
#[inline(always)]
fn round_into(acc: &[u16], dst: &mut [u8]) {
    for (d, &a) in dst.iter_mut().zip(acc) {
        *d = ((a + 128) >> 8) as u8;
    }
}

/// A blurred copy of a `width`×`height` image of `C` interleaved channels
/// (a copy of the input, unblurred, if it is shorter than the size says).
pub fn gaussian_blur<const C: usize>(
    data: &[u8],
    width: usize,
    height: usize,
    sigma: f64,
) -> Vec<u8> {
    let mut out = data.to_vec();
    gaussian_blur_mut::<C>(
        &mut out,
        width,
        height,
        &GaussianKernel::new(sigma),
        &mut BlurScratch::new(),
    );
    out
}

/// Blurs RGBA frames (all four channels) with a Gaussian of `sigma` px.
#[derive(Debug, Clone)]
pub struct Blur {
    kernel: GaussianKernel,
    scratch: BlurScratch,
}

impl Default for Blur {
    fn default() -> Self {
        Self {
            kernel: GaussianKernel::new(1.5),
            scratch: BlurScratch::new(),
        }
    }
}

impl Configure for Blur {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.kernel = GaussianKernel::new(params.float("sigma")?);
        Ok(())
    }
}

impl VideoProcessor for Blur {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        gaussian_blur_mut::<4>(frame.data_mut(), w, h, &self.kernel, &mut self.scratch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_sum_to_256_and_are_symmetric_and_bell_shaped() {
        for tenths in 1..=100 {
            let sigma = f64::from(tenths) / 10.0;
            let k = GaussianKernel::new(sigma);
            let w = k.weights();
            assert_eq!(w.iter().map(|&v| u32::from(v)).sum::<u32>(), 256, "{sigma}");
            assert!(k.radius() <= libm::ceil(3.0 * sigma) as usize);
            assert!(w.iter().eq(w.iter().rev()));
            assert!(
                k.half.windows(2).all(|p| p[0] >= p[1]),
                "{sigma}: {:?}",
                k.half
            );
            assert!(k.half.last().is_some_and(|&v| v > 0));
        }
        assert_eq!(GaussianKernel::new(0.1).weights(), [256]);
        assert_eq!(GaussianKernel::new(f64::NAN).weights(), [256]);
        assert_eq!(GaussianKernel::new(-1.0).weights(), [256]);
    }

    #[test]
    fn flat_stays_flat_and_short_buffers_are_left_alone() {
        let mut flat = vec![77u8; 5 * 3 * 4];
        gaussian_blur_mut::<4>(
            &mut flat,
            5,
            3,
            &GaussianKernel::new(10.0),
            &mut BlurScratch::new(),
        );
        assert!(flat.iter().all(|&v| v == 77));
        let mut short = vec![1u8, 2, 3];
        gaussian_blur_mut::<1>(
            &mut short,
            2,
            2,
            &GaussianKernel::new(1.0),
            &mut BlurScratch::new(),
        );
        assert_eq!(short, [1, 2, 3]);
    }
}
