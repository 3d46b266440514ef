//! The fallback path, for browsers without a track processor or
//! generator: the source plays in a `<video>` of its own (not the input
//! view, which the app may hide or show at any time); on each of its
//! frames (`requestVideoFrameCallback`) a `VideoFrame` of it goes to the
//! worker unless one is in flight (then the frame is not taken and counts
//! as dropped: nothing queues); processed frames are drawn into a canvas
//! whose `captureStream()` is the output.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlVideoElement, MediaStream, Worker};

use super::{Job, PathError, Source, VideoPath};
use crate::js::{self, JsError};
use crate::protocol::{ToWorker, WorkerStats};
use crate::stats::{Window, PATH_FALLBACK, WINDOW};
use crate::streamer::worker_link::post;

/// The fallback path: the player, the canvas and what the frame callback
/// shares with the path.
pub struct FallbackPath {
    state: Rc<RefCell<State>>,
    canvas: HtmlCanvasElement,
    context: JsValue,
    /// The canvas' `captureStream()`: the output, made once.
    output: Option<MediaStream>,
}

/// What the frame callback and the path share.
struct State {
    video: HtmlVideoElement,
    /// The `requestVideoFrameCallback` callback.
    on_frame: Option<Closure<dyn FnMut(JsValue, JsValue)>>,
    /// The pending `requestVideoFrameCallback` handle, cancelled on
    /// release (so the dropped callback is never called).
    pending: JsValue,
    /// The connected worker, fed one frame at a time.
    worker: Option<Worker>,
    /// A frame is with the worker.
    busy: bool,
    /// Source frames seen while a worker was connected.
    received: u64,
    /// Source frames not sent because one was in flight.
    dropped: u64,
    /// When source frames were seen, for the input rate.
    seen_at: Window,
}

impl FallbackPath {
    /// A path that plays the source in `video` (hidden, but on the page so
    /// that it presents frames).
    pub fn new(video: HtmlVideoElement) -> Result<Self, PathError> {
        if !js::has_global("VideoFrame") {
            return Err(PathError::NoWebCodecs);
        }
        let canvas: HtmlCanvasElement = js::create_element("canvas")?;
        let context = js::call(&canvas, "getContext", &[JsValue::from_str("2d")])?;
        let state = Rc::new(RefCell::new(State {
            video,
            on_frame: None,
            pending: JsValue::UNDEFINED,
            worker: None,
            busy: false,
            received: 0,
            dropped: 0,
            seen_at: Window::new(WINDOW),
        }));
        let on_frame = {
            let state = Rc::downgrade(&state);
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| {
                on_source_frame(&state)
            })
        };
        state.borrow_mut().on_frame = Some(on_frame);
        Ok(Self {
            state,
            canvas,
            context,
            output: None,
        })
    }

    /// Plays `stream` in the player and asks for its next frame.
    fn play(&self, stream: &MediaStream) {
        let mut state = self.state.borrow_mut();
        state.cancel_frame();
        state.video.set_src_object(Some(stream));
        let _ = state.video.play();
        state.request_frame();
    }
}

impl VideoPath for FallbackPath {
    fn name(&self) -> &'static str {
        PATH_FALLBACK
    }

    fn start(
        &mut self,
        worker: &Worker,
        source: &Source,
        job: Job,
    ) -> Result<Option<JsValue>, PathError> {
        let first = self.output.is_none();
        if first {
            let output: MediaStream = js::call(&self.canvas, "captureStream", &[])?
                .dyn_into()
                .map_err(|_| JsError::unexpected("captureStream's result", "a MediaStream"))?;
            self.play(source.stream);
            self.output = Some(output);
        }
        let message = ToWorker::StartFrames {
            processor: job.processor,
            params: job.params,
        };
        post(worker, &message, &[])?;
        {
            let mut state = self.state.borrow_mut();
            state.worker = Some(worker.clone());
            state.busy = false;
        }
        // The canvas' track is the output for the whole START: shown once.
        Ok(first
            .then(|| self.output.as_ref().map(|o| o.get_video_tracks().get(0)))
            .flatten())
    }

    fn is_running(&self) -> bool {
        self.state.borrow().worker.is_some()
    }

    fn switch_source(&mut self, source: &Source) -> Result<(), PathError> {
        if self.output.is_some() {
            self.play(source.stream);
        }
        Ok(())
    }

    fn detach(&mut self) {
        let mut state = self.state.borrow_mut();
        state.worker = None;
        state.busy = false;
    }

    fn on_processed(&mut self, data: &JsValue) {
        let frame = js::get(data, "frame").unwrap_or(JsValue::UNDEFINED);
        self.state.borrow_mut().busy = false;
        if frame.is_undefined() {
            return;
        }
        let width = js::get_f64(&frame, "displayWidth").unwrap_or(0.0) as u32;
        let height = js::get_f64(&frame, "displayHeight").unwrap_or(0.0) as u32;
        let drawn = if width > 0 && height > 0 {
            if self.canvas.width() != width || self.canvas.height() != height {
                self.canvas.set_width(width);
                self.canvas.set_height(height);
            }
            js::call(
                &self.context,
                "drawImage",
                &[frame.clone(), 0.into(), 0.into()],
            )
            .map(|_| ())
        } else {
            Ok(())
        };
        js::close(&frame);
        if let Err(error) = drawn {
            js::warn(&error);
        }
    }

    fn input_stats(&self, stats: &mut WorkerStats) {
        // The page sees the source's frames on this path.
        let state = self.state.borrow();
        stats.received = state.received;
        stats.dropped = state.dropped;
        stats.input_fps = state.seen_at.rate(1e3);
    }

    fn release(&mut self) {
        let mut state = self.state.borrow_mut();
        state.cancel_frame();
        state.video.set_src_object(None);
        state.worker = None;
        state.on_frame = None;
        self.output = None;
    }
}

impl State {
    fn request_frame(&mut self) {
        let Some(on_frame) = &self.on_frame else {
            return;
        };
        match js::call(
            &self.video,
            "requestVideoFrameCallback",
            &[on_frame.as_ref().clone()],
        ) {
            Ok(handle) => self.pending = handle,
            Err(error) => js::warn(&error),
        }
    }

    fn cancel_frame(&self) {
        let _ = js::call(
            &self.video,
            "cancelVideoFrameCallback",
            std::slice::from_ref(&self.pending),
        );
    }
}

/// A new source frame is presented: send it unless one is in flight.
fn on_source_frame(state: &Weak<RefCell<State>>) {
    let Some(state) = state.upgrade() else { return };
    let mut state = state.borrow_mut();
    state.request_frame();
    let Some(worker) = state.worker.clone() else {
        return;
    };
    state.received += 1;
    state.seen_at.push(js::now_ms());
    if state.busy {
        // Latest frame wins: the frame is not even taken.
        state.dropped += 1;
        return;
    }
    let sent = js::construct("VideoFrame", &[state.video.clone().into()])
        .map_err(PathError::from)
        .and_then(|frame| {
            post(&worker, &ToWorker::Frame, &[("frame", frame.clone())]).map_err(|error| {
                js::close(&frame);
                PathError::from(error)
            })
        });
    match sent {
        Ok(()) => state.busy = true,
        Err(error) => {
            state.dropped += 1;
            js::warn(&error);
        }
    }
}
