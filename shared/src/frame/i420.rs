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
        let rgba = frame.data();
        let mut data = vec![0u8; w * h + 2 * cw * ch];
        let (y_plane, chroma) = data.split_at_mut(w * h);
        let (u_plane, v_plane) = chroma.split_at_mut(cw * ch);
        for (y_row, rgba_row) in y_plane.chunks_exact_mut(w).zip(rgba.chunks_exact(w * 4)) {
            for (y, p) in y_row.iter_mut().zip(rgba_row.chunks_exact(4)) {
                *y = luma(range, p[0], p[1], p[2]);
            }
        }
        for cy in 0..ch {
            for cx in 0..cw {
                let (mut r, mut g, mut b, mut n) = (0i32, 0i32, 0i32, 0i32);
                for y in (cy * 2)..(cy * 2 + 2).min(h) {
                    for x in (cx * 2)..(cx * 2 + 2).min(w) {
                        let i = (y * w + x) * 4;
                        r += i32::from(rgba[i]);
                        g += i32::from(rgba[i + 1]);
                        b += i32::from(rgba[i + 2]);
                        n += 1;
                    }
                }
                let (r, g, b) = ((r + n / 2) / n, (g + n / 2) / n, (b + n / 2) / n);
                let (u, v) = chroma_of(range, r, g, b);
                u_plane[cy * cw + cx] = u;
                v_plane[cy * cw + cx] = v;
            }
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
        let (y_plane, u_plane, v_plane) = (self.y(), self.u(), self.v());
        let mut rgba = vec![0u8; w * h * 4];
        for (y, row) in rgba.chunks_exact_mut(w * 4).enumerate() {
            for (x, p) in row.chunks_exact_mut(4).enumerate() {
                let c = (y / 2) * cw + x / 2;
                let [r, g, b] = rgb_of(range, y_plane[y * w + x], u_plane[c], v_plane[c]);
                p.copy_from_slice(&[r, g, b, 255]);
            }
        }
        match VideoFrame::from_rgba(self.width, self.height, rgba, self.timestamp_us) {
            Ok(frame) => frame,
            Err(_) => unreachable!("sizes come from a validated frame"),
        }
    }
}

fn clamp_u8(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

fn luma(range: ColorRange, r: u8, g: u8, b: u8) -> u8 {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    match range {
        ColorRange::Limited => clamp_u8(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16),
        ColorRange::Full => clamp_u8((77 * r + 150 * g + 29 * b + 128) >> 8),
    }
}

fn chroma_of(range: ColorRange, r: i32, g: i32, b: i32) -> (u8, u8) {
    match range {
        ColorRange::Limited => (
            clamp_u8(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128),
            clamp_u8(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128),
        ),
        ColorRange::Full => (
            clamp_u8(((-43 * r - 85 * g + 128 * b + 128) >> 8) + 128),
            clamp_u8(((128 * r - 107 * g - 21 * b + 128) >> 8) + 128),
        ),
    }
}

fn rgb_of(range: ColorRange, y: u8, u: u8, v: u8) -> [u8; 3] {
    let (d, e) = (i32::from(u) - 128, i32::from(v) - 128);
    match range {
        ColorRange::Limited => {
            let c = 298 * (i32::from(y) - 16);
            [
                clamp_u8((c + 409 * e + 128) >> 8),
                clamp_u8((c - 100 * d - 208 * e + 128) >> 8),
                clamp_u8((c + 516 * d + 128) >> 8),
            ]
        }
        ColorRange::Full => {
            let c = 256 * i32::from(y);
            [
                clamp_u8((c + 359 * e + 128) >> 8),
                clamp_u8((c - 88 * d - 183 * e + 128) >> 8),
                clamp_u8((c + 454 * d + 128) >> 8),
            ]
        }
    }
}
