//! The camera `<Streamer>`: START/STOP, capture, the processing worker and
//! the processed output.
//!
//! ```no_run
//! use framewise_yew::{Streamer, StreamerState};
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn Edges() -> Html {
//!     html! {
//!         <Streamer processor="canny" params={serde_json::json!({"low": 60})}
//!                   worker_url="./worker_loader.js" />
//!     }
//! }
//! ```
//!
//! The state logic ([`StreamerModel`], [`camera_error_message`]) is plain
//! code, tested natively; the rest drives browser APIs.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlVideoElement, MediaStream, MessageEvent, Worker};
use yew::prelude::*;

use crate::js;
use crate::protocol::{FromWorker, ToWorker};
use crate::stats::{StreamStats, Window, PATH_FALLBACK, PATH_TRACK, RUNS_LOCAL, WINDOW};

/// The track processor's queue (`maxBufferSize`): frames that arrive
/// while the worker processes one wait here (bounded) until its reader
/// drains them; see [`worker`](crate::worker) for the latest-frame-wins
/// rule.
pub const CAMERA_QUEUE: u32 = 3;

/// A worker that fails this many times within [`FAILURE_WINDOW_MS`] is not
/// restarted again: the Streamer stops with a message.
pub const MAX_FAILURES: usize = 3;

/// The span over which worker failures are counted, ms.
pub const FAILURE_WINDOW_MS: f64 = 10_000.0;

/// Records a worker failure at `now_ms` in `failures` (the earlier ones'
/// times), forgets those older than [`FAILURE_WINDOW_MS`], and returns how
/// many remain, this one included.
pub fn record_failure(failures: &mut Vec<f64>, now_ms: f64) -> usize {
    failures.retain(|&at| now_ms - at < FAILURE_WINDOW_MS);
    failures.push(now_ms);
    failures.len()
}

/// Where the component is, reported through `on_state`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StreamerState {
    /// Not started, or stopped.
    #[default]
    Idle,
    /// START was pressed: asking for the camera, starting the worker.
    Starting,
    /// Processed frames are coming out.
    Playing,
    /// Starting or processing failed; the message says why, for a person.
    Failed(String),
}

/// The component's state: where it is and the worker's last counters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamerModel {
    /// Where the component is.
    pub state: StreamerState,
    /// The last stats (kept after STOP, for display).
    pub stats: Option<StreamStats>,
    /// The last non-fatal processing error, if any.
    pub warning: Option<String>,
    /// How many times the worker was restarted after a failure since START.
    pub restarts: u32,
}

/// What changes a [`StreamerModel`].
#[derive(Debug, Clone, PartialEq)]
pub enum StreamerAction {
    /// START.
    Start,
    /// The worker reported stats: frames are flowing.
    Stats(StreamStats),
    /// A non-fatal error (a bad param, one frame failed).
    Warn(String),
    /// Starting or processing failed.
    Fail(String),
    /// The worker failed and is being restarted (the message says why):
    /// back to `Starting` until its first frame.
    Restart(String),
    /// STOP.
    Stop,
}

impl StreamerModel {
    /// Whether START is under way or frames flow.
    pub fn is_active(&self) -> bool {
        matches!(self.state, StreamerState::Starting | StreamerState::Playing)
    }
}

impl Reducible for StreamerModel {
    type Action = StreamerAction;

    fn reduce(self: Rc<Self>, action: StreamerAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            StreamerAction::Start if self.is_active() => return self,
            StreamerAction::Start => {
                next.state = StreamerState::Starting;
                next.stats = None;
                next.warning = None;
                next.restarts = 0;
            }
            StreamerAction::Restart(_) if !self.is_active() => return self,
            StreamerAction::Restart(message) => {
                next.state = StreamerState::Starting;
                next.warning = Some(message);
                next.restarts += 1;
            }
            // Late stats from a stopped or failed run change nothing.
            StreamerAction::Stats(_) if !self.is_active() => return self,
            StreamerAction::Stats(mut stats) => {
                // The time to the first frame is measured once per run.
                stats.first_frame_ms = stats
                    .first_frame_ms
                    .or_else(|| self.stats.as_ref().and_then(|s| s.first_frame_ms));
                next.state = StreamerState::Playing;
                next.stats = Some(stats);
            }
            StreamerAction::Warn(message) => next.warning = Some(message),
            StreamerAction::Fail(message) => next.state = StreamerState::Failed(message),
            StreamerAction::Stop if self.state == StreamerState::Idle => return self,
            StreamerAction::Stop => next.state = StreamerState::Idle,
        }
        Rc::new(next)
    }
}

/// Shown when the page is not a secure context.
pub const INSECURE_CONTEXT: &str = "The camera needs a secure page: open it over HTTPS, or on \
     localhost / 127.0.0.1 while developing.";

/// A message a person can act on for a failed `getUserMedia`, from the
/// `DOMException`'s name and the browser's own text.
pub fn camera_error_message(name: Option<&str>, detail: &str) -> String {
    match name {
        Some("NotAllowedError" | "SecurityError") => {
            "Camera permission was denied. Allow the camera for this site (the icon in the \
             address bar) and press START again."
                .into()
        }
        Some("NotFoundError" | "DevicesNotFoundError") => {
            "No camera was found. Connect one and press START again.".into()
        }
        Some("NotReadableError" | "TrackStartError" | "AbortError") => {
            "The camera is busy or could not be opened: close other apps or tabs using it and \
             press START again."
                .into()
        }
        Some("OverconstrainedError" | "ConstraintNotSatisfiedError") => format!(
            "The camera cannot deliver the requested resolution or frame rate ({detail}). Try \
             other settings."
        ),
        _ => format!("The camera could not be started: {detail}"),
    }
}

/// Props of [`Streamer`].
#[derive(Properties, PartialEq, Clone)]
pub struct StreamerProps {
    /// Registry name of the video processor to run (it must be compiled
    /// into the worker at `worker_url`).
    pub processor: AttrValue,
    /// Its params, `{"name": value}`; missing ones take their defaults.
    /// A change is sent to the running worker and applied between frames.
    #[prop_or_else(|| Value::Object(Default::default()))]
    pub params: Value,
    /// Desired state for programmatic start and stop: `Some(true)` starts
    /// (as START does), `Some(false)` stops; `None` leaves it to the
    /// buttons.
    #[prop_or_default]
    pub playing: Option<bool>,
    /// Called with every state change.
    #[prop_or_default]
    pub on_state: Callback<StreamerState>,
    /// Called with each result the processor emits, as it arrives.
    #[prop_or_default]
    pub on_result: Callback<Value>,
    /// URL of the worker script: the loader trunk emits for the app's
    /// worker bin (`data-type="worker" data-loader-shim`), e.g.
    /// `./worker_loader.js`.
    pub worker_url: AttrValue,
    /// Requested (ideal) camera width.
    #[prop_or(640)]
    pub width: u32,
    /// Requested (ideal) camera height.
    #[prop_or(480)]
    pub height: u32,
    /// Requested (ideal) camera frame rate.
    #[prop_or(30.0)]
    pub frame_rate: f64,
    /// Also show the raw camera next to the output.
    #[prop_or_default]
    pub show_input: bool,
    /// Show the stats overlay on the output video.
    #[prop_or(true)]
    pub show_stats: bool,
    /// Called with the stats (input/output fps, processing ms p50/p95,
    /// dropped frames, time to the first frame, where processing runs)
    /// after the first processed frame and then every few frames.
    #[prop_or_default]
    pub on_stats: Callback<StreamStats>,
}

/// What a running session holds, so STOP can release all of it.
#[derive(Default)]
struct Session {
    /// Bumped by every START and STOP: a start that finishes after a
    /// newer START/STOP releases what it got.
    generation: u64,
    camera: Option<MediaStream>,
    /// The camera's video track, kept for restarts.
    track: Option<web_sys::MediaStreamTrack>,
    /// The clone of `track` the current worker's track processor reads
    /// (stopped with that worker, so a dead worker's processor holds no
    /// camera frames).
    worker_track: Option<web_sys::MediaStreamTrack>,
    generator: Option<JsValue>,
    worker: Option<Worker>,
    /// Whether the worker posted Ready (a failure after it is restarted;
    /// one before it, e.g. a wrong script URL, is not).
    ready: bool,
    /// Whether the worker got its Start message.
    started: bool,
    /// Whether the current worker reported a processed frame.
    worker_alive: bool,
    /// [`PATH_TRACK`] or [`PATH_FALLBACK`] once connected.
    path: &'static str,
    /// The fallback path's pieces, if it runs.
    fallback: Option<Fallback>,
    /// When the worker failed recently (`performance.now()`, ms).
    failures: Vec<f64>,
    /// `performance.now()` at START.
    started_at: f64,
    /// Whether the first processed frame was reported.
    first_frame_seen: bool,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>,
}

/// The fallback path: the camera plays in `video`; on each of its frames
/// (`requestVideoFrameCallback`) a `VideoFrame` of it goes to the worker
/// unless one is in flight (then the frame is not taken and counts as
/// dropped); processed frames are drawn into `canvas`, whose
/// `captureStream()` is the output.
struct Fallback {
    video: HtmlVideoElement,
    canvas: HtmlCanvasElement,
    context: JsValue,
    output: MediaStream,
    /// The `requestVideoFrameCallback` callback.
    on_frame: Closure<dyn FnMut(JsValue, JsValue)>,
    /// The pending `requestVideoFrameCallback` handle, cancelled on
    /// release (so the dropped callback is never called).
    pending: JsValue,
    /// A frame is with the worker.
    busy: bool,
    /// Camera frames seen since START.
    received: u64,
    /// Camera frames not sent because one was in flight.
    dropped: u64,
    /// When camera frames were seen, for the input rate.
    seen_at: Window,
}

impl Fallback {
    fn request_frame(&mut self) {
        match js::call(
            &self.video,
            "requestVideoFrameCallback",
            &[self.on_frame.as_ref().clone()],
        ) {
            Ok(handle) => self.pending = handle,
            Err(error) => {
                web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {error}")))
            }
        }
    }

    fn release(&self) {
        let _ = js::call(
            &self.video,
            "cancelVideoFrameCallback",
            std::slice::from_ref(&self.pending),
        );
        self.video.set_src_object(None);
        stop_tracks(&self.output);
    }
}

impl Session {
    /// Ends the worker and what feeds it (not the camera). Idempotent.
    fn release_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = post(&worker, &ToWorker::Stop, None);
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        if let Some(track) = self.generator.take() {
            let _ = js::call(&track, "stop", &[]);
        }
        if let Some(track) = self.worker_track.take() {
            track.stop();
        }
        if let Some(fallback) = &mut self.fallback {
            fallback.busy = false;
        }
        self.ready = false;
        self.started = false;
        self.worker_alive = false;
        self.on_message = None;
        self.on_error = None;
    }

    /// Ends the worker, stops every track. Idempotent.
    fn release(&mut self) {
        self.release_worker();
        if let Some(fallback) = self.fallback.take() {
            fallback.release();
        }
        if let Some(camera) = self.camera.take() {
            stop_tracks(&camera);
        }
        self.track = None;
        self.failures.clear();
        self.path = "";
    }
}

fn stop_tracks(stream: &MediaStream) {
    let tracks = stream.get_tracks();
    for track in tracks.iter() {
        if let Err(error) = js::call(&track, "stop", &[]) {
            web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {error}")));
        }
    }
}

/// Posts `message` to the worker with a `VideoFrame` to transfer in its
/// `frame` field.
fn post_frame(worker: &Worker, frame: &JsValue) -> Result<(), String> {
    let data = js::object(&[
        ("json", JsValue::from_str(&ToWorker::Frame.to_json())),
        ("frame", frame.clone()),
    ])?;
    worker
        .post_message_with_transfer(&data, &js_sys::Array::of1(frame))
        .map_err(|e| format!("sending a frame to the worker: {}", js::describe(&e)))
}

/// Posts `message` to the worker, with the streams to transfer if given.
fn post(
    worker: &Worker,
    message: &ToWorker,
    streams: Option<(&JsValue, &JsValue)>,
) -> Result<(), String> {
    let mut fields = vec![("json", JsValue::from_str(&message.to_json()))];
    if let Some((readable, writable)) = streams {
        fields.push(("readable", readable.clone()));
        fields.push(("writable", writable.clone()));
    }
    let data = js::object(&fields)?;
    match streams {
        Some((readable, writable)) => {
            let transfer = js_sys::Array::of2(readable, writable);
            worker.post_message_with_transfer(&data, &transfer)
        }
        None => worker.post_message(&data),
    }
    .map_err(|e| format!("sending to the worker: {}", js::describe(&e)))
}

/// Captures the camera, processes every frame in a worker with the named
/// processor, and shows the result. Nothing touches the camera before
/// START (or `playing: Some(true)`).
#[function_component]
pub fn Streamer(props: &StreamerProps) -> Html {
    let model = use_reducer(StreamerModel::default);
    let session = use_mut_ref(Session::default);
    let latest = use_mut_ref(|| props.clone());
    *latest.borrow_mut() = props.clone();
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let source_ref = use_node_ref();

    let context = Context {
        model: model.dispatcher(),
        session: session.clone(),
        props: latest.clone(),
        input: input_ref.clone(),
        output: output_ref.clone(),
        source: source_ref.clone(),
    };

    {
        let on_state = props.on_state.clone();
        use_effect_with(model.state.clone(), move |state| {
            on_state.emit(state.clone())
        });
    }
    {
        let on_stats = props.on_stats.clone();
        use_effect_with(model.stats.clone(), move |stats| {
            if let Some(stats) = stats {
                on_stats.emit(stats.clone());
            }
        });
    }
    {
        let context = context.clone();
        let active = model.is_active();
        use_effect_with(props.playing, move |playing| match playing {
            Some(true) if !active => context.start(),
            Some(false) => context.stop(),
            _ => {}
        });
    }
    {
        let session = session.clone();
        use_effect_with(
            (props.processor.clone(), props.params.clone()),
            move |(processor, params)| {
                let session = session.borrow();
                if let (Some(worker), true) = (&session.worker, session.started) {
                    let message = ToWorker::Configure {
                        processor: processor.to_string(),
                        params: params.clone(),
                    };
                    if let Err(error) = post(worker, &message, None) {
                        web_sys::console::warn_1(&JsValue::from_str(&error));
                    }
                }
            },
        );
    }
    {
        let session = session.clone();
        use_effect_with((), move |()| move || session.borrow_mut().release());
    }

    let onstart = {
        let context = context.clone();
        Callback::from(move |_: MouseEvent| context.start())
    };
    let onstop = {
        let context = context.clone();
        Callback::from(move |_: MouseEvent| context.stop())
    };
    let status = match &model.state {
        StreamerState::Idle => "stopped",
        StreamerState::Starting => "starting…",
        StreamerState::Playing => "live",
        StreamerState::Failed(_) => "failed",
    };
    let error = match &model.state {
        StreamerState::Failed(message) => Some(message.clone()),
        _ => model.warning.clone(),
    };
    let stats = match (&model.stats, props.show_stats) {
        (Some(s), true) => html! {
            <div class="fw-stats" aria-live="off">
                { for s.lines().into_iter().map(|line| html! { <div>{ line }</div> }) }
            </div>
        },
        _ => html! {},
    };
    let state_name = match &model.state {
        StreamerState::Idle => "idle",
        StreamerState::Starting => "starting",
        StreamerState::Playing => "playing",
        StreamerState::Failed(_) => "failed",
    };
    let path = model
        .stats
        .as_ref()
        .map(|s| s.path.clone())
        .unwrap_or_default();
    html! {
        <div class="fw-streamer" data-state={state_name} data-path={path}
             data-restarts={model.restarts.to_string()}>
            <div class="fw-bar">
                <button class="fw-start" onclick={onstart} disabled={model.is_active()}>{ "START" }</button>
                <button class="fw-stop" onclick={onstop} disabled={!model.is_active()}>{ "STOP" }</button>
                <span class="fw-status">{ status }</span>
            </div>
            <div class="fw-videos">
                if props.show_input {
                    <figure>
                        <video class="fw-input" ref={input_ref} autoplay=true muted=true playsinline=true />
                        <figcaption>{ "Camera" }</figcaption>
                    </figure>
                }
                <figure>
                    <div class="fw-output-box">
                        <video class="fw-output" ref={output_ref} autoplay=true muted=true playsinline=true />
                        { stats }
                    </div>
                    <figcaption>{ format!("Output · {}", props.processor) }</figcaption>
                </figure>
            </div>
            // The fallback path's camera player (when the raw camera is not
            // shown): in the page so that it plays and presents frames, but
            // not seen.
            <video class="fw-source" ref={source_ref} muted=true playsinline=true
                   aria-hidden="true"
                   style="position:absolute;width:2px;height:2px;opacity:0.01;pointer-events:none" />
            <p class="fw-error" role="alert" hidden={error.is_none()}>{ error.unwrap_or_default() }</p>
        </div>
    }
}

/// What START and STOP need.
#[derive(Clone)]
struct Context {
    model: UseReducerDispatcher<StreamerModel>,
    session: Rc<RefCell<Session>>,
    props: Rc<RefCell<StreamerProps>>,
    input: NodeRef,
    output: NodeRef,
    source: NodeRef,
}

impl Context {
    fn stop(&self) {
        {
            let mut session = self.session.borrow_mut();
            session.generation += 1;
            session.release();
        }
        for video in [&self.input, &self.output] {
            if let Some(video) = video.cast::<HtmlVideoElement>() {
                video.set_src_object(None);
            }
        }
        self.model.dispatch(StreamerAction::Stop);
    }

    fn fail(&self, message: String) {
        {
            let mut session = self.session.borrow_mut();
            session.generation += 1;
            session.release();
        }
        self.model.dispatch(StreamerAction::Fail(message));
    }

    fn start(&self) {
        let generation = {
            let mut session = self.session.borrow_mut();
            session.release();
            session.generation += 1;
            session.started_at = js::now_ms();
            session.first_frame_seen = false;
            session.generation
        };
        self.model.dispatch(StreamerAction::Start);
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = context.begin(generation).await {
                if context.session.borrow().generation == generation {
                    context.fail(message);
                }
            }
        });
    }

    /// START: camera, processor and generator, worker, output.
    async fn begin(&self, generation: u64) -> Result<(), String> {
        let window = web_sys::window().ok_or("no window")?;
        if !window.is_secure_context() {
            return Err(INSECURE_CONTEXT.into());
        }
        let devices = window
            .navigator()
            .media_devices()
            .map_err(|_| INSECURE_CONTEXT.to_owned())?;
        let (width, height, frame_rate) = {
            let props = self.props.borrow();
            (props.width, props.height, props.frame_rate)
        };
        let ideal = |v: JsValue| js::object(&[("ideal", v)]).map(JsValue::from);
        let video = js::object(&[
            ("width", ideal(width.into())?),
            ("height", ideal(height.into())?),
            ("frameRate", ideal(frame_rate.into())?),
        ])?;
        let constraints = js::object(&[("video", video.into()), ("audio", JsValue::FALSE)])?;
        let camera = match js::call(&devices, "getUserMedia", &[constraints.into()]) {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise))
                .await
                .map_err(|e| {
                    camera_error_message(js::error_name(&e).as_deref(), &js::describe(&e))
                })?,
            Err(error) => return Err(camera_error_message(None, &error)),
        };
        let camera: MediaStream = camera
            .dyn_into()
            .map_err(|_| "getUserMedia returned no MediaStream")?;
        if self.session.borrow().generation != generation {
            // STOP (or another START) came while the camera was opening.
            stop_tracks(&camera);
            return Ok(());
        }
        // Not `camera.clone()`: web-sys binds `MediaStream.clone()` under
        // that name, which would clone the tracks (and STOP would stop the
        // clones and leave the camera on).
        self.session.borrow_mut().camera = Some(Clone::clone(&camera));
        let track = camera
            .get_video_tracks()
            .get(0)
            .dyn_into::<web_sys::MediaStreamTrack>()
            .map_err(|_| "the camera stream has no video track")?;

        {
            let mut session = self.session.borrow_mut();
            session.track = Some(track);
        }
        if let Some(video) = self.input.cast::<HtmlVideoElement>() {
            video.set_src_object(Some(&camera));
            let _ = video.play();
        }
        self.spawn_worker()
    }

    /// Starts a worker; it is connected to the camera when it posts Ready.
    fn spawn_worker(&self) -> Result<(), String> {
        let url = self.props.borrow().worker_url.to_string();
        let worker = Worker::new(&url).map_err(|e| {
            format!(
                "could not start the processing worker {url}: {}",
                js::describe(&e)
            )
        })?;
        let on_message = {
            let context = self.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let text = js::get(&data, "json").ok().and_then(|v| v.as_string());
                match text.as_deref().and_then(FromWorker::parse) {
                    Some(message) => context.on_worker(message, &data),
                    None => context.model.dispatch(StreamerAction::Warn(
                        "the worker sent a message this page does not understand".into(),
                    )),
                }
            })
        };
        let on_error = {
            let context = self.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                let ready = context.session.borrow().ready;
                if ready {
                    context.worker_failed(format!("it crashed: {}", event.message()));
                } else {
                    context.fail(format!(
                        "The processing worker failed ({}). Check that {} is the worker script.",
                        event.message(),
                        context.props.borrow().worker_url
                    ));
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut session = self.session.borrow_mut();
        session.worker = Some(worker);
        session.on_message = Some(on_message);
        session.on_error = Some(on_error);
        Ok(())
    }

    /// The worker is ready: connect it to the camera, through a track
    /// processor and generator where the page has them, else the fallback.
    fn connect(&self) -> Result<(), String> {
        let (processor, params) = {
            let props = self.props.borrow();
            (props.processor.to_string(), props.params.clone())
        };
        let track = self
            .session
            .borrow()
            .track
            .clone()
            .ok_or("the camera was stopped")?;
        if !(js::has_global("MediaStreamTrackProcessor")
            && js::has_global("MediaStreamTrackGenerator"))
        {
            return self.connect_fallback(processor, params);
        }
        // A clone per worker: a restart stops it, which ends the old
        // processor without touching the camera.
        let worker_track = track.clone();
        self.session.borrow_mut().worker_track = Some(Clone::clone(&worker_track));
        let reader = js::construct(
            "MediaStreamTrackProcessor",
            &[js::object(&[
                ("track", worker_track.into()),
                ("maxBufferSize", CAMERA_QUEUE.into()),
            ])?
            .into()],
        )?;
        let generator = js::construct(
            "MediaStreamTrackGenerator",
            &[js::object(&[("kind", JsValue::from_str("video"))])?.into()],
        )?;
        self.session.borrow_mut().generator = Some(generator.clone());
        let readable = js::get(&reader, "readable")?;
        let writable = js::get(&generator, "writable")?;
        {
            let mut session = self.session.borrow_mut();
            let worker = session.worker.as_ref().ok_or("the worker is gone")?;
            post(
                worker,
                &ToWorker::Start { processor, params },
                Some((&readable, &writable)),
            )?;
            session.started = true;
            session.path = PATH_TRACK;
        }
        let output = MediaStream::new_with_tracks(&js_sys::Array::of1(&generator))
            .map_err(|e| format!("showing the output: {}", js::describe(&e)))?;
        if let Some(video) = self.output.cast::<HtmlVideoElement>() {
            video.set_src_object(Some(&output));
            let _ = video.play();
        }
        Ok(())
    }

    /// The fallback path (see [`Fallback`]): set up once per START, kept
    /// across worker restarts.
    fn connect_fallback(&self, processor: String, params: Value) -> Result<(), String> {
        if !js::has_global("VideoFrame") {
            return Err("This browser lacks WebCodecs VideoFrame (and \
                        MediaStreamTrackProcessor), which local processing needs: use a \
                        recent Chromium-based browser."
                .into());
        }
        let needs_setup = self.session.borrow().fallback.is_none();
        if needs_setup {
            let camera = self
                .session
                .borrow()
                .camera
                .clone()
                .ok_or("the camera was stopped")?;
            let video = self
                .input
                .cast::<HtmlVideoElement>()
                .or_else(|| self.source.cast::<HtmlVideoElement>())
                .ok_or("the Streamer is not on the page")?;
            let document = web_sys::window()
                .and_then(|w| w.document())
                .ok_or("no document")?;
            let canvas: HtmlCanvasElement = document
                .create_element("canvas")
                .map_err(|e| js::describe(&e))?
                .dyn_into()
                .map_err(|_| "no canvas element")?;
            let context = js::call(&canvas, "getContext", &[JsValue::from_str("2d")])?;
            let output: MediaStream = js::call(&canvas, "captureStream", &[])?
                .dyn_into()
                .map_err(|_| "canvas.captureStream returned no MediaStream")?;
            let on_frame = {
                let context = self.clone();
                Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_: JsValue, _: JsValue| {
                    context.on_camera_frame()
                })
            };
            video.set_src_object(Some(&camera));
            let _ = video.play();
            if let Some(out) = self.output.cast::<HtmlVideoElement>() {
                out.set_src_object(Some(&output));
                let _ = out.play();
            }
            let mut fallback = Fallback {
                video,
                canvas,
                context,
                output,
                on_frame,
                pending: JsValue::UNDEFINED,
                busy: false,
                received: 0,
                dropped: 0,
                seen_at: Window::new(WINDOW),
            };
            fallback.request_frame();
            self.session.borrow_mut().fallback = Some(fallback);
        }
        let mut session = self.session.borrow_mut();
        let worker = session.worker.as_ref().ok_or("the worker is gone")?;
        post(worker, &ToWorker::StartFrames { processor, params }, None)?;
        session.started = true;
        session.path = PATH_FALLBACK;
        Ok(())
    }

    /// Fallback path: a new camera frame is presented.
    fn on_camera_frame(&self) {
        let mut session = self.session.borrow_mut();
        let Session {
            fallback,
            worker,
            started,
            ..
        } = &mut *session;
        let Some(fallback) = fallback else { return };
        fallback.request_frame();
        let Some(worker) = worker.as_ref().filter(|_| *started) else {
            return;
        };
        fallback.received += 1;
        fallback.seen_at.push(js::now_ms());
        if fallback.busy {
            // Latest frame wins: the frame is not even taken.
            fallback.dropped += 1;
            return;
        }
        let sent =
            js::construct("VideoFrame", &[fallback.video.clone().into()]).and_then(|frame| {
                post_frame(worker, &frame).inspect_err(|_| {
                    let _ = js::call(&frame, "close", &[]);
                })
            });
        match sent {
            Ok(()) => fallback.busy = true,
            Err(error) => {
                fallback.dropped += 1;
                web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {error}")));
            }
        }
    }

    /// Fallback path: the worker's answer to one frame; draws it.
    fn on_processed(&self, data: &JsValue) {
        let frame = js::get(data, "frame").unwrap_or(JsValue::UNDEFINED);
        let mut session = self.session.borrow_mut();
        let drawn = match &mut session.fallback {
            Some(fallback) if !frame.is_undefined() => {
                fallback.busy = false;
                let width = js::get_f64(&frame, "displayWidth").unwrap_or(0.0) as u32;
                let height = js::get_f64(&frame, "displayHeight").unwrap_or(0.0) as u32;
                if width > 0 && height > 0 {
                    if fallback.canvas.width() != width || fallback.canvas.height() != height {
                        fallback.canvas.set_width(width);
                        fallback.canvas.set_height(height);
                    }
                    js::call(
                        &fallback.context,
                        "drawImage",
                        &[frame.clone(), 0.into(), 0.into()],
                    )
                    .map(|_| ())
                } else {
                    Ok(())
                }
            }
            Some(fallback) => {
                fallback.busy = false;
                Ok(())
            }
            None => Ok(()),
        };
        if !frame.is_undefined() {
            let _ = js::call(&frame, "close", &[]);
        }
        if let Err(error) = drawn {
            web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {error}")));
        }
    }

    /// The worker crashed or stopped with an error: restart it, unless it
    /// failed [`MAX_FAILURES`] times within [`FAILURE_WINDOW_MS`].
    fn worker_failed(&self, reason: String) {
        let count = {
            let mut session = self.session.borrow_mut();
            let now = js::now_ms();
            let count = record_failure(&mut session.failures, now);
            session.release_worker();
            count
        };
        if count >= MAX_FAILURES {
            self.fail(format!(
                "Processing stopped: the processing worker failed {count} times within {} s. \
                 Last failure: {reason}",
                FAILURE_WINDOW_MS / 1000.0
            ));
            return;
        }
        self.model.dispatch(StreamerAction::Restart(format!(
            "The processing worker failed ({reason}); restarted it ({count} of {MAX_FAILURES} \
             failures allowed within {} s).",
            FAILURE_WINDOW_MS / 1000.0
        )));
        if let Err(error) = self.spawn_worker() {
            self.fail(error);
        }
    }

    fn on_worker(&self, message: FromWorker, data: &JsValue) {
        match message {
            FromWorker::Ready => {
                let fresh = {
                    let mut session = self.session.borrow_mut();
                    let fresh = !session.ready;
                    session.ready = true;
                    fresh
                };
                if fresh {
                    if let Err(error) = self.connect() {
                        self.fail(error);
                    }
                }
            }
            FromWorker::Processed => self.on_processed(data),
            FromWorker::Stats(mut worker) => {
                let (first_frame_ms, path) = {
                    let mut session = self.session.borrow_mut();
                    session.worker_alive = true;
                    if let Some(fallback) = &session.fallback {
                        // The page sees the camera frames on this path.
                        worker.received = fallback.received;
                        worker.dropped = fallback.dropped;
                        worker.input_fps = fallback.seen_at.rate(1e3);
                    }
                    let first = (!session.first_frame_seen && worker.frames > 0)
                        .then(|| js::now_ms() - session.started_at);
                    session.first_frame_seen |= first.is_some();
                    (first, session.path)
                };
                self.model.dispatch(StreamerAction::Stats(StreamStats {
                    worker,
                    first_frame_ms,
                    runs_at: RUNS_LOCAL.into(),
                    path: path.into(),
                }));
            }
            FromWorker::Results { results } => {
                let on_result = self.props.borrow().on_result.clone();
                for result in results {
                    on_result.emit(result);
                }
            }
            // Before any frame: a configuration problem a restart won't fix.
            FromWorker::Error {
                message,
                fatal: true,
            } if !self.session.borrow().worker_alive => self.fail(message),
            FromWorker::Error {
                message,
                fatal: true,
            } => self.worker_failed(message),
            FromWorker::Error {
                message,
                fatal: false,
            } => {
                self.model.dispatch(StreamerAction::Warn(message));
            }
            FromWorker::Stopped => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WorkerStats;

    fn reduce(model: StreamerModel, action: StreamerAction) -> StreamerModel {
        (*Rc::new(model).reduce(action)).clone()
    }

    #[test]
    fn start_stats_stop() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        assert_eq!(model.state, StreamerState::Starting);
        assert!(model.is_active());
        let stats = StreamStats {
            worker: WorkerStats {
                frames: 1,
                ..WorkerStats::default()
            },
            first_frame_ms: Some(120.0),
            runs_at: RUNS_LOCAL.into(),
            path: PATH_TRACK.into(),
        };
        let model = reduce(model, StreamerAction::Stats(stats.clone()));
        assert_eq!(model.state, StreamerState::Playing);
        assert_eq!(model.stats, Some(stats.clone()));
        // Later stats keep the first frame's time.
        let later = StreamStats {
            first_frame_ms: None,
            ..stats.clone()
        };
        let model = reduce(model, StreamerAction::Stats(later));
        assert_eq!(
            model.stats.as_ref().and_then(|s| s.first_frame_ms),
            Some(120.0)
        );
        let model = reduce(model, StreamerAction::Stop);
        assert_eq!(model.state, StreamerState::Idle);
        // Late stats after STOP don't restart anything.
        let late = reduce(model.clone(), StreamerAction::Stats(stats));
        assert_eq!(late, model);
    }

    #[test]
    fn a_failure_is_kept_until_the_next_start() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        let model = reduce(model, StreamerAction::Warn("bad param".into()));
        assert_eq!(model.warning.as_deref(), Some("bad param"));
        let model = reduce(model, StreamerAction::Fail("denied".into()));
        assert_eq!(model.state, StreamerState::Failed("denied".into()));
        assert!(!model.is_active());
        let model = reduce(model, StreamerAction::Start);
        assert_eq!(
            (model.state, model.warning),
            (StreamerState::Starting, None)
        );
    }

    #[test]
    fn a_restart_goes_back_to_starting_and_is_counted() {
        let model = reduce(StreamerModel::default(), StreamerAction::Start);
        let model = reduce(model, StreamerAction::Restart("crashed".into()));
        assert_eq!(model.state, StreamerState::Starting);
        assert_eq!(
            (model.restarts, model.warning.as_deref()),
            (1, Some("crashed"))
        );
        // Not after STOP.
        let stopped = reduce(model, StreamerAction::Stop);
        let late = reduce(stopped.clone(), StreamerAction::Restart("late".into()));
        assert_eq!(late, stopped);
        // A new START forgets the restarts.
        assert_eq!(reduce(late, StreamerAction::Start).restarts, 0);
    }

    #[test]
    fn failures_count_within_the_window() {
        let mut failures = Vec::new();
        assert_eq!(record_failure(&mut failures, 0.0), 1);
        assert_eq!(record_failure(&mut failures, 4_000.0), 2);
        assert_eq!(record_failure(&mut failures, 9_999.0), 3);
        // The first one is 10 s old now.
        assert_eq!(record_failure(&mut failures, 10_000.0), 3);
        assert_eq!(record_failure(&mut failures, 30_000.0), 1);
    }

    #[test]
    fn camera_errors_say_what_to_do() {
        assert!(
            camera_error_message(Some("NotAllowedError"), "x").contains("permission was denied")
        );
        assert!(camera_error_message(Some("NotFoundError"), "x").contains("No camera"));
        assert!(camera_error_message(Some("NotReadableError"), "x").contains("busy"));
        let over = camera_error_message(Some("OverconstrainedError"), "width");
        assert!(over.contains("resolution") && over.contains("width"));
        assert!(camera_error_message(None, "boom").ends_with("boom"));
    }
}
