//! The screen as a source: `getDisplayMedia`, the user picks a screen,
//! window or tab (and, with audio, may share its sound).

use wasm_bindgen::{JsCast, JsValue};
use web_sys::MediaStream;

use super::SourceError;
use crate::js::{self, JsError};
use crate::streamer::capture::{self, Capture};

/// Asks the user for a screen (and its sound with `audio`).
pub async fn open(audio: bool) -> Result<Capture, SourceError> {
    let media_devices = capture::media_devices()?;
    if js::get(&media_devices, "getDisplayMedia")?.is_undefined() {
        return Err(SourceError::NoScreenCapture);
    }
    let constraints = js::object(&[("video", JsValue::TRUE), ("audio", JsValue::from(audio))])?;
    let stream: MediaStream =
        js::call_async(&media_devices, "getDisplayMedia", &[constraints.into()])
            .await
            .map_err(SourceError::ScreenRefused)?
            .dyn_into()
            .map_err(|_| JsError::unexpected("getDisplayMedia's result", "a MediaStream"))?;
    let mut capture = Capture::from_stream(stream);
    match capture.video() {
        Some(_) => Ok(capture),
        None => {
            capture.stop();
            Err(SourceError::NoVideoTrack("screen"))
        }
    }
}
