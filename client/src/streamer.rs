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
use web_sys::{HtmlVideoElement, MediaStream, MessageEvent, Worker};
use yew::prelude::*;

use crate::js;
use crate::protocol::{FromWorker, ToWorker};
use crate::stats::{StreamStats, RUNS_LOCAL};

/// The track processor's queue (`maxBufferSize`): frames that arrive
/// while the worker processes one wait here (bounded) until its reader
/// drains them; see [`worker`](crate::worker) for the latest-frame-wins
/// rule.
pub const CAMERA_QUEUE: u32 = 3;

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
    generator: Option<JsValue>,
    worker: Option<Worker>,
    /// Whether the worker got its Start message.
    started: bool,
    /// `performance.now()` at START.
    started_at: f64,
    /// Whether the first processed frame was reported.
    first_frame_seen: bool,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>,
}

impl Session {
    /// Ends the worker, stops every track. Idempotent.
    fn release(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = post(&worker, &ToWorker::Stop, None);
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        if let Some(camera) = self.camera.take() {
            stop_tracks(&camera);
        }
        if let Some(track) = self.generator.take() {
            let _ = js::call(&track, "stop", &[]);
        }
        self.started = false;
        self.on_message = None;
        self.on_error = None;
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

    let context = Context {
        model: model.dispatcher(),
        session: session.clone(),
        props: latest.clone(),
        input: input_ref.clone(),
        output: output_ref.clone(),
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
    html! {
        <div class="fw-streamer" data-state={state_name}>
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
        if !js::has_global("MediaStreamTrackProcessor")
            || !js::has_global("MediaStreamTrackGenerator")
        {
            return Err(
                "This browser lacks MediaStreamTrackProcessor/MediaStreamTrackGenerator, \
                        which local processing needs for now: use a Chromium-based browser."
                    .into(),
            );
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

        let processor = js::construct(
            "MediaStreamTrackProcessor",
            &[js::object(&[
                ("track", track.into()),
                ("maxBufferSize", CAMERA_QUEUE.into()),
            ])?
            .into()],
        )?;
        let generator = js::construct(
            "MediaStreamTrackGenerator",
            &[js::object(&[("kind", JsValue::from_str("video"))])?.into()],
        )?;
        self.session.borrow_mut().generator = Some(generator.clone());
        let readable = js::get(&processor, "readable")?;
        let writable = js::get(&generator, "writable")?;

        let url = self.props.borrow().worker_url.to_string();
        let worker = Worker::new(&url).map_err(|e| {
            format!(
                "could not start the processing worker {url}: {}",
                js::describe(&e)
            )
        })?;
        let streams = RefCell::new(Some((readable, writable)));
        let on_message = {
            let context = self.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let text = js::get(&event.data(), "json")
                    .ok()
                    .and_then(|v| v.as_string());
                match text.as_deref().and_then(FromWorker::parse) {
                    Some(message) => context.on_worker(message, &streams),
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
                context.fail(format!(
                    "The processing worker failed ({}). Check that {} is the worker script.",
                    event.message(),
                    context.props.borrow().worker_url
                ));
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        {
            let mut session = self.session.borrow_mut();
            session.worker = Some(worker);
            session.on_message = Some(on_message);
            session.on_error = Some(on_error);
        }

        let tracks = js_sys::Array::of1(&generator);
        let output = MediaStream::new_with_tracks(&tracks)
            .map_err(|e| format!("showing the output: {}", js::describe(&e)))?;
        if let Some(video) = self.output.cast::<HtmlVideoElement>() {
            video.set_src_object(Some(&output));
            let _ = video.play();
        }
        if let Some(video) = self.input.cast::<HtmlVideoElement>() {
            video.set_src_object(Some(&camera));
            let _ = video.play();
        }
        Ok(())
    }

    fn on_worker(&self, message: FromWorker, streams: &RefCell<Option<(JsValue, JsValue)>>) {
        match message {
            FromWorker::Ready => {
                let Some((readable, writable)) = streams.borrow_mut().take() else {
                    return;
                };
                let start = {
                    let props = self.props.borrow();
                    ToWorker::Start {
                        processor: props.processor.to_string(),
                        params: props.params.clone(),
                    }
                };
                let sent = {
                    let mut session = self.session.borrow_mut();
                    let sent = session
                        .worker
                        .as_ref()
                        .map(|worker| post(worker, &start, Some((&readable, &writable))));
                    session.started = matches!(sent, Some(Ok(())));
                    sent
                };
                if let Some(Err(error)) = sent {
                    self.fail(error);
                }
            }
            FromWorker::Stats(worker) => {
                let first_frame_ms = {
                    let mut session = self.session.borrow_mut();
                    let first = (!session.first_frame_seen && worker.frames > 0)
                        .then(|| js::now_ms() - session.started_at);
                    session.first_frame_seen |= first.is_some();
                    first
                };
                self.model.dispatch(StreamerAction::Stats(StreamStats {
                    worker,
                    first_frame_ms,
                    runs_at: RUNS_LOCAL.into(),
                }));
            }
            FromWorker::Results { results } => {
                let on_result = self.props.borrow().on_result.clone();
                for result in results {
                    on_result.emit(result);
                }
            }
            FromWorker::Error {
                message,
                fatal: true,
            } => self.fail(message),
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
