use super::{check_buffer, FrameError, VideoFrame};

/// How luma and chroma values map to RGB.
///
/// Browsers' camera frames and VP8/H.264 streams use BT.601 **limited**
/// range (luma 16–235, chroma 16–240); JPEG-style sources use **full**
/// range (0–255). Both use the BT.601 matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorRange {
    /// BT.601 limited ("TV") range: Y in 16..=235, U/V in 16..=240.
    #[default]
    Limited,
    /// BT.601 full ("PC"/JPEG) range: Y, U, V in 0..=255.
    Full,
}

/// One I420 (planar YUV 4:2:0) frame, as codecs and WebCodecs produce it.
///
/// The buffer holds the Y plane (`width * height`), then U and V planes of
/// `ceil(width / 2) * ceil(height / 2)` each, rows without padding. Odd
/// sizes are allowed.
///
/// ```
/// use framewise::{ColorRange, I420Frame, VideoFrame};
///
/// let red = VideoFrame::filled(3, 3, [255, 0, 0, 255], 0)?;
/// let yuv = I420Frame::from_rgba(&red, ColorRange::Limited);
/// assert_eq!(yuv.data().len(), 9 + 4 + 4);
/// let back = yuv.to_rgba(ColorRange::Limited);
/// assert!(back.pixel(1, 1).unwrap()[0] >= 253);
/// # Ok::<(), framewise::FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I420Frame {
    width: u32,
    height: u32,
    timestamp_us: i64,
    data: Vec<u8>,
}

/// Size of one chroma plane's side for a luma side.
fn half(side: u32) -> usize {
    side.div_ceil(2) as usize
}

impl I420Frame {
    /// Wraps a contiguous I420 buffer (Y, then U, then V).
    pub fn new(
        width: u32,
        height: u32,
        data: Vec<u8>,
        timestamp_us: i64,
    ) -> Result<Self, FrameError> {
        check_buffer(
            "I420",
            width,
            height,
            Self::buffer_len(width, height),
            data.len(),
        )?;
        Ok(Self {
            width,
            height,
            timestamp_us,
            data,
        })
    }

    /// Bytes an I420 buffer of this size takes.
    pub fn buffer_len(width: u32, height: u32) -> usize {
        width as usize * height as usize + 2 * half(width) * half(height)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Timestamp in microseconds.
    pub fn timestamp_us(&self) -> i64 {
        self.timestamp_us
    }

    /// The whole buffer (Y, U, V).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Gives the buffer back.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    fn luma_len(&self) -> usize {
        self.width as usize * self.height as usize
    }

    fn chroma_len(&self) -> usize {
        half(self.width) * half(self.height)
    }

    /// The Y plane, `width` bytes a row.
    pub fn y(&self) -> &[u8] {
        &self.data[..self.luma_len()]
    }

    /// The U (Cb) plane, `ceil(width / 2)` bytes a row.
    pub fn u(&self) -> &[u8] {
        let start = self.luma_len();
        &self.data[start..start + self.chroma_len()]
    }

    /// The V (Cr) plane, `ceil(width / 2)` bytes a row.
    pub fn v(&self) -> &[u8] {
        let start = self.luma_len() + self.chroma_len();
        &self.data[start..start + self.chroma_len()]
    }

    /// Converts RGBA to I420 with the BT.601 matrix in the given range.
    /// Each chroma sample averages its 2×2 block (fewer pixels at odd edges);
    /// alpha is dropped.
    pub fn from_rgba(frame: &VideoFrame, range: ColorRange) -> Self {
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let (cw, ch) = (half(frame.width()), half(frame.height()));
        let matrix = Forward::of(range);
        let rgba = frame.data();
        let mut data = vec![0u8; w * h + 2 * cw * ch];
        let (y_plane, chroma) = data.split_at_mut(w * h);
        let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
        for (y_row, rgba_row) in y_plane.chunks_exact_mut(w).zip(rgba.chunks_exact(w * 4)) {
            for (y, p) in y_row.iter_mut().zip(rgba_row.chunks_exact(4)) {
                *y = matrix.luma(p);
            }
        }
        // Rows in pairs; at an odd bottom edge the last row stands in for
        // the missing one, which averages the same.
        let mut rows = rgba.chunks_exact(w * 4);
        for (u_row, v_row) in u_plane
            .chunks_exact_mut(cw)
            .zip(v_plane.chunks_exact_mut(cw))
        {
            let top = rows.next().unwrap_or_default();
            let bottom = rows.next().unwrap_or(top);
            matrix.chroma_row(top, bottom, u_row, v_row);
        }
        Self {
            width: frame.width(),
            height: frame.height(),
            timestamp_us: frame.timestamp_us(),
            data,
        }
    }

    /// Converts to RGBA (alpha 255) with the BT.601 matrix in the given range.
    pub fn to_rgba(&self, range: ColorRange) -> VideoFrame {
        let (w, h) = (self.width as usize, self.height as usize);
        let cw = half(self.width);
        let matrix = Inverse::of(range);
        let (y_plane, u_plane, v_plane) = (self.y(), self.u(), self.v());
        let mut rgba = vec![0u8; w * h * 4];
        let rows = rgba.chunks_exact_mut(w * 4).zip(y_plane.chunks_exact(w));
        for (row, (out, luma)) in rows.enumerate() {
            let chroma = (row / 2) * cw..(row / 2 + 1) * cw;
            matrix.rgba_row(luma, &u_plane[chroma.clone()], &v_plane[chroma], out);
        }
        match VideoFrame::from_rgba(self.width, self.height, rgba, self.timestamp_us) {
            Ok(frame) => frame,
            Err(_) => unreachable!("sizes come from a validated frame"),
        }
    }
}

/// `a · k` for 16-bit operands, widened: written so, the compiler can use
/// 16-bit vector multiplies (SSE2 has no 32-bit one).
fn times(a: i16, k: i16) -> i32 {
    i32::from(a) * i32::from(k)
}

/// `x >> 8` (a floor), clamped to 0..=255.
fn shift_clamp(x: i32) -> u8 {
    (x >> 8).clamp(0, 255) as u8
}

/// RGB → YUV: BT.601 in 8-bit fixed point.
struct Forward {
    luma: [i16; 3],
    /// The luma offset, pre-shifted, plus the rounding.
    luma_add: i32,
    u: [i16; 3],
    v: [i16; 3],
}

/// 128 pre-shifted, plus the rounding: what chroma adds before the shift.
const CHROMA_ADD: i32 = (128 << 8) + 128;

impl Forward {
    fn of(range: ColorRange) -> Self {
        match range {
            ColorRange::Limited => Self {
                luma: [66, 129, 25],
                luma_add: (16 << 8) + 128,
                u: [-38, -74, 112],
                v: [112, -94, -18],
            },
            ColorRange::Full => Self {
                luma: [77, 150, 29],
                luma_add: 128,
                u: [-43, -85, 128],
                v: [128, -107, -21],
            },
        }
    }

    fn weigh([kr, kg, kb]: [i16; 3], [r, g, b]: [i16; 3], add: i32) -> u8 {
        shift_clamp(times(r, kr) + times(g, kg) + times(b, kb) + add)
    }

    fn luma(&self, p: &[u8]) -> u8 {
        Self::weigh(self.luma, [p[0], p[1], p[2]].map(i16::from), self.luma_add)
    }

    /// One row of U and V from two rows of RGBA (`bottom` may be `top`).
    fn chroma_row(&self, top: &[u8], bottom: &[u8], u: &mut [u8], v: &mut [u8]) {
        let (tops, bottoms) = (top.chunks_exact(8), bottom.chunks_exact(8));
        let edge = (tops.remainder(), bottoms.remainder());
        for ((u, v), (t, b)) in u.iter_mut().zip(v.iter_mut()).zip(tops.zip(bottoms)) {
            (*u, *v) = self.chroma(t, b, 4);
        }
        // An odd width's last block is one pixel wide: it counts twice.
        if let (Some(u), Some(v), false) = (u.last_mut(), v.last_mut(), edge.0.is_empty()) {
            (*u, *v) = self.chroma(edge.0, edge.1, 0);
        }
    }

    /// U and V of the block of the pixels at 0 and `right` in `top` and
    /// `bottom`: of their rounded mean colour.
    fn chroma(&self, top: &[u8], bottom: &[u8], right: usize) -> (u8, u8) {
        let mean = |c: usize| {
            let sum = i16::from(top[c]) + i16::from(top[c + right]);
            (sum + i16::from(bottom[c]) + i16::from(bottom[c + right]) + 2) >> 2
        };
        let rgb = [mean(0), mean(1), mean(2)];
        (
            Self::weigh(self.u, rgb, CHROMA_ADD),
            Self::weigh(self.v, rgb, CHROMA_ADD),
        )
    }
}

/// YUV → RGB: BT.601 in 8-bit fixed point.
struct Inverse {
    luma_offset: i16,
    luma_scale: i16,
    r_from_v: i16,
    g_from_u: i16,
    g_from_v: i16,
    b_from_u: i16,
}

impl Inverse {
    fn of(range: ColorRange) -> Self {
        match range {
            ColorRange::Limited => Self {
                luma_offset: 16,
                luma_scale: 298,
                r_from_v: 409,
                g_from_u: 100,
                g_from_v: 208,
                b_from_u: 516,
            },
            ColorRange::Full => Self {
                luma_offset: 0,
                luma_scale: 256,
                r_from_v: 359,
                g_from_u: 88,
                g_from_v: 183,
                b_from_u: 454,
            },
        }
    }

    /// One row of RGBA from its luma row and the chroma row it shares.
    fn rgba_row(&self, luma: &[u8], u: &[u8], v: &[u8], out: &mut [u8]) {
        let (pairs, luma_pairs) = (out.chunks_exact_mut(8), luma.chunks_exact(2));
        let edge = luma_pairs.remainder().first().copied();
        for (((out, luma), &u), &v) in pairs.zip(luma_pairs).zip(u).zip(v) {
            let offsets = self.chroma_offsets(u, v);
            out[..4].copy_from_slice(&self.pixel(luma[0], offsets));
            out[4..].copy_from_slice(&self.pixel(luma[1], offsets));
        }
        // An odd width's last pixel has its chroma sample to itself.
        if let (Some(y), Some(&u), Some(&v)) = (edge, u.last(), v.last()) {
            let at = out.len() - 4;
            out[at..].copy_from_slice(&self.pixel(y, self.chroma_offsets(u, v)));
        }
    }

    /// What one chroma sample adds to R, G and B (rounding included).
    fn chroma_offsets(&self, u: u8, v: u8) -> [i32; 3] {
        let (d, e) = (i16::from(u) - 128, i16::from(v) - 128);
        [
            times(e, self.r_from_v) + 128,
            128 - times(d, self.g_from_u) - times(e, self.g_from_v),
            times(d, self.b_from_u) + 128,
        ]
    }

    fn pixel(&self, y: u8, [r, g, b]: [i32; 3]) -> [u8; 4] {
        let c = times(i16::from(y) - self.luma_offset, self.luma_scale);
        [
            shift_clamp(c + r),
            shift_clamp(c + g),
            shift_clamp(c + b),
            255,
        ]
    }
}
