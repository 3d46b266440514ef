use image::{ImageBuffer, Rgba, RgbaImage};

use super::{check_buffer, check_size, FrameError};

/// One RGBA8 video frame: `width * height * 4` bytes, rows top to bottom,
/// no padding, with a timestamp in microseconds (as WebCodecs).
///
/// ```
/// use framewise::VideoFrame;
///
/// let frame = VideoFrame::from_rgba(2, 2, vec![0; 16], 40_000)?;
/// assert_eq!((frame.width(), frame.height()), (2, 2));
/// assert!(VideoFrame::from_rgba(2, 2, vec![0; 15], 0).is_err());
/// # Ok::<(), framewise::FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoFrame {
    width: u32,
    height: u32,
    timestamp_us: i64,
    data: Vec<u8>,
}

impl VideoFrame {
    /// Wraps an RGBA8 buffer; its length must be `width * height * 4`.
    pub fn from_rgba(
        width: u32,
        height: u32,
        data: Vec<u8>,
        timestamp_us: i64,
    ) -> Result<Self, FrameError> {
        check_buffer(
            "RGBA",
            width,
            height,
            width as usize * height as usize * 4,
            data.len(),
        )?;
        Ok(Self {
            width,
            height,
            timestamp_us,
            data,
        })
    }

    /// A frame of one colour.
    pub fn filled(
        width: u32,
        height: u32,
        rgba: [u8; 4],
        timestamp_us: i64,
    ) -> Result<Self, FrameError> {
        check_size(width, height)?;
        let data = rgba.repeat(width as usize * height as usize);
        Self::from_rgba(width, height, data, timestamp_us)
    }

    /// Takes an `image` buffer without copying.
    pub fn from_image(image: RgbaImage, timestamp_us: i64) -> Result<Self, FrameError> {
        let (width, height) = image.dimensions();
        Self::from_rgba(width, height, image.into_raw(), timestamp_us)
    }

    /// Gives the pixels to `image` without copying.
    pub fn into_image(self) -> RgbaImage {
        let (width, height) = (self.width, self.height);
        // The length was validated on construction, so this always succeeds;
        // the fallback keeps the function total.
        ImageBuffer::from_raw(width, height, self.data)
            .unwrap_or_else(|| RgbaImage::new(width, height))
    }

    /// A mutable `image` view of the pixels, for `image`/`imageproc` code.
    pub fn as_image_mut(&mut self) -> ImageBuffer<Rgba<u8>, &mut [u8]> {
        let (width, height) = (self.width, self.height);
        match ImageBuffer::from_raw(width, height, self.data.as_mut_slice()) {
            Some(view) => view,
            None => unreachable!("length validated on construction"),
        }
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

    /// Sets the timestamp in microseconds.
    pub fn set_timestamp_us(&mut self, timestamp_us: i64) {
        self.timestamp_us = timestamp_us;
    }

    /// The RGBA bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The RGBA bytes, mutable; the length cannot change.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Gives the RGBA bytes back.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// The pixel at `(x, y)`, or `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let p = self.data.get(i..i + 4)?;
        Some([p[0], p[1], p[2], p[3]])
    }
}
