//! A generated source: the app's callback draws each frame into a canvas
//! on the page, and the canvas' capture track is the source's video
//! track ([`CanvasTrack`]).

use std::cell::Cell;

use web_sys::MediaStreamTrack;

use super::canvas_track::{request_frame, CanvasTrack};
use super::{check_rate, Generator, SourceError};
use crate::canvas;
use crate::js;

/// A running generator: its canvas, track and timer.
pub struct GeneratedTrack {
    canvas: CanvasTrack,
}

impl GeneratedTrack {
    /// Draws frame 0 now, then one frame every `1/fps` s.
    pub fn start(generator: &Generator) -> Result<Self, SourceError> {
        let fps = check_rate(generator.fps)?;
        let mut output = CanvasTrack::new()?;
        let draw = generator.draw.clone();
        let canvas = Clone::clone(output.canvas());
        canvas::draw_frame(&canvas, &draw(0)).map_err(|e| SourceError::Draw(e.to_string()))?;
        request_frame(output.track());
        let track = Clone::clone(output.track());
        let index = Cell::new(0_u64);
        let warned = Cell::new(false);
        output.run_every(fps, move || {
            let next = index.get() + 1;
            index.set(next);
            match canvas::draw_frame(&canvas, &draw(next)) {
                Ok(()) => request_frame(&track),
                Err(error) if !warned.replace(true) => {
                    js::warn(&SourceError::Draw(error.to_string()))
                }
                Err(_) => {}
            }
        })?;
        Ok(Self { canvas: output })
    }

    /// The video track the frames go out on.
    pub fn track(&self) -> &MediaStreamTrack {
        self.canvas.track()
    }

    /// Stops drawing and ends the track. Idempotent.
    pub fn stop(&mut self) {
        self.canvas.stop();
    }
}
