//! RGBA → luma, with the BT.601 weights OpenCV's `cvtColor(RGBA2GRAY)` uses
//! (0.299 R + 0.587 G + 0.114 B, 14-bit fixed point, rounded).

const R: u32 = 4899;
const G: u32 = 9617;
const B: u32 = 1868;

/// The luma of one pixel.
#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * R + u32::from(g) * G + u32::from(b) * B + (1 << 13)) >> 14) as u8
}

/// Writes the luma of every RGBA pixel of `rgba` into `out` (one byte a
/// pixel); stops at the shorter of the two.
pub fn rgba_to_luma(rgba: &[u8], out: &mut [u8]) {
    for (y, p) in out.iter_mut().zip(rgba.chunks_exact(4)) {
        *y = luma(p[0], p[1], p[2]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_bt601_weights() {
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        for (r, g, b) in [(255, 0, 0), (0, 255, 0), (0, 0, 255), (12, 200, 99)] {
            let exact = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
            assert!(
                (f64::from(luma(r, g, b)) - exact).abs() <= 0.5 + 1e-9,
                "{r},{g},{b}"
            );
        }
    }
}
