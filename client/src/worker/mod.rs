//! The processing worker: the wasm entry point that runs an app's
//! processors on camera frames, off the main thread.
//!
//! An app compiles its processors into a tiny worker binary that trunk
//! builds next to the page (`data-type="worker"`):
//!
//! ```rust,ignore
//! // src/bin/worker.rs (a whole program: `main` is its entry point)
//! fn main() {
//!     framewise_yew::worker::run(framewise::Registry::with_builtins());
//! }
//! ```
//!
//! ```html
//! <link data-trunk rel="rust" data-type="worker" data-loader-shim
//!       href="Cargo.toml" data-bin="worker" />
//! ```
//!
//! trunk emits `worker.js` + `worker_bg.wasm` (unhashed) and, with
//! `data-loader-shim`, `worker_loader.js`, the script to give
//! [`Streamer`](crate::Streamer)'s `worker_url`.
//!
//! The page creates `MediaStreamTrackProcessor` and
//! `MediaStreamTrackGenerator` on the window (Chromium has the processor
//! only there) and transfers their streams here ([`protocol`]). The loop
//! pulls one `VideoFrame` at a time, turns it into RGBA (`copyTo` with
//! `format: "RGBA"` where the browser converts; else the I420/NV12 planes,
//! converted by [`I420Frame::to_rgba`]), runs the processor, and writes a
//! new RGBA `VideoFrame`. Every input frame is closed as soon as its pixels
//! are copied.
//!
//! **Latest frame wins.** A reader task pulls camera frames as fast as
//! they come and keeps only the newest in a one-frame slot; a frame that
//! replaces one the loop has not taken yet closes it and counts it as
//! dropped ([`WorkerStats::dropped`]). The reader runs whenever the loop
//! awaits (the RGBA copy, the write), so frames that arrive while one is
//! being processed wait in the track processor's queue, which the page
//! bounds with `maxBufferSize` (3): they are drained, and counted, right
//! after. Only a frame that takes longer than that many frame periods
//! makes Chromium discard frames unseen; then `input_fps` (frames the
//! reader got per second) falls below the camera's rate.
//! Nothing else queues.
//!
//! **Fallback path.** Where the page has no `MediaStreamTrackProcessor`
//! or `MediaStreamTrackGenerator`, it sends [`ToWorker::StartFrames`] and
//! then one camera `VideoFrame` at a time ([`ToWorker::Frame`], grabbed
//! from a `<video>` with `requestVideoFrameCallback`); the worker converts
//! and processes it the same way, closes it, and answers
//! [`FromWorker::Processed`] with the new frame transferred back. The page
//! sends the next frame only after that answer, so nothing queues here.
//!
//! [`protocol`]: crate::protocol

#[cfg(feature = "audio")]
mod audio;
mod convert;
mod frames;
mod hearing;
mod pump;
mod single;
mod timing;

use std::cell::RefCell;
use std::rc::Rc;

use framewise::{PipelineError, Registry, RegistryError, VideoPipeline};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::js::{self, JsError};
use crate::protocol::{FromWorker, ToWorker, WorkerStats};
use convert::ConvertError;
use frames::{close_frame, read_frames, release_frame};
use single::Frames;

pub use convert::nv12_to_i420;

/// At most this many per-frame errors are reported (then only counted).
const MAX_REPORTED_ERRORS: u64 = 5;

/// Why the worker could not start, go on, or process a frame; its text
/// goes to the page in [`FromWorker::Error`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcessingError {
    /// The camera stream could not be read.
    #[error("reading camera frames failed: {0}")]
    Read(JsError),
    /// The output stream could not be written.
    #[error("writing processed frames failed: {0}")]
    Write(JsError),
    /// The Start message has no camera stream.
    #[error("the start message carries no camera stream")]
    NoCameraStream,
    /// The Start message has no output stream and this worker cannot
    /// make one.
    #[error(
        "the start message carries no output stream and this worker has no \
         VideoTrackGenerator to make one"
    )]
    NoGenerator,
    /// The Source message has no stream.
    #[error("the switch message carries no stream")]
    NoSwitchStream,
    /// The Hear message has no stream.
    #[error("the microphone message carries no stream")]
    NoMicrophoneStream,
    /// A Source message while no frame loop runs.
    #[error("no frame loop runs")]
    NotRunning,
    /// The processor is unknown or its params are wrong.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The audio processor could not open or failed on a block.
    #[error("{0}")]
    Audio(String),
    /// This worker was built without framewise-yew's `audio` feature.
    #[error(
        "this worker was built without framewise-yew's audio feature, so it cannot process \
         the microphone: enable it (it is on by default) in the app's Cargo.toml"
    )]
    NoAudio,
    /// The processor failed on a frame, or new params are wrong.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A frame could not be converted to RGBA.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// Another browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

/// Runs the worker: listens for the page's messages and processes the
/// camera frames it is given with processors from `registry`. Call it from
/// the worker binary's `main`; it returns at once, the work goes on in
/// event handlers. In the page's audio worklet, where the same wasm runs
/// the audio processor, it only keeps `registry` ([`crate::worklet`]).
pub fn run(registry: Registry) {
    #[cfg(feature = "audio")]
    if crate::worklet::is_worklet_scope() {
        // The same wasm, loaded by the page's audio worklet.
        crate::worklet::keep(registry);
        return;
    }
    let worker = Rc::new(Worker {
        registry,
        control: RefCell::new(Control::default()),
        frames: RefCell::new(None),
        source: RefCell::new(None),
        heard: RefCell::new(None),
        #[cfg(feature = "audio")]
        audio: RefCell::new(None),
    });
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            worker.on_message(&event.data());
        });
    if let Err(error) = js::set(&js_sys::global(), "onmessage", on_message.as_ref()) {
        post(&FromWorker::Error {
            message: format!("the worker could not listen for messages: {error}"),
            fatal: true,
        });
        return;
    }
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Ready {
        video_track_generator: js::has_global("VideoTrackGenerator"),
    });
}

/// Sends a message already in JSON (a [`FromWorker`]'s) to the page.
#[cfg(feature = "audio")]
fn post_json(json: &str) {
    let sent = js::object(&[("json", JsValue::from_str(json))])
        .and_then(|data| js::call(&js_sys::global(), "postMessage", &[data.into()]));
    if let Err(error) = sent {
        log_error(&error);
    }
}

/// Sends a message to the page, transferring `frame` if given.
fn post_with(message: &FromWorker, frame: Option<&JsValue>) -> Result<(), JsError> {
    let json = ("json", JsValue::from_str(&message.to_json()));
    let global = js_sys::global();
    match frame {
        Some(frame) => {
            let data = js::object(&[json, ("frame", frame.clone())])?;
            let transfer = js_sys::Array::of1(frame);
            js::call(&global, "postMessage", &[data.into(), transfer.into()])
        }
        None => js::call(&global, "postMessage", &[js::object(&[json])?.into()]),
    }
    .map(|_| ())
}

/// Sends a message to the page.
fn post(message: &FromWorker) {
    if let Err(error) = post_with(message, None) {
        log_error(&error);
    }
}

/// Reports `error` to the page; `fatal` ends processing.
fn report(error: &ProcessingError, fatal: bool) {
    post(&FromWorker::Error {
        message: error.to_string(),
        fatal,
    });
}

fn log_error(error: &dyn std::fmt::Display) {
    web_sys::console::error_1(&JsValue::from_str(&format!("framewise worker: {error}")));
}

/// Answers [`FromWorker::Processed`], transferring `frame` (closed here if
/// it cannot be sent).
fn post_processed(frame: Option<JsValue>) {
    match (post_with(&FromWorker::Processed, frame.as_ref()), &frame) {
        (Ok(()), Some(_)) => release_frame(),
        (Ok(()), None) => {}
        (Err(error), frame) => {
            if let Some(frame) = frame {
                close_frame(frame);
            }
            log_error(&error);
        }
    }
}

/// Posts one frame's results, if any, and the stats when due.
fn post_outcome(stats: &mut WorkerStats, results: Vec<Value>) {
    if !results.is_empty() {
        post(&FromWorker::Results { results });
    }
    if timing::stats_due(stats.frames) {
        stats.open_frames = frames::open_frames();
        post(&FromWorker::Stats(stats.clone()));
    }
}

/// Counts a failed frame and reports the first [`MAX_REPORTED_ERRORS`].
fn frame_failed(stats: &mut WorkerStats, error: &ProcessingError) {
    stats.failed += 1;
    if stats.failed <= MAX_REPORTED_ERRORS {
        report(error, false);
    }
}

/// What the message handler shares with the frame loop.
#[derive(Default)]
struct Control {
    /// A configuration to apply before the next frame.
    pending: Option<(String, Value)>,
    /// Set by Stop; the loop ends before its next frame.
    stop: bool,
    /// Whether a loop runs.
    running: bool,
    /// The running loop asked the page for the microphone.
    asked_to_hear: bool,
}

struct Worker {
    registry: Registry,
    control: RefCell<Control>,
    /// The fallback path's processor and counters (between frames; taken
    /// while one frame is processed).
    frames: RefCell<Option<Frames>>,
    /// The camera reader of the running frame loop, if one runs.
    source: RefCell<Option<Source>>,
    /// The microphone the running loop's processor hears, once sent.
    heard: RefCell<Option<Rc<RefCell<hearing::Heard>>>>,
    /// The audio loop, if this worker runs one instead of a frame loop.
    #[cfg(feature = "audio")]
    audio: RefCell<Option<Rc<RefCell<audio::AudioControl>>>>,
}

/// Where the frame loop's camera frames come from: a reader feeding the
/// slot. A device switch replaces the reader, not the slot.
struct Source {
    reader: JsValue,
    slot: Rc<RefCell<frames::Slot>>,
}

impl Worker {
    fn on_message(self: &Rc<Self>, data: &JsValue) {
        let text = js::get_string(data, "json");
        let message = text.and_then(|t| ToWorker::parse(&t));
        match message {
            Some(ToWorker::Start {
                processor,
                params,
                send_only,
            }) => self.start(data, processor, params, send_only),
            Some(ToWorker::StartAudio { processor, params }) => {
                #[cfg(feature = "audio")]
                self.start_audio(data, processor, params);
                #[cfg(not(feature = "audio"))]
                {
                    let _ = (processor, params);
                    report(&ProcessingError::NoAudio, true);
                }
            }
            Some(ToWorker::Source) => {
                #[cfg(feature = "audio")]
                if let Some(audio) = &*self.audio.borrow() {
                    if let Err(error) = audio.borrow_mut().switch(data) {
                        post(&FromWorker::Error {
                            message: format!("switching the microphone failed: {error}"),
                            fatal: false,
                        });
                    }
                    return;
                }
                self.switch_source(data)
            }
            Some(ToWorker::Hear) => self.hear(data),
            Some(ToWorker::Configure { processor, params }) => {
                #[cfg(feature = "audio")]
                if let Some(audio) = &*self.audio.borrow() {
                    return audio.borrow_mut().configure(params);
                }
                self.control.borrow_mut().pending = Some((processor, params));
            }
            Some(ToWorker::Stop) => {
                self.control.borrow_mut().stop = true;
                self.frames.borrow_mut().take();
                #[cfg(feature = "audio")]
                if let Some(audio) = &*self.audio.borrow() {
                    audio.borrow_mut().stop();
                }
            }
            Some(ToWorker::StartFrames { processor, params }) => {
                match self.registry.video(&processor, &params) {
                    Ok(pipeline) => {
                        self.control.borrow_mut().stop = false;
                        *self.frames.borrow_mut() = Some(Frames::new(processor, pipeline));
                    }
                    Err(error) => report(&error.into(), true),
                }
            }
            Some(ToWorker::Frame) => self.frame(data),
            Some(ToWorker::Crash) => {
                // The documented test hook (see `ToWorker::Crash`): a wasm
                // trap, exactly what a panicking processor causes.
                panic!("framewise worker: crash requested (test hook)")
            }
            None => post(&FromWorker::Error {
                message: "the worker got a message it does not understand".into(),
                fatal: false,
            }),
        }
    }

    fn start(self: &Rc<Self>, data: &JsValue, processor: String, params: Value, send_only: bool) {
        if self.control.borrow().running {
            post(&FromWorker::Error {
                message: "the worker is already processing a stream".into(),
                fatal: false,
            });
            return;
        }
        let started = streams(data, send_only).and_then(|streams| {
            let pipeline = self.registry.video(&processor, &params)?;
            Ok((streams, pipeline))
        });
        let ((readable, writable), pipeline) = match started {
            Ok(started) => started,
            Err(error) => return report(&error, true),
        };
        {
            let mut control = self.control.borrow_mut();
            control.running = true;
            control.stop = false;
            control.asked_to_hear = false;
        }
        let worker = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = worker.pump(readable, writable, processor, pipeline).await;
            worker.control.borrow_mut().running = false;
            if let Err(error) = outcome {
                report(&error, true);
            }
            post(&FromWorker::Stopped);
        });
    }

    /// Applies a pending configuration, if any; errors are reported and
    /// leave the running processor as it was.
    fn configure(&self, name: &mut String, pipeline: &mut VideoPipeline) {
        let Some((processor, params)) = self.control.borrow_mut().pending.take() else {
            return;
        };
        let outcome = if processor == *name {
            pipeline.set_params(&params).map_err(ProcessingError::from)
        } else {
            self.registry
                .video(&processor, &params)
                .map(|built| {
                    *pipeline = built;
                    *name = processor;
                })
                .map_err(ProcessingError::from)
        };
        if let Err(error) = outcome {
            report(&error, false);
        }
    }

    /// Asks the page for the microphone once per loop, when `pipeline`'s
    /// processor hears audio.
    fn ask_to_hear(&self, pipeline: &VideoPipeline) {
        let mut control = self.control.borrow_mut();
        if pipeline.info().hears_audio && !control.asked_to_hear {
            control.asked_to_hear = true;
            post(&FromWorker::Listen);
        }
    }

    /// The page's microphone for the processor to hear: read into a
    /// bounded queue until the loop ends.
    fn hear(&self, data: &JsValue) {
        let readable = js::get(data, "readable").unwrap_or(JsValue::UNDEFINED);
        let reader = match readable.is_undefined() {
            true => Err(ProcessingError::NoMicrophoneStream),
            false => js::call(&readable, "getReader", &[]).map_err(ProcessingError::from),
        };
        let reader = match reader {
            Ok(reader) if self.control.borrow().running => reader,
            Ok(reader) => {
                let _ = js::call(&reader, "cancel", &[]);
                return;
            }
            Err(error) => return report(&error, false),
        };
        let heard = Rc::new(RefCell::new(hearing::Heard::default()));
        if let Some(old) = self.heard.replace(Some(heard.clone())) {
            old.borrow_mut().close();
        }
        wasm_bindgen_futures::spawn_local(hearing::read_audio(reader, heard));
    }

    /// Gives `pipeline` the sound heard since the last frame.
    fn hand_heard(&self, pipeline: &mut VideoPipeline) {
        if let Some(heard) = &*self.heard.borrow() {
            heard.borrow_mut().hand_to(pipeline);
        }
    }

    /// The loop ended: the microphone's reader stops.
    fn stop_hearing(&self) {
        if let Some(heard) = self.heard.borrow_mut().take() {
            heard.borrow_mut().close();
        }
    }

    /// A device switch: the frame loop reads from the transferred
    /// `readable` from now on; the old reader is cancelled, the frame it
    /// may still deliver is closed.
    fn switch_source(&self, data: &JsValue) {
        let readable = js::get(data, "readable").unwrap_or(JsValue::UNDEFINED);
        let mut source = self.source.borrow_mut();
        let switched = match source.as_mut() {
            _ if readable.is_undefined() => Err(ProcessingError::NoSwitchStream),
            None => Err(ProcessingError::NotRunning),
            Some(source) => js::call(&readable, "getReader", &[])
                .map(|reader| {
                    let old = std::mem::replace(&mut source.reader, reader.clone());
                    let generation = source.slot.borrow_mut().next_generation();
                    let _ = js::call(&old, "cancel", &[]);
                    let slot = source.slot.clone();
                    wasm_bindgen_futures::spawn_local(read_frames(reader, slot, generation));
                })
                .map_err(ProcessingError::from),
        };
        if let Err(error) = switched {
            let _ = js::call(&readable, "cancel", &[]);
            post(&FromWorker::Error {
                message: format!("switching the camera failed: {error}"),
                fatal: false,
            });
        }
    }
}

/// The Start message's camera `readable` and output `writable` (this
/// worker's own generator's when the page sent none).
fn streams(data: &JsValue, send_only: bool) -> Result<(JsValue, Option<JsValue>), ProcessingError> {
    let readable = js::get(data, "readable")?;
    if readable.is_undefined() {
        return Err(ProcessingError::NoCameraStream);
    }
    if send_only {
        return Ok((readable, None));
    }
    let writable = js::get(data, "writable")?;
    let writable = match writable.is_undefined() {
        true => own_generator()?,
        false => writable,
    };
    Ok((readable, Some(writable)))
}

/// A `VideoTrackGenerator` made here (browsers that follow the spec have
/// it in workers): its track goes to the page in [`FromWorker::Output`],
/// its `writable` is returned for the frame loop.
fn own_generator() -> Result<JsValue, ProcessingError> {
    if !js::has_global("VideoTrackGenerator") {
        return Err(ProcessingError::NoGenerator);
    }
    let generator = js::construct("VideoTrackGenerator", &[])?;
    let track = js::get(&generator, "track")?;
    let data = js::object(&[
        ("json", JsValue::from_str(&FromWorker::Output.to_json())),
        ("track", track.clone()),
    ])?;
    js::call(
        &js_sys::global(),
        "postMessage",
        &[data.into(), js_sys::Array::of1(&track).into()],
    )?;
    Ok(js::get(&generator, "writable")?)
}
