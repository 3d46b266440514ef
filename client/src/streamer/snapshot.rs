//! The snapshot button: the output `<video>`'s current frame drawn into a
//! canvas of its size and encoded as PNG, handed to the app or
//! downloaded ([`js::download`]).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, HtmlCanvasElement, HtmlVideoElement};

use crate::canvas;
use crate::js::{self, JsError};

/// The name the downloaded file gets.
pub const SNAPSHOT_FILE: &str = "framewise-snapshot.png";

/// Why no snapshot was taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The output shows no frame yet.
    #[error("there is no processed frame to take yet: press START first")]
    NoFrame,
    /// The canvas could not be drawn or encoded.
    #[error("the snapshot could not be made: {0}")]
    Encode(String),
    /// Another browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

/// The frame `video` shows now, as PNG.
pub async fn take(video: &HtmlVideoElement) -> Result<Blob, SnapshotError> {
    let (width, height) = (video.video_width(), video.video_height());
    if width == 0 || height == 0 {
        return Err(SnapshotError::NoFrame);
    }
    let canvas: HtmlCanvasElement = js::create_element("canvas")?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = canvas::context_2d(&canvas).map_err(|e| SnapshotError::Encode(e.to_string()))?;
    context
        .draw_image_with_html_video_element(video, 0.0, 0.0)
        .map_err(|e| SnapshotError::Encode(js::describe(&e)))?;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(error) = canvas.to_blob_with_type(done.unchecked_ref(), "image/png") {
            js::warn(&js::describe(&error));
        }
    });
    let blob = js::wait("toBlob", promise).await?;
    blob.dyn_into::<Blob>()
        .map_err(|_| SnapshotError::Encode("the browser made no PNG".into()))
}
