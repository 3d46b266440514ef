//! Camera `VideoFrame`s to RGBA and back: `copyTo` with `format: "RGBA"`
//! where the browser converts, else the I420/NV12 planes converted in
//! wasm ([`I420Frame::to_rgba`]); the output is a new RGBA `VideoFrame`.

use framewise::{ColorRange, FrameError, I420Frame, VideoFrame};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::frames::hold_frame;
use crate::js::{self, JsError};
use crate::protocol::WorkerStats;

/// Why a frame could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// The browser's frame has a pixel format this code does not read.
    #[error("camera frames in {0} cannot be converted to RGBA here")]
    Format(String),
    /// An NV12 buffer of the wrong size.
    #[error("an NV12 {width}x{height} frame has {got} bytes, not {expected}")]
    Nv12Size {
        /// Frame width.
        width: u32,
        /// Frame height.
        height: u32,
        /// Bytes given.
        got: usize,
        /// Bytes an NV12 frame of that size has.
        expected: usize,
    },
    /// The pixels do not make a frame of the size the browser said.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// A browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

/// How camera frames become RGBA; learnt on the first frame.
#[derive(Default, Clone, Copy, PartialEq)]
pub enum Converter {
    /// Not known yet: try the browser's RGBA conversion first.
    #[default]
    Unknown,
    /// `copyTo(…, {format: "RGBA"})` works.
    BrowserRgba,
    /// Copy the planes and convert in wasm.
    Planes,
}

impl Converter {
    /// The frame's visible pixels as an RGBA [`VideoFrame`].
    pub async fn rgba(
        &mut self,
        input: &JsValue,
        stats: &mut WorkerStats,
    ) -> Result<VideoFrame, ConvertError> {
        let rect = js::get(input, "visibleRect")?;
        let (width, height) = (
            js::get_f64(&rect, "width")? as u32,
            js::get_f64(&rect, "height")? as u32,
        );
        let timestamp = js::get_f64(input, "timestamp").unwrap_or(0.0) as i64;
        let format = js::get(input, "format")?
            .as_string()
            .unwrap_or_else(|| "none".into());
        if stats.format != format {
            stats.format = format.clone();
        }
        if *self != Converter::Planes {
            match copy_rgba(input).await {
                Ok(data) => {
                    *self = Converter::BrowserRgba;
                    stats.conversion = "copyTo RGBA (browser)".into();
                    return Ok(VideoFrame::from_rgba(width, height, data, timestamp)?);
                }
                Err(error) if *self == Converter::BrowserRgba => return Err(error.into()),
                Err(_) => *self = Converter::Planes,
            }
        }
        let planes = copy_with(input, &[]).await?;
        let i420 = match format.as_str() {
            "I420" => planes,
            "NV12" => nv12_to_i420(width, height, &planes)?,
            other => return Err(ConvertError::Format(other.to_owned())),
        };
        stats.conversion = format!("{format} → RGBA (wasm)");
        let frame = I420Frame::new(width, height, i420, timestamp)?;
        Ok(frame.to_rgba(ColorRange::Limited))
    }
}

/// `frame.copyTo` into a new buffer of `allocationSize(options)` bytes
/// (no options: the planes, tightly packed).
async fn copy_with(input: &JsValue, options: &[JsValue]) -> Result<Vec<u8>, JsError> {
    let size = js::call(input, "allocationSize", options)?
        .as_f64()
        .ok_or_else(|| JsError::unexpected("allocationSize", "a number"))? as u32;
    let buffer = Uint8Array::new_with_length(size);
    let mut args = vec![buffer.clone().into()];
    args.extend_from_slice(options);
    js::call_async(input, "copyTo", &args).await?;
    Ok(buffer.to_vec())
}

/// The frame converted to RGBA by the browser.
async fn copy_rgba(input: &JsValue) -> Result<Vec<u8>, JsError> {
    let options = js::object(&[("format", JsValue::from_str("RGBA"))])?;
    copy_with(input, &[options.into()]).await
}

/// A new RGBA `VideoFrame` holding `frame`'s pixels and timestamp.
pub fn output_frame(frame: &VideoFrame) -> Result<JsValue, JsError> {
    let pixels = Uint8Array::from(frame.data());
    let init = js::object(&[
        ("format", JsValue::from_str("RGBA")),
        ("codedWidth", frame.width().into()),
        ("codedHeight", frame.height().into()),
        ("timestamp", JsValue::from_f64(frame.timestamp_us() as f64)),
    ])?;
    let output = js::construct("VideoFrame", &[pixels.into(), init.into()])?;
    hold_frame();
    Ok(output)
}

/// NV12 (Y plane, then interleaved UV) to I420 (Y, U, V planes).
pub fn nv12_to_i420(width: u32, height: u32, nv12: &[u8]) -> Result<Vec<u8>, ConvertError> {
    let luma = width as usize * height as usize;
    let chroma = width.div_ceil(2) as usize * height.div_ceil(2) as usize;
    let expected = luma + 2 * chroma;
    if nv12.len() != expected {
        return Err(ConvertError::Nv12Size {
            width,
            height,
            got: nv12.len(),
            expected,
        });
    }
    let mut out = Vec::with_capacity(nv12.len());
    out.extend_from_slice(&nv12[..luma]);
    let uv = &nv12[luma..];
    out.extend(uv.iter().step_by(2));
    out.extend(uv.iter().skip(1).step_by(2));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nv12_is_deinterleaved() {
        // 2x2: 4 luma bytes, one UV pair.
        assert_eq!(
            nv12_to_i420(2, 2, &[1, 2, 3, 4, 10, 20]).unwrap(),
            vec![1, 2, 3, 4, 10, 20]
        );
        // 4x2: 8 luma, two UV pairs.
        let nv12 = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        assert_eq!(&nv12_to_i420(4, 2, &nv12).unwrap()[8..], &[1, 3, 2, 4]);
        assert_eq!(
            nv12_to_i420(4, 2, &nv12[..11]),
            Err(ConvertError::Nv12Size {
                width: 4,
                height: 2,
                got: 11,
                expected: 12
            })
        );
    }
}
