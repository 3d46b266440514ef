//! The VP8 decoder: one compressed frame in, tightly packed I420 frames out.

use std::ffi::{c_long, c_uint};
use std::ptr;

use framewise::I420Frame;
use vpx_sys::{vpx_codec_decode, vpx_codec_get_frame, vpx_codec_iter_t, vpx_image_t, vpx_img_fmt};

use crate::codec::Context;
use crate::VpxError;

/// A VP8 decoder.
pub struct Vp8Decoder {
    codec: Context,
}

impl std::fmt::Debug for Vp8Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vp8Decoder").finish_non_exhaustive()
    }
}

impl Vp8Decoder {
    /// Starts a decoder (single-threaded: VP8 decodes a 640×480 frame in
    /// about a millisecond).
    pub fn new() -> Result<Self, VpxError> {
        Ok(Self {
            codec: Context::vp8_decoder(1)?,
        })
    }

    /// Decodes one compressed frame and returns the frames it yields (for
    /// VP8 at most one), stamped `timestamp_us`.
    ///
    /// Empty `data` is no frame: it gives `Ok` with no frames and leaves
    /// the decoder as it was. Data that is not VP8, an inter frame before
    /// the first keyframe, or a truncated frame gives [`VpxError::Decode`];
    /// the decoder stays usable and recovers at the next keyframe.
    pub fn decode(&mut self, data: &[u8], timestamp_us: i64) -> Result<Vec<I420Frame>, VpxError> {
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let len = c_uint::try_from(data.len())
            .map_err(|_| VpxError::Decode(format!("{} bytes is too large", data.len())))?;
        // SAFETY: an initialised decoder; `data` is valid for `len` bytes
        // during the call, which libvpx only reads; no user data; deadline
        // 0 is "as fast as possible" (ignored by VP8).
        let err = unsafe {
            vpx_codec_decode(
                self.codec.raw(),
                data.as_ptr(),
                len,
                ptr::null_mut(),
                0 as c_long,
            )
        };
        self.codec.check(err, VpxError::Decode)?;
        let mut frames = Vec::new();
        let mut iter: vpx_codec_iter_t = ptr::null();
        loop {
            // SAFETY: an initialised decoder and an iterator that started
            // NULL after the last decode call.
            let image = unsafe { vpx_codec_get_frame(self.codec.raw(), &mut iter) };
            if image.is_null() {
                return Ok(frames);
            }
            // SAFETY: libvpx's image stays valid until the next decode call.
            frames.push(unsafe { copy_image(image, timestamp_us) }?);
        }
    }
}

/// Copies a decoded I420 image into a tightly packed frame.
///
/// # Safety
/// `image` points to an image from `vpx_codec_get_frame`, valid (with its
/// planes) for the duration of the call.
unsafe fn copy_image(image: *const vpx_image_t, timestamp_us: i64) -> Result<I420Frame, VpxError> {
    // SAFETY: `image` is valid (the caller's promise); fields are read
    // through the pointer one by one, `fmt` as its integer so an unexpected
    // format is no invalid enum.
    let (fmt, width, height, planes, strides) = unsafe {
        (
            ptr::addr_of!((*image).fmt).cast::<u32>().read(),
            (*image).d_w,
            (*image).d_h,
            (*image).planes,
            (*image).stride,
        )
    };
    if fmt != vpx_img_fmt::VPX_IMG_FMT_I420 as u32 {
        return Err(VpxError::Decode(format!(
            "libvpx gave image format {fmt:#x}, not I420"
        )));
    }
    let (chroma_w, chroma_h) = (width.div_ceil(2), height.div_ceil(2));
    let sizes = [(width, height), (chroma_w, chroma_h), (chroma_w, chroma_h)];
    let mut data = Vec::with_capacity(I420Frame::buffer_len(width, height));
    for ((plane, stride), (w, h)) in planes.into_iter().zip(strides).zip(sizes) {
        let (w, h) = (w as usize, h as usize);
        let stride = usize::try_from(stride).unwrap_or(0);
        if plane.is_null() || stride < w {
            return Err(VpxError::Decode(format!(
                "libvpx gave a plane with stride {stride} for rows of {w}"
            )));
        }
        for row in 0..h {
            // SAFETY: a decoded plane has `h` rows `stride` bytes apart,
            // each with at least `w` bytes of picture.
            let bytes = unsafe { std::slice::from_raw_parts(plane.add(row * stride), w) };
            data.extend_from_slice(bytes);
        }
    }
    I420Frame::new(width, height, data, timestamp_us)
        .map_err(|e| VpxError::Decode(format!("decoded image: {e}")))
}
