//! The running mix: a `MediaStreamTrackProcessor` per input keeps only
//! that input's newest frame (the one before is closed as the next
//! arrives), and a timer draws every input's newest frame into its tile
//! and sends the canvas as the mix's next frame.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsValue;
use web_sys::{CanvasRenderingContext2d, MediaStreamTrack};

use super::layout::{self, Tile};
use super::Mix;
use crate::canvas;
use crate::js;
use crate::streamer::capture::{Capture, CaptureRequest};
use crate::streamer::source::canvas_track::{request_frame, CanvasTrack};
use crate::streamer::source::SourceError;

/// One input's newest frame, or none yet.
type Slot = Rc<RefCell<Option<JsValue>>>;

/// A running mix: its inputs, their readers and the canvas track.
pub struct MixedTrack {
    inputs: Vec<Capture>,
    readers: Vec<JsValue>,
    slots: Vec<Slot>,
    stopped: Rc<Cell<bool>>,
    output: CanvasTrack,
}

impl MixedTrack {
    /// Opens every input of `mix` (video only, as `request` asks for the
    /// camera) and starts mixing. An input that fails stops those opened
    /// and names itself in the error.
    pub async fn start(mix: &Mix, request: &CaptureRequest) -> Result<Self, SourceError> {
        mix.check()?;
        let request = CaptureRequest {
            audio: false,
            ..request.clone()
        };
        let mut inputs = Vec::with_capacity(mix.inputs.len());
        for (index, source) in mix.inputs.iter().enumerate() {
            match Box::pin(super::super::open(source, &request, None, None)).await {
                Ok(capture) => inputs.push(capture),
                Err(error) => {
                    inputs.iter_mut().for_each(Capture::stop);
                    return Err(SourceError::MixInput {
                        index,
                        error: Box::new(error),
                    });
                }
            }
        }
        let mut mixed = Self {
            inputs,
            readers: Vec::new(),
            slots: Vec::new(),
            stopped: Rc::new(Cell::new(false)),
            output: CanvasTrack::new()?,
        };
        if let Err(error) = mixed.run(mix) {
            mixed.stop();
            return Err(error);
        }
        Ok(mixed)
    }

    /// Starts the readers and the drawing timer.
    fn run(&mut self, mix: &Mix) -> Result<(), SourceError> {
        for capture in &self.inputs {
            let Some(track) = capture.video() else {
                return Err(SourceError::NoVideoTrack("mix input"));
            };
            let slot = Slot::default();
            let reader = latest_frames(track, slot.clone(), self.stopped.clone())?;
            self.readers.push(reader);
            self.slots.push(slot);
        }
        let canvas = self.output.canvas();
        canvas.set_width(mix.width);
        canvas.set_height(mix.height);
        let context = canvas::context_2d(canvas).map_err(|e| SourceError::Draw(e.to_string()))?;
        // The background behind letterboxed tiles and empty ones.
        js::set(&context, "fillStyle", &JsValue::from_str("#000"))?;
        let tiles = layout::grid(self.slots.len(), mix.width, mix.height);
        let (slots, track) = (self.slots.clone(), Clone::clone(self.output.track()));
        let (width, height) = (f64::from(mix.width), f64::from(mix.height));
        let warned = Cell::new(false);
        self.output.run_every(mix.fps, move || {
            match draw(&context, width, height, &tiles, &slots) {
                Ok(()) => request_frame(&track),
                Err(error) if !warned.replace(true) => js::warn(&SourceError::Draw(error.detail())),
                Err(_) => {}
            }
        })
    }

    /// The mixed video track.
    pub fn track(&self) -> &MediaStreamTrack {
        self.output.track()
    }

    /// Stops mixing, reading and every input. Idempotent.
    pub fn stop(&mut self) {
        self.stopped.set(true);
        self.output.stop();
        for reader in self.readers.drain(..) {
            let _ = js::call(&reader, "cancel", &[]);
        }
        for slot in self.slots.drain(..) {
            if let Some(frame) = slot.borrow_mut().take() {
                js::close(&frame);
            }
        }
        self.inputs.iter_mut().for_each(Capture::stop);
    }
}

impl Drop for MixedTrack {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reads `track` frame by frame on the page, keeping only the newest in
/// `slot`, until the track ends or `stopped`; the reader, to cancel.
fn latest_frames(
    track: &MediaStreamTrack,
    slot: Slot,
    stopped: Rc<Cell<bool>>,
) -> Result<JsValue, SourceError> {
    let init = js::object(&[("track", track.into())])?;
    let processor = js::construct("MediaStreamTrackProcessor", &[init.into()])?;
    let readable = js::get(&processor, "readable")?;
    let reader = js::call(&readable, "getReader", &[])?;
    let looping = Clone::clone(&reader);
    wasm_bindgen_futures::spawn_local(async move {
        while let Ok(result) = js::call_async(&looping, "read", &[]).await {
            let done = js::get(&result, "done").map_or(true, |d| d.is_truthy());
            let frame = js::get(&result, "value").unwrap_or_default();
            if done || stopped.get() {
                if !frame.is_undefined() {
                    js::close(&frame);
                }
                break;
            }
            if let Some(old) = slot.borrow_mut().replace(frame) {
                js::close(&old);
            }
        }
    });
    Ok(reader)
}

/// Clears the picture and draws each input's newest frame into its tile,
/// fitted with its shape kept.
fn draw(
    context: &CanvasRenderingContext2d,
    width: f64,
    height: f64,
    tiles: &[Tile],
    slots: &[Slot],
) -> Result<(), js::JsError> {
    context.fill_rect(0.0, 0.0, width, height);
    for (tile, slot) in tiles.iter().zip(slots) {
        let slot = slot.borrow();
        let Some(frame) = slot.as_ref() else {
            continue;
        };
        let size = |name| js::get_f64(frame, name).map(|v| v.max(0.0) as u32);
        let place = layout::fit(size("displayWidth")?, size("displayHeight")?, *tile);
        let rect =
            [place.x, place.y, place.width, place.height].map(|v| JsValue::from(f64::from(v)));
        let args: Vec<JsValue> = std::iter::once(frame.clone()).chain(rect).collect();
        js::call(context, "drawImage", &args)?;
    }
    Ok(())
}
