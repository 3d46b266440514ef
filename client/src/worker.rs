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

use std::cell::RefCell;
use std::rc::Rc;

use framewise::{ColorRange, I420Frame, Registry, VideoFrame, VideoPipeline};
use js_sys::Uint8Array;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::js;
use crate::protocol::{FromWorker, ToWorker, WorkerStats};
use crate::stats::{Window, WINDOW};

/// Stats are posted after the first frame and then every this many frames.
const STATS_EVERY: u64 = 10;
/// At most this many per-frame errors are reported (then only counted).
const MAX_REPORTED_ERRORS: u64 = 5;

/// Runs the worker: listens for the page's messages and processes the
/// camera frames it is given with processors from `registry`. Call it from
/// the worker binary's `main`; it returns at once, the work goes on in
/// event handlers.
pub fn run(registry: Registry) {
    let worker = Rc::new(Worker {
        registry,
        control: RefCell::new(Control::default()),
        frames: RefCell::new(None),
        source: RefCell::new(None),
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

/// Sends a message to the page.
fn post(message: &FromWorker) {
    let sent = js::object(&[("json", JsValue::from_str(&message.to_json()))])
        .and_then(|data| js::call(&js_sys::global(), "postMessage", &[data.into()]));
    if let Err(error) = sent {
        web_sys::console::error_1(&JsValue::from_str(&format!("framewise worker: {error}")));
    }
}

/// Answers [`FromWorker::Processed`], transferring `frame` (closed here if
/// it cannot be sent).
fn post_processed(frame: Option<JsValue>) {
    let json = ("json", JsValue::from_str(&FromWorker::Processed.to_json()));
    let sent = match &frame {
        Some(frame) => js::object(&[json, ("frame", frame.clone())]).and_then(|data| {
            let transfer = js_sys::Array::of1(frame);
            js::call(
                &js_sys::global(),
                "postMessage",
                &[data.into(), transfer.into()],
            )
        }),
        None => js::object(&[json])
            .and_then(|data| js::call(&js_sys::global(), "postMessage", &[data.into()])),
    };
    match (&frame, sent) {
        (Some(_), Ok(_)) => release_frame(),
        (Some(frame), Err(error)) => {
            close_frame(frame);
            web_sys::console::error_1(&JsValue::from_str(&format!("framewise worker: {error}")));
        }
        (None, Err(error)) => {
            web_sys::console::error_1(&JsValue::from_str(&format!("framewise worker: {error}")))
        }
        (None, Ok(_)) => {}
    }
}

thread_local! {
    /// `VideoFrame`s this worker holds: camera frames read or received and
    /// output frames made, minus those closed or handed back to the page.
    static OPEN_FRAMES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts a `VideoFrame` the worker now holds (see [`WorkerStats::open_frames`]).
fn hold_frame() {
    OPEN_FRAMES.with(|open| open.set(open.get() + 1));
}

/// Counts a held `VideoFrame` as given up (closed or transferred).
fn release_frame() {
    OPEN_FRAMES.with(|open| open.set(open.get().saturating_sub(1)));
}

/// Closes a held `VideoFrame`.
fn close_frame(frame: &JsValue) {
    let _ = js::call(frame, "close", &[]);
    release_frame();
}

/// The frames this worker holds now.
fn open_frames() -> u64 {
    OPEN_FRAMES.with(|open| open.get())
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
}

struct Worker {
    registry: Registry,
    control: RefCell<Control>,
    /// The fallback path's processor and counters (between frames; taken
    /// while one frame is processed).
    frames: RefCell<Option<Frames>>,
    /// The camera reader of the running frame loop, if one runs.
    source: RefCell<Option<Source>>,
}

/// Where the frame loop's camera frames come from: a reader feeding the
/// slot. A device switch replaces the reader, not the slot.
struct Source {
    reader: JsValue,
    slot: Rc<RefCell<Slot>>,
}

/// The fallback path's state: one frame at a time, sent by the page.
struct Frames {
    name: String,
    pipeline: VideoPipeline,
    converter: Converter,
    stats: WorkerStats,
    timing: Timing,
    /// When each frame arrived, for the input rate.
    arrived_at: Window,
}

impl Worker {
    fn on_message(self: &Rc<Self>, data: &JsValue) {
        let text = js::get(data, "json").ok().and_then(|v| v.as_string());
        let message = text.and_then(|t| serde_json::from_str::<ToWorker>(&t).ok());
        match message {
            Some(ToWorker::Start { processor, params }) => self.start(data, processor, params),
            Some(ToWorker::Source) => self.switch_source(data),
            Some(ToWorker::Configure { processor, params }) => {
                self.control.borrow_mut().pending = Some((processor, params));
            }
            Some(ToWorker::Stop) => {
                self.control.borrow_mut().stop = true;
                self.frames.borrow_mut().take();
            }
            Some(ToWorker::StartFrames { processor, params }) => {
                match self.registry.video(&processor, &params) {
                    Ok(pipeline) => {
                        self.control.borrow_mut().stop = false;
                        *self.frames.borrow_mut() = Some(Frames {
                            name: processor,
                            pipeline,
                            converter: Converter::default(),
                            stats: WorkerStats::default(),
                            timing: Timing::default(),
                            arrived_at: Window::new(WINDOW),
                        });
                    }
                    Err(error) => post(&FromWorker::Error {
                        message: error.to_string(),
                        fatal: true,
                    }),
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

    fn start(self: &Rc<Self>, data: &JsValue, processor: String, params: Value) {
        if self.control.borrow().running {
            post(&FromWorker::Error {
                message: "the worker is already processing a stream".into(),
                fatal: false,
            });
            return;
        }
        let streams = js::get(data, "readable")
            .and_then(|r| Ok((r, js::get(data, "writable")?)))
            .and_then(|(readable, writable)| match writable.is_undefined() {
                true => Ok((readable, own_generator()?)),
                false => Ok((readable, writable)),
            });
        let (readable, writable) = match streams {
            Ok((r, w)) if !r.is_undefined() => (r, w),
            Ok(_) => {
                return post(&FromWorker::Error {
                    message: "the start message carries no camera stream".into(),
                    fatal: true,
                })
            }
            Err(message) => {
                return post(&FromWorker::Error {
                    message,
                    fatal: true,
                })
            }
        };
        let pipeline = match self.registry.video(&processor, &params) {
            Ok(pipeline) => pipeline,
            Err(error) => {
                return post(&FromWorker::Error {
                    message: error.to_string(),
                    fatal: true,
                })
            }
        };
        {
            let mut control = self.control.borrow_mut();
            control.running = true;
            control.stop = false;
        }
        let worker = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = worker.pump(readable, writable, processor, pipeline).await;
            worker.control.borrow_mut().running = false;
            if let Err(message) = outcome {
                post(&FromWorker::Error {
                    message,
                    fatal: true,
                });
            }
            post(&FromWorker::Stopped);
        });
    }

    /// Fallback path: processes the frame in `data.frame` and answers
    /// [`FromWorker::Processed`] with the result transferred back.
    fn frame(self: &Rc<Self>, data: &JsValue) {
        let input = js::get(data, "frame").unwrap_or(JsValue::UNDEFINED);
        if input.is_undefined() || input.is_null() {
            return post(&FromWorker::Processed);
        }
        hold_frame();
        let Some(mut state) = self.frames.borrow_mut().take() else {
            // Not started, stopped, or (against the protocol) a frame while
            // one is in flight: never queue.
            close_frame(&input);
            return;
        };
        state.arrived_at.push(js::now_ms());
        state.stats.received += 1;
        let worker = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let output = worker.process_one(&mut state, &input).await;
            close_frame(&input);
            let answer = match output {
                Ok(frame) => Some(frame),
                Err(message) => {
                    state.stats.failed += 1;
                    if state.stats.failed <= MAX_REPORTED_ERRORS {
                        post(&FromWorker::Error {
                            message,
                            fatal: false,
                        });
                    }
                    None
                }
            };
            post_processed(answer);
            // Unless Stop (or a new start) came meanwhile.
            let mut frames = worker.frames.borrow_mut();
            if frames.is_none() && !worker.control.borrow().stop {
                *frames = Some(state);
            }
        });
    }

    /// Fallback path: one frame converted, processed and turned into a new
    /// `VideoFrame`; stats and results posted.
    async fn process_one(&self, state: &mut Frames, input: &JsValue) -> Result<JsValue, String> {
        self.configure(&mut state.name, &mut state.pipeline);
        let started = js::now_ms();
        let mut frame = state.converter.rgba(input, &mut state.stats).await?;
        let converted_at = js::now_ms();
        let results = state
            .pipeline
            .process(&mut frame)
            .map_err(|e| e.to_string())?;
        let processed_at = js::now_ms();
        let written = output_frame(&frame)?;
        let done_at = js::now_ms();
        let steps = [started, converted_at, processed_at, done_at];
        state
            .timing
            .record(&mut state.stats, &frame, started, steps);
        let stats = &mut state.stats;
        stats.input_fps = state.arrived_at.rate(1e3);
        post_outcome(stats, results);
        Ok(written)
    }

    /// Applies a pending configuration, if any; errors are reported and
    /// leave the running processor as it was.
    fn configure(&self, name: &mut String, pipeline: &mut VideoPipeline) {
        let Some((processor, params)) = self.control.borrow_mut().pending.take() else {
            return;
        };
        let outcome = if processor == *name {
            pipeline.set_params(&params).map_err(|e| e.to_string())
        } else {
            self.registry
                .video(&processor, &params)
                .map(|built| {
                    *pipeline = built;
                    *name = processor;
                })
                .map_err(|e| e.to_string())
        };
        if let Err(message) = outcome {
            post(&FromWorker::Error {
                message,
                fatal: false,
            });
        }
    }

    /// The frame loop: take the latest camera frame, convert, process,
    /// write, until Stop or the end of the stream.
    async fn pump(
        &self,
        readable: JsValue,
        writable: JsValue,
        mut name: String,
        mut pipeline: VideoPipeline,
    ) -> Result<(), String> {
        let reader = js::call(&readable, "getReader", &[])?;
        let writer = js::call(&writable, "getWriter", &[])?;
        let slot = Rc::new(RefCell::new(Slot::default()));
        wasm_bindgen_futures::spawn_local(read_frames(reader.clone(), slot.clone(), 0));
        *self.source.borrow_mut() = Some(Source {
            reader,
            slot: slot.clone(),
        });
        let mut stats = WorkerStats::default();
        let mut timing = Timing::default();
        let mut converter = Converter::default();
        let outcome = loop {
            if self.control.borrow().stop {
                break Ok(());
            }
            self.configure(&mut name, &mut pipeline);
            let (input, read_at) = match next_frame(&slot).await {
                Next::Frame(frame, read_at) => (frame, read_at),
                Next::End => break Ok(()),
                Next::Failed(error) => break Err(format!("reading camera frames failed: {error}")),
            };
            if self.control.borrow().stop {
                close_frame(&input);
                break Ok(());
            }
            let started = js::now_ms();
            let converted = converter.rgba(&input, &mut stats).await;
            // The camera frame is not needed once its pixels are copied.
            close_frame(&input);
            let converted_at = js::now_ms();
            let output = converted.and_then(|mut frame| {
                let results = pipeline.process(&mut frame).map_err(|e| e.to_string())?;
                Ok((frame, results))
            });
            let processed_at = js::now_ms();
            let (frame, results) = match output {
                Ok(done) => done,
                Err(message) => {
                    stats.failed += 1;
                    if stats.failed <= MAX_REPORTED_ERRORS {
                        post(&FromWorker::Error {
                            message,
                            fatal: false,
                        });
                    }
                    continue;
                }
            };
            let written = output_frame(&frame)?;
            let write = js::call_async(&writer, "write", std::slice::from_ref(&written)).await;
            close_frame(&written);
            if let Err(error) = write {
                // The generator's track was stopped: the page is done.
                break if self.control.borrow().stop {
                    Ok(())
                } else {
                    Err(format!("writing processed frames failed: {error}"))
                };
            }
            let done_at = js::now_ms();
            let steps = [started, converted_at, processed_at, done_at];
            timing.record(&mut stats, &frame, read_at, steps);
            timing.fill_input(&mut stats, &slot.borrow());
            post_outcome(&mut stats, results);
        };
        {
            let mut slot = slot.borrow_mut();
            slot.closed = true;
            if let Some((frame, _)) = slot.frame.take() {
                close_frame(&frame);
            }
        }
        if let Some(source) = self.source.borrow_mut().take() {
            let _ = js::call(&source.reader, "cancel", &[]);
        }
        let _ = js::call(&writer, "close", &[]);
        outcome
    }

    /// A device switch: the frame loop reads from the transferred
    /// `readable` from now on; the old reader is cancelled, the frame it
    /// may still deliver is closed.
    fn switch_source(&self, data: &JsValue) {
        let readable = js::get(data, "readable").unwrap_or(JsValue::UNDEFINED);
        let mut source = self.source.borrow_mut();
        let switched = match source.as_mut() {
            _ if readable.is_undefined() => Err("the switch message carries no stream".into()),
            None => Err("no frame loop runs".to_owned()),
            Some(source) => js::call(&readable, "getReader", &[]).map(|reader| {
                let old = std::mem::replace(&mut source.reader, reader.clone());
                let generation = {
                    let mut slot = source.slot.borrow_mut();
                    slot.generation += 1;
                    slot.generation
                };
                let _ = js::call(&old, "cancel", &[]);
                let slot = source.slot.clone();
                wasm_bindgen_futures::spawn_local(read_frames(reader, slot, generation));
            }),
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

/// A `VideoTrackGenerator` made here (browsers that follow the spec have
/// it in workers): its track goes to the page in [`FromWorker::Output`],
/// its `writable` is returned for the frame loop.
fn own_generator() -> Result<JsValue, String> {
    if !js::has_global("VideoTrackGenerator") {
        return Err(
            "the start message carries no output stream and this worker has no \
                    VideoTrackGenerator to make one"
                .into(),
        );
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
    js::get(&generator, "writable")
}

/// Posts one frame's results, if any, and the stats on the first frame and
/// every [`STATS_EVERY`] frames after it.
fn post_outcome(stats: &mut WorkerStats, results: Vec<Value>) {
    if !results.is_empty() {
        post(&FromWorker::Results { results });
    }
    if stats.frames == 1 || stats.frames.is_multiple_of(STATS_EVERY) {
        stats.open_frames = open_frames();
        post(&FromWorker::Stats(stats.clone()));
    }
}

/// The windows behind the rates and percentiles in [`WorkerStats`].
struct Timing {
    process_ms: Window,
    total_ms: Window,
    /// `performance.now()` when each output frame was written.
    written_at: Window,
    /// From reading each camera frame to writing its output, ms.
    latency_ms: Window,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            process_ms: Window::new(WINDOW),
            total_ms: Window::new(WINDOW),
            written_at: Window::new(WINDOW),
            latency_ms: Window::new(WINDOW),
        }
    }
}

impl Timing {
    /// Records one written frame — its size, when its camera frame reached
    /// the worker (`read_at`) and the `performance.now()` times it was
    /// started, converted, processed and written — and refreshes the
    /// output rate and the percentiles.
    fn record(
        &mut self,
        stats: &mut WorkerStats,
        frame: &VideoFrame,
        read_at: f64,
        steps: [f64; 4],
    ) {
        let [started, converted_at, processed_at, done_at] = steps;
        stats.frames += 1;
        stats.width = frame.width();
        stats.height = frame.height();
        stats.convert_ms = converted_at - started;
        stats.process_ms = processed_at - converted_at;
        stats.total_ms = done_at - started;
        self.process_ms.push(stats.process_ms);
        self.total_ms.push(stats.total_ms);
        self.written_at.push(done_at);
        self.latency_ms.push(done_at - read_at);
        stats.latency_ms_p50 = self.latency_ms.percentile(50.0).unwrap_or(0.0);
        stats.output_fps = self.written_at.rate(1e3);
        stats.process_ms_p50 = self.process_ms.percentile(50.0).unwrap_or(0.0);
        stats.process_ms_p95 = self.process_ms.percentile(95.0).unwrap_or(0.0);
        stats.total_ms_p50 = self.total_ms.percentile(50.0).unwrap_or(0.0);
        stats.total_ms_p95 = self.total_ms.percentile(95.0).unwrap_or(0.0);
    }

    /// The input side, from the reader's slot: frames received, dropped,
    /// and the input rate.
    fn fill_input(&self, stats: &mut WorkerStats, slot: &Slot) {
        stats.received = slot.received;
        stats.dropped = slot.dropped;
        stats.input_fps = slot.read_at.rate(1e3);
    }
}

/// The one-frame mailbox between the reader task and the frame loop:
/// latest frame wins.
struct Slot {
    /// The newest camera frame not yet taken by the loop, and when it was
    /// read (`performance.now()`, ms).
    frame: Option<(JsValue, f64)>,
    /// Bumped by each device switch: a reader of an older generation
    /// closes what it still reads and stops.
    generation: u64,
    /// The stream ended (`Ok`) or reading failed (`Err`).
    end: Option<Result<(), String>>,
    /// The loop is done: the reader closes what it still gets and stops.
    closed: bool,
    /// Resolves the promise the loop waits on, if it waits.
    wake: Option<js_sys::Function>,
    /// Frames read since start.
    received: u64,
    /// Frames replaced in the slot before the loop took them.
    dropped: u64,
    /// When each frame was read (`performance.now()`, ms), for the input
    /// rate: the same clock as the output rate, so the two compare.
    read_at: Window,
}

impl Default for Slot {
    fn default() -> Self {
        Self {
            frame: None,
            generation: 0,
            end: None,
            closed: false,
            wake: None,
            received: 0,
            dropped: 0,
            read_at: Window::new(WINDOW),
        }
    }
}

impl Slot {
    fn wake(&mut self) {
        if let Some(wake) = self.wake.take() {
            let _ = wake.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The reader task: reads camera frames as fast as they come and puts
/// each in the slot, closing (and counting as dropped) the one it
/// replaces. It stops when the slot moves to a newer `generation` (a
/// device switch) or closes.
async fn read_frames(reader: JsValue, slot: Rc<RefCell<Slot>>, generation: u64) {
    loop {
        let chunk = js::call_async(&reader, "read", &[]).await;
        let mut slot = slot.borrow_mut();
        if slot.generation != generation {
            // Replaced: only close what this reader still got.
            if let Ok(frame) = chunk.and_then(|c| js::get(&c, "value")) {
                if !frame.is_undefined() {
                    let _ = js::call(&frame, "close", &[]);
                }
            }
            return;
        }
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                slot.end = Some(Err(error));
                slot.wake();
                return;
            }
        };
        let done = js::get(&chunk, "done").ok().and_then(|d| d.as_bool());
        let frame = js::get(&chunk, "value").unwrap_or(JsValue::UNDEFINED);
        if done == Some(true) || frame.is_undefined() {
            slot.end = Some(Ok(()));
            slot.wake();
            return;
        }
        if slot.closed {
            let _ = js::call(&frame, "close", &[]);
            return;
        }
        hold_frame();
        let now = js::now_ms();
        slot.received += 1;
        slot.read_at.push(now);
        if let Some((older, _)) = slot.frame.replace((frame, now)) {
            close_frame(&older);
            slot.dropped += 1;
        }
        slot.wake();
    }
}

/// What the frame loop gets from the slot.
enum Next {
    /// A camera frame and when it was read.
    Frame(JsValue, f64),
    End,
    Failed(String),
}

/// Waits for the slot's next frame (or the end of the stream).
async fn next_frame(slot: &Rc<RefCell<Slot>>) -> Next {
    loop {
        let waiting = {
            let mut state = slot.borrow_mut();
            if let Some((frame, read_at)) = state.frame.take() {
                return Next::Frame(frame, read_at);
            }
            match &state.end {
                Some(Ok(())) => return Next::End,
                Some(Err(error)) => return Next::Failed(error.clone()),
                None => {}
            }
            let mut wake = None;
            let promise = js_sys::Promise::new(&mut |resolve, _reject| wake = Some(resolve));
            state.wake = wake;
            promise
        };
        let _ = wasm_bindgen_futures::JsFuture::from(waiting).await;
    }
}

/// A new RGBA `VideoFrame` holding `frame`'s pixels and timestamp.
fn output_frame(frame: &VideoFrame) -> Result<JsValue, String> {
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

/// How camera frames become RGBA; learnt on the first frame.
#[derive(Default, Clone, Copy, PartialEq)]
enum Converter {
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
    async fn rgba(
        &mut self,
        input: &JsValue,
        stats: &mut WorkerStats,
    ) -> Result<VideoFrame, String> {
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
                    return VideoFrame::from_rgba(width, height, data, timestamp)
                        .map_err(|e| e.to_string());
                }
                Err(error) if *self == Converter::BrowserRgba => return Err(error),
                Err(_) => *self = Converter::Planes,
            }
        }
        let planes = copy_planes(input).await?;
        let i420 = match format.as_str() {
            "I420" => planes,
            "NV12" => nv12_to_i420(width, height, &planes)?,
            other => {
                return Err(format!(
                    "camera frames in {other} cannot be converted to RGBA here"
                ))
            }
        };
        stats.conversion = format!("{format} → RGBA (wasm)");
        let frame = I420Frame::new(width, height, i420, timestamp).map_err(|e| e.to_string())?;
        Ok(frame.to_rgba(ColorRange::Limited))
    }
}

/// `frame.copyTo` into a new buffer of `allocationSize(options)` bytes.
async fn copy_with(input: &JsValue, options: &[JsValue]) -> Result<Vec<u8>, String> {
    let size = js::call(input, "allocationSize", options)?
        .as_f64()
        .ok_or("allocationSize is not a number")? as u32;
    let buffer = Uint8Array::new_with_length(size);
    let mut args = vec![buffer.clone().into()];
    args.extend_from_slice(options);
    js::call_async(input, "copyTo", &args).await?;
    Ok(buffer.to_vec())
}

/// The frame converted to RGBA by the browser.
async fn copy_rgba(input: &JsValue) -> Result<Vec<u8>, String> {
    let options = js::object(&[("format", JsValue::from_str("RGBA"))])?;
    copy_with(input, &[options.into()]).await
}

/// The frame's planes, tightly packed (the default layout of `copyTo`).
async fn copy_planes(input: &JsValue) -> Result<Vec<u8>, String> {
    copy_with(input, &[]).await
}

/// NV12 (Y plane, then interleaved UV) to I420 (Y, U, V planes).
pub fn nv12_to_i420(width: u32, height: u32, nv12: &[u8]) -> Result<Vec<u8>, String> {
    let luma = width as usize * height as usize;
    let chroma = width.div_ceil(2) as usize * height.div_ceil(2) as usize;
    if nv12.len() != luma + 2 * chroma {
        return Err(format!(
            "an NV12 {width}x{height} frame has {} bytes, not {}",
            nv12.len(),
            luma + 2 * chroma
        ));
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
        assert!(nv12_to_i420(4, 2, &nv12[..11]).is_err());
    }
}
