//! A generated source: the app's callback draws each frame into a canvas
//! on the page, and the canvas' capture track (`captureStream(0)`, one
//! frame per `requestFrame`) is the source's video track.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, MediaStream, MediaStreamTrack};

use super::{check_rate, Generator, SourceError};
use crate::canvas;
use crate::js::{self, JsError};

/// A running generator: its canvas, its capture track and the timer that
/// draws.
pub struct GeneratedTrack {
    track: MediaStreamTrack,
    timer: Option<i32>,
    _tick: Closure<dyn FnMut()>,
}

impl GeneratedTrack {
    /// Draws frame 0 now, then one frame every `1/fps` s.
    pub fn start(generator: &Generator) -> Result<Self, SourceError> {
        let fps = check_rate(generator.fps)?;
        let canvas: HtmlCanvasElement = js::create_element("canvas")?;
        let draw = generator.draw.clone();
        canvas::draw_frame(&canvas, &draw(0)).map_err(|e| SourceError::Draw(e.to_string()))?;
        let stream: MediaStream = js::call(&canvas, "captureStream", &[JsValue::from(0)])?
            .dyn_into()
            .map_err(|_| JsError::unexpected("captureStream's result", "a MediaStream"))?;
        let track: MediaStreamTrack = stream
            .get_video_tracks()
            .get(0)
            .dyn_into()
            .map_err(|_| SourceError::NoVideoTrack("generated canvas"))?;
        request_frame(&track);
        let index = Rc::new(Cell::new(0_u64));
        let warned = Cell::new(false);
        let tick = {
            let track = Clone::clone(&track);
            Closure::<dyn FnMut()>::new(move || {
                let next = index.get() + 1;
                index.set(next);
                match canvas::draw_frame(&canvas, &draw(next)) {
                    Ok(()) => request_frame(&track),
                    Err(error) if !warned.replace(true) => {
                        js::warn(&SourceError::Draw(error.to_string()))
                    }
                    Err(_) => {}
                }
            })
        };
        let period_ms = (1000.0 / fps).round() as i32;
        let timer = web_sys::window()
            .ok_or_else(|| JsError::Missing("window".into()))?
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                period_ms,
            )
            .map_err(|e| JsError::threw("setInterval", &e))?;
        Ok(Self {
            track,
            timer: Some(timer),
            _tick: tick,
        })
    }

    /// The video track the frames go out on.
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    /// Stops drawing and ends the track. Idempotent.
    pub fn stop(&mut self) {
        if let (Some(timer), Some(window)) = (self.timer.take(), web_sys::window()) {
            window.clear_interval_with_handle(timer);
        }
        self.track.stop();
    }
}

impl Drop for GeneratedTrack {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends the canvas' current picture as the track's next frame.
fn request_frame(track: &MediaStreamTrack) {
    if let Err(error) = js::call(track, "requestFrame", &[]) {
        js::warn(&error);
    }
}
