//! The 3×3 Sobel operator on one-byte planes, row by row, with replicated
//! borders and `i16` gradients (as OpenCV's `Sobel(…, CV_16S, …,
//! BORDER_REPLICATE)`), shared by `canny`, `edge-overlay` and `cartoon`.
//!
//! ```text
//!       -1 0 +1            -1 -2 -1
//! dx =  -2 0 +2     dy =    0  0  0
//!       -1 0 +1            +1 +2 +1
//! ```
//!
//! The kernel is separated: for each column a vertical smoothing
//! `above + 2·row + below` and a vertical difference `below − above`, then
//! a horizontal difference and smoothing of those. Every step is a
//! straight loop over equal-length slices, which compilers vectorise
//! (SIMD128 in wasm32).
//!
//! ```
//! use framewise::processors::video::sobel;
//!
//! // A vertical step from 0 to 100 between columns 1 and 2.
//! let plane = [0, 0, 100, 100, 0, 0, 100, 100];
//! let (dx, dy) = sobel::sobel(&plane, 4, 2);
//! assert_eq!(dx, [0, 400, 400, 0, 0, 400, 400, 0]);
//! assert!(dy.iter().all(|&d| d == 0));
//! assert_eq!(sobel::sobel_l1(&plane, 4, 2)[1], 400);
//! ```

/// The largest L1 magnitude `|dx| + |dy|` a byte plane can produce.
pub const MAX_L1: u16 = 2040;

/// Reusable row buffers for the row-by-row Sobel passes.
#[derive(Debug, Default, Clone)]
pub struct SobelScratch {
    smooth: Vec<i16>,
    diff: Vec<i16>,
    dx: Vec<i16>,
    dy: Vec<i16>,
}

impl SobelScratch {
    /// Empty buffers; they grow to the row width on first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn fit(&mut self, width: usize) {
        self.smooth.resize(width + 2, 0);
        self.diff.resize(width + 2, 0);
        self.dx.resize(width, 0);
        self.dy.resize(width, 0);
    }

    /// Computes the gradients of every row of the `width`×`height` plane
    /// and calls `f(y, dx, dy)` once per row, top to bottom. Does nothing
    /// if `plane` is shorter than `width * height`.
    pub fn for_each_row(
        &mut self,
        plane: &[u8],
        width: usize,
        height: usize,
        mut f: impl FnMut(usize, &[i16], &[i16]),
    ) {
        let Some(plane) = plane.get(..width * height) else {
            return;
        };
        if width == 0 {
            return;
        }
        self.fit(width);
        for y in 0..height {
            let (above, row, below) = rows_around(plane, width, height, y);
            sobel_row(
                above,
                row,
                below,
                &mut self.smooth,
                &mut self.diff,
                &mut self.dx,
                &mut self.dy,
            );
            f(y, &self.dx, &self.dy);
        }
    }

    /// Like [`for_each_row`](Self::for_each_row), but hands each row's L1
    /// magnitude `|dx| + |dy|` (0..=[`MAX_L1`]) to `f(y, magnitude)`.
    pub fn for_each_l1_row(
        &mut self,
        plane: &[u8],
        width: usize,
        height: usize,
        mag: &mut Vec<u16>,
        mut f: impl FnMut(usize, &[u16]),
    ) {
        mag.resize(width, 0);
        self.for_each_row(plane, width, height, |y, dx, dy| {
            l1_row(dx, dy, mag);
            f(y, mag);
        });
    }
}

/// Rows `y - 1`, `y` and `y + 1` of a plane, replicated at the top and
/// bottom. `plane` holds `height` rows of `width` bytes and `y < height`.
#[inline]
pub fn rows_around(plane: &[u8], width: usize, height: usize, y: usize) -> (&[u8], &[u8], &[u8]) {
    let row = |r: usize| plane.get(r * width..(r + 1) * width).unwrap_or(&[]);
    let last = height.saturating_sub(1);
    let y = y.min(last);
    (row(y.saturating_sub(1)), row(y), row((y + 1).min(last)))
}

/// The Sobel gradients of one row, given the rows above and below it
/// (pass the row itself for a replicated border). Left and right borders
/// are replicated. `smooth` and `diff` are scratch of at least
/// `width + 2`; `dx` and `dy` receive `width` values. Works on the
/// shortest of the given lengths, so it never reads or writes out of range.
pub fn sobel_row(
    above: &[u8],
    row: &[u8],
    below: &[u8],
    smooth: &mut [i16],
    diff: &mut [i16],
    dx: &mut [i16],
    dy: &mut [i16],
) {
    let w = row
        .len()
        .min(above.len())
        .min(below.len())
        .min(dx.len())
        .min(dy.len())
        .min(smooth.len().saturating_sub(2))
        .min(diff.len().saturating_sub(2));
    if w == 0 {
        return;
    }
    let (above, row, below) = (&above[..w], &row[..w], &below[..w]);
    let (smooth, diff) = (&mut smooth[..w + 2], &mut diff[..w + 2]);
    let (dx, dy) = (&mut dx[..w], &mut dy[..w]);

    // Vertical pass: smoothing and difference per column.
    for (((s, d), (&a, &r)), &b) in smooth[1..w + 1]
        .iter_mut()
        .zip(diff[1..w + 1].iter_mut())
        .zip(above.iter().zip(row))
        .zip(below)
    {
        let (a, r, b) = (i16::from(a), i16::from(r), i16::from(b));
        *s = a + 2 * r + b;
        *d = b - a;
    }
    // Replicated left and right columns.
    smooth[0] = smooth[1];
    smooth[w + 1] = smooth[w];
    diff[0] = diff[1];
    diff[w + 1] = diff[w];

    // Horizontal pass.
    for ((o, &l), &r) in dx.iter_mut().zip(&smooth[..w]).zip(&smooth[2..]) {
        *o = r - l;
    }
    for (((o, &l), &c), &r) in dy
        .iter_mut()
        .zip(&diff[..w])
        .zip(&diff[1..w + 1])
        .zip(&diff[2..])
    {
        *o = l + 2 * c + r;
    }
}

/// `|dx| + |dy|` per pixel, into `out` (the shortest length wins).
pub fn l1_row(dx: &[i16], dy: &[i16], out: &mut [u16]) {
    for ((o, &x), &y) in out.iter_mut().zip(dx).zip(dy) {
        *o = x.unsigned_abs() + y.unsigned_abs();
    }
}

/// The `dx` and `dy` gradients of a `width`×`height` plane, row-major.
/// Empty if `plane` is shorter than `width * height`.
pub fn sobel(plane: &[u8], width: usize, height: usize) -> (Vec<i16>, Vec<i16>) {
    let mut dxs = Vec::with_capacity(width * height);
    let mut dys = Vec::with_capacity(width * height);
    SobelScratch::new().for_each_row(plane, width, height, |_, dx, dy| {
        dxs.extend_from_slice(dx);
        dys.extend_from_slice(dy);
    });
    (dxs, dys)
}

/// The L1 gradient magnitude `|dx| + |dy|` of a `width`×`height` plane.
/// Empty if `plane` is shorter than `width * height`.
pub fn sobel_l1(plane: &[u8], width: usize, height: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(width * height);
    let mut mag = Vec::new();
    SobelScratch::new().for_each_l1_row(plane, width, height, &mut mag, |_, m| {
        out.extend_from_slice(m);
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight from the definition, with clamped coordinates.
    fn naive(plane: &[u8], w: usize, h: usize) -> (Vec<i16>, Vec<i16>) {
        let at = |x: isize, y: isize| {
            let x = x.clamp(0, w as isize - 1) as usize;
            let y = y.clamp(0, h as isize - 1) as usize;
            i16::from(plane[y * w + x])
        };
        let (mut dx, mut dy) = (vec![], vec![]);
        for y in 0..h as isize {
            for x in 0..w as isize {
                dx.push(
                    at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1)
                        - at(x - 1, y - 1)
                        - 2 * at(x - 1, y)
                        - at(x - 1, y + 1),
                );
                dy.push(
                    at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)
                        - at(x - 1, y - 1)
                        - 2 * at(x, y - 1)
                        - at(x + 1, y - 1),
                );
            }
        }
        (dx, dy)
    }

    #[test]
    fn matches_the_definition_at_every_size() {
        let mut rng = crate::synth::Rng::new(3);
        for (w, h) in [(1, 1), (1, 5), (5, 1), (2, 2), (3, 7), (17, 9)] {
            let plane: Vec<u8> = (0..w * h).map(|_| rng.below(256) as u8).collect();
            assert_eq!(sobel(&plane, w, h), naive(&plane, w, h), "{w}x{h}");
        }
    }

    #[test]
    fn extremes_fit() {
        let plane = [0, 255, 0, 255, 0, 255, 0, 255, 0];
        let m = sobel_l1(&plane, 3, 3);
        assert!(m.iter().all(|&v| v <= MAX_L1));
        assert!(sobel(&plane, 4, 4).0.is_empty());
    }
}
