//! Drawing frames on a `<canvas>` and reading pixels back.
//!
//! Both go through the canvas' 2D context and `ImageData`, whose RGBA byte
//! layout is the one [`VideoFrame`] uses, so no conversion happens. These
//! functions call browser APIs: use them in wasm32, in a browser.

use framewise::VideoFrame;
use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Why a canvas could not be drawn on or read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CanvasError {
    /// The canvas has no 2D context (it already has a WebGL one, say).
    #[error("the canvas has no 2d context")]
    NoContext,
    /// The area asked for is not inside the canvas.
    #[error(
        "area {x},{y} {width}x{height} is not inside the {canvas_width}x{canvas_height} canvas"
    )]
    OutOfBounds {
        /// Left edge.
        x: u32,
        /// Top edge.
        y: u32,
        /// Area width.
        width: u32,
        /// Area height.
        height: u32,
        /// The canvas' width.
        canvas_width: u32,
        /// The canvas' height.
        canvas_height: u32,
    },
    /// The browser threw.
    #[error("canvas: {0}")]
    Js(String),
}

fn js_error(error: JsValue) -> CanvasError {
    CanvasError::Js(error.as_string().unwrap_or_else(|| format!("{error:?}")))
}

/// The canvas' 2D context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, CanvasError> {
    canvas
        .get_context("2d")
        .map_err(js_error)?
        .and_then(|context| context.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or(CanvasError::NoContext)
}

/// Draws `frame` at the canvas' top-left corner, first resizing the canvas
/// (its pixel size, not its CSS size) to the frame's size.
pub fn draw_frame(canvas: &HtmlCanvasElement, frame: &VideoFrame) -> Result<(), CanvasError> {
    let (width, height) = (frame.width(), frame.height());
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(frame.data()), width, height)
        .map_err(js_error)?;
    context_2d(canvas)?
        .put_image_data(&image, 0.0, 0.0)
        .map_err(js_error)
}

/// The RGBA bytes of a `width`×`height` area of the canvas at `x`,`y`.
pub fn read_rgba(
    canvas: &HtmlCanvasElement,
    x: u32,
    y: u32,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, CanvasError> {
    let inside = width > 0
        && height > 0
        && x.checked_add(width).is_some_and(|r| r <= canvas.width())
        && y.checked_add(height).is_some_and(|b| b <= canvas.height());
    if !inside {
        return Err(CanvasError::OutOfBounds {
            x,
            y,
            width,
            height,
            canvas_width: canvas.width(),
            canvas_height: canvas.height(),
        });
    }
    let image = context_2d(canvas)?
        .get_image_data(x.into(), y.into(), width.into(), height.into())
        .map_err(js_error)?;
    Ok(image.data().0)
}
