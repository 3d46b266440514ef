//! A canvas whose picture is a video track: `captureStream(0)` sends one
//! frame per `requestFrame`, and a timer redraws and requests at a fixed
//! rate. Generated sources and mixes are made this way.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, MediaStream, MediaStreamTrack};

use super::{check_rate, SourceError};
use crate::js::{self, JsError};

/// A canvas, its capture track and the timer that redraws it.
pub struct CanvasTrack {
    canvas: HtmlCanvasElement,
    track: MediaStreamTrack,
    timer: Option<i32>,
    _tick: Option<Closure<dyn FnMut()>>,
}

impl CanvasTrack {
    /// A new canvas (off the page) and its track; nothing is sent until
    /// [`CanvasTrack::request_frame`].
    pub fn new() -> Result<Self, SourceError> {
        let canvas: HtmlCanvasElement = js::create_element("canvas")?;
        let stream: MediaStream = js::call(&canvas, "captureStream", &[JsValue::from(0)])?
            .dyn_into()
            .map_err(|_| JsError::unexpected("captureStream's result", "a MediaStream"))?;
        let track: MediaStreamTrack = stream
            .get_video_tracks()
            .get(0)
            .dyn_into()
            .map_err(|_| SourceError::NoVideoTrack("canvas"))?;
        Ok(Self {
            canvas,
            track,
            timer: None,
            _tick: None,
        })
    }

    /// The canvas drawn on.
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// The video track the frames go out on.
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    /// Calls `tick` every `1/fps` s (it draws, then calls
    /// [`request_frame`] with the track).
    pub fn run_every(&mut self, fps: f64, tick: impl FnMut() + 'static) -> Result<(), SourceError> {
        let fps = check_rate(fps)?;
        let tick = Closure::<dyn FnMut()>::new(tick);
        let period_ms = (1000.0 / fps).round() as i32;
        let timer = web_sys::window()
            .ok_or_else(|| JsError::Missing("window".into()))?
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                period_ms,
            )
            .map_err(|e| JsError::threw("setInterval", &e))?;
        self.timer = Some(timer);
        self._tick = Some(tick);
        Ok(())
    }

    /// Stops the timer and ends the track. Idempotent.
    pub fn stop(&mut self) {
        if let (Some(timer), Some(window)) = (self.timer.take(), web_sys::window()) {
            window.clear_interval_with_handle(timer);
        }
        self.track.stop();
    }
}

impl Drop for CanvasTrack {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends the canvas' current picture as `track`'s next frame.
pub fn request_frame(track: &MediaStreamTrack) {
    if let Err(error) = js::call(track, "requestFrame", &[]) {
        js::warn(&error);
    }
}
