//! What runs between START and STOP: the camera and microphone, the
//! processing worker, the track processor and generator (or the fallback)
//! and the output stream; device switches while running.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    HtmlCanvasElement, HtmlVideoElement, MediaStream, MediaStreamTrack, MessageEvent, Worker,
};
use yew::prelude::*;

use super::devices::{self, DeviceKind};
use super::model::{record_failure, StreamerAction, StreamerModel};
use super::model::{FAILURE_WINDOW_MS, MAX_FAILURES};
use super::placement::AutoPolicy;
use super::remote::Remote;
use super::{StreamerProps, CAMERA_QUEUE};
use crate::js;
use crate::protocol::{FromWorker, ToWorker};
use crate::stats::{StreamStats, Window, PATH_FALLBACK, PATH_TRACK, RUNS_LOCAL, WINDOW};

/// How long a new worker may take to load and say Ready, in ms.
pub const WORKER_START_MS: i32 = 10_000;

/// What a running session holds, so STOP can release all of it.
#[derive(Default)]
pub(super) struct Session {
    /// Bumped by every START and STOP: a start that finishes after a
    /// newer START/STOP releases what it got.
    pub(super) generation: u64,
    /// The chosen camera and microphone (device ids; `None`: default).
    pub(super) camera_choice: Option<String>,
    pub(super) microphone_choice: Option<String>,
    /// What `getUserMedia` gave: the camera track and, with audio on, the
    /// microphone track (a device switch swaps them).
    camera: Option<MediaStream>,
    /// The camera's video track, kept for restarts and switches.
    pub(super) track: Option<MediaStreamTrack>,
    /// The microphone's track, passed through to the output unprocessed.
    audio: Option<MediaStreamTrack>,
    /// The clone of `track` the current worker's track processor reads
    /// (stopped with that worker or on a switch, so a dead reader holds no
    /// camera frames).
    worker_track: Option<MediaStreamTrack>,
    /// The output track made on the page (`MediaStreamTrackGenerator`) or
    /// by the worker (`VideoTrackGenerator`).
    generator: Option<JsValue>,
    /// What the output `<video>` plays: processed video plus the
    /// microphone.
    output: Option<MediaStream>,
    worker: Option<Worker>,
    /// Whether the worker posted Ready (a failure after it is restarted;
    /// one before it, e.g. a wrong script URL, is not).
    ready: bool,
    /// Whether the worker makes its own output track.
    worker_generator: bool,
    /// Whether the worker got its Start message.
    pub(super) started: bool,
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
    /// The remote session, when frames go to a server.
    pub(super) remote: Option<Rc<RefCell<Remote>>>,
    /// A remote session is being opened.
    pub(super) remote_pending: bool,
    /// The output shows the server's video.
    pub(super) runs_remote: bool,
    /// Why processing runs where it runs (for the overlay).
    pub(super) reason: String,
    /// When Auto moves.
    pub(super) auto: AutoPolicy,
    /// The camera's frame rate as it reports it (the frame budget's base:
    /// under load the worker sees fewer frames than the camera sends).
    pub(super) camera_fps: Option<f64>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
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
            Err(error) => warn(&error),
        }
    }

    fn cancel_frame(&self) {
        let _ = js::call(
            &self.video,
            "cancelVideoFrameCallback",
            std::slice::from_ref(&self.pending),
        );
    }

    fn release(&self) {
        self.cancel_frame();
        self.video.set_src_object(None);
    }
}

impl Session {
    /// The time from START to the first processed frame, once: `Some` the
    /// first time `frames` is above zero.
    pub(super) fn first_frame(&mut self, frames: u64) -> Option<f64> {
        let first = (!self.first_frame_seen && frames > 0).then(|| js::now_ms() - self.started_at);
        self.first_frame_seen |= first.is_some();
        first
    }

    /// Ends the worker and what feeds it (not the camera). Idempotent.
    pub(super) fn release_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = post(&worker, &ToWorker::Stop, &[]);
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
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

    /// The running worker, if any.
    pub(super) fn worker(&self) -> Option<&Worker> {
        self.worker.as_ref()
    }

    /// Stops the worker's frame loop but keeps the worker, loaded and
    /// ready, for a move back from remote (its script may not be
    /// reachable then: the server that served it may be the one lost).
    pub(super) fn pause_worker(&mut self) {
        if let Some(worker) = &self.worker {
            let _ = post(worker, &ToWorker::Stop, &[]);
        }
        if let Some(track) = self.worker_track.take() {
            track.stop();
        }
        self.started = false;
    }

    /// Whether a loaded worker waits to be connected again.
    pub(super) fn worker_paused(&self) -> bool {
        self.worker.is_some() && self.ready && !self.started
    }

    /// Ends the worker, stops every track. Idempotent.
    pub(super) fn release(&mut self) {
        self.release_worker();
        if let Some(remote) = self.remote.take() {
            remote.borrow_mut().close();
        }
        self.remote_pending = false;
        self.runs_remote = false;
        self.auto = AutoPolicy::default();
        if let Some(track) = self.generator.take() {
            let _ = js::call(&track, "stop", &[]);
        }
        if let Some(fallback) = self.fallback.take() {
            fallback.release();
        }
        for stream in [self.output.take(), self.camera.take()]
            .into_iter()
            .flatten()
        {
            stop_tracks(&stream);
        }
        self.track = None;
        self.audio = None;
        self.failures.clear();
        self.path = "";
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {message}")));
}

fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Err(error) = js::call(&track, "stop", &[]) {
            warn(&error);
        }
    }
}

/// Posts `message` to the worker with `extra` fields (streams, a frame)
/// next to its JSON, transferring them.
pub(super) fn post(
    worker: &Worker,
    message: &ToWorker,
    extra: &[(&str, JsValue)],
) -> Result<(), String> {
    let mut fields = vec![("json", JsValue::from_str(&message.to_json()))];
    fields.extend(extra.iter().cloned());
    let data = js::object(&fields)?;
    let transfer: js_sys::Array = extra.iter().map(|(_, value)| value.clone()).collect();
    worker
        .post_message_with_transfer(&data, &transfer)
        .map_err(|e| format!("sending to the worker: {}", js::describe(&e)))
}

/// What START, STOP and device switches need.
#[derive(Clone)]
pub(super) struct Context {
    pub(super) model: UseReducerDispatcher<StreamerModel>,
    pub(super) session: Rc<RefCell<Session>>,
    pub(super) props: Rc<RefCell<StreamerProps>>,
    /// The params the processor runs with (the props' or the controls').
    pub(super) params: Rc<RefCell<Value>>,
    pub(super) input: NodeRef,
    pub(super) output: NodeRef,
    pub(super) source: NodeRef,
}

impl Context {
    pub(super) fn stop(&self) {
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

    pub(super) fn fail(&self, message: String) {
        {
            let mut session = self.session.borrow_mut();
            session.generation += 1;
            session.release();
        }
        self.model.dispatch(StreamerAction::Fail(message));
    }

    pub(super) fn start(&self) {
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

    /// `navigator.mediaDevices`, or the message for a page without it.
    fn media_devices(&self) -> Result<JsValue, String> {
        let insecure = || self.props.borrow().text.insecure_context.clone();
        let window = web_sys::window().ok_or("no window")?;
        if !window.is_secure_context() {
            return Err(insecure());
        }
        window
            .navigator()
            .media_devices()
            .map(JsValue::from)
            .map_err(|_| insecure())
    }

    /// The `video` constraints: size, rate, facing mode and the chosen
    /// camera (`exact` when switching).
    fn video_constraints(&self, device: Option<&str>, exact: bool) -> Result<JsValue, String> {
        let props = self.props.borrow();
        let ideal = |v: JsValue| js::object(&[("ideal", v)]).map(JsValue::from);
        let mut fields = vec![
            ("width", ideal(props.width.into())?),
            ("height", ideal(props.height.into())?),
            ("frameRate", ideal(props.frame_rate.into())?),
        ];
        match (device, props.facing_mode) {
            (Some(id), _) => fields.push(("deviceId", devices::device_constraint(id, exact)?)),
            (None, Some(facing)) => fields.push(("facingMode", ideal(facing.as_str().into())?)),
            (None, None) => {}
        }
        js::object(&fields).map(JsValue::from)
    }

    /// The `audio` constraints: `false` with audio off, else the chosen
    /// microphone (or any).
    fn audio_constraints(&self, device: Option<&str>, exact: bool) -> Result<JsValue, String> {
        if !self.props.borrow().audio {
            return Ok(JsValue::FALSE);
        }
        match device {
            Some(id) => js::object(&[("deviceId", devices::device_constraint(id, exact)?)])
                .map(JsValue::from),
            None => Ok(JsValue::TRUE),
        }
    }

    /// `getUserMedia(constraints)`, its errors as messages a person can act
    /// on.
    async fn get_user_media(&self, video: JsValue, audio: JsValue) -> Result<MediaStream, String> {
        let media_devices = self.media_devices()?;
        let constraints = js::object(&[("video", video), ("audio", audio)])?;
        let text = self.props.borrow().text.clone();
        let stream = match js::call(&media_devices, "getUserMedia", &[constraints.into()]) {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise))
                .await
                .map_err(|e| text.camera_error(js::error_name(&e).as_deref(), &js::describe(&e)))?,
            Err(error) => return Err(text.camera_error(None, &error)),
        };
        stream
            .dyn_into()
            .map_err(|_| "getUserMedia returned no MediaStream".into())
    }

    /// Lists the cameras and microphones (after START, with labels) and
    /// forgets a remembered device that is gone.
    pub(super) fn refresh_devices(&self) {
        let Ok(media_devices) = self.media_devices() else {
            return;
        };
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match devices::list(&media_devices).await {
                Ok(list) => {
                    for kind in [DeviceKind::Camera, DeviceKind::Microphone] {
                        let chosen = context.choice(kind);
                        let kept = devices::remembered(chosen.as_deref(), &list, kind);
                        if kept != chosen {
                            context.set_choice(kind, kept);
                        }
                    }
                    context.model.dispatch(StreamerAction::Devices(list));
                }
                Err(error) => warn(&error),
            }
        });
    }

    fn choice(&self, kind: DeviceKind) -> Option<String> {
        let session = self.session.borrow();
        match kind {
            DeviceKind::Camera => session.camera_choice.clone(),
            DeviceKind::Microphone => session.microphone_choice.clone(),
        }
    }

    /// Records a choice (for the next START and the picker), without
    /// switching.
    pub(super) fn set_choice(&self, kind: DeviceKind, id: Option<String>) {
        {
            let mut session = self.session.borrow_mut();
            match kind {
                DeviceKind::Camera => session.camera_choice = id.clone(),
                DeviceKind::Microphone => session.microphone_choice = id.clone(),
            }
        }
        self.model.dispatch(StreamerAction::Select(kind, id));
    }

    /// The user picked a device: remember it and, while running, switch to
    /// it without restarting anything else.
    pub(super) fn select(&self, kind: DeviceKind, id: Option<String>) {
        if self.choice(kind) == id {
            return;
        }
        devices::save(&self.props.borrow().id, kind, id.as_deref());
        self.set_choice(kind, id.clone());
        let (running, generation) = {
            let session = self.session.borrow();
            (session.camera.is_some(), session.generation)
        };
        if !running {
            return;
        }
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = context.switch(kind, id, generation).await {
                context.model.dispatch(StreamerAction::Warn(message));
            }
        });
    }

    /// Opens the chosen device and puts its track where the old one was:
    /// the camera into the track processor (or the fallback's player), the
    /// microphone into the output stream. The worker and the output go on.
    async fn switch(
        &self,
        kind: DeviceKind,
        id: Option<String>,
        generation: u64,
    ) -> Result<(), String> {
        let (video, audio) = match kind {
            DeviceKind::Camera => (self.video_constraints(id.as_deref(), true)?, JsValue::FALSE),
            DeviceKind::Microphone => {
                (JsValue::FALSE, self.audio_constraints(id.as_deref(), true)?)
            }
        };
        if audio.is_falsy() && kind == DeviceKind::Microphone {
            return Ok(());
        }
        let stream = self.get_user_media(video, audio).await?;
        let new_track = first_track(&stream, kind)?;
        if self.session.borrow().generation != generation {
            stop_tracks(&stream);
            return Ok(());
        }
        let old = {
            let mut session = self.session.borrow_mut();
            let slot = match kind {
                DeviceKind::Camera => &mut session.track,
                DeviceKind::Microphone => &mut session.audio,
            };
            slot.replace(Clone::clone(&new_track))
        };
        {
            // The camera stream holds both tracks; the output only the
            // microphone's (its video is the processed one).
            let session = self.session.borrow();
            let output = session
                .output
                .as_ref()
                .filter(|_| kind == DeviceKind::Microphone);
            for stream in [session.camera.as_ref(), output].into_iter().flatten() {
                if let Some(old) = &old {
                    stream.remove_track(old);
                }
                stream.add_track(&new_track);
            }
        }
        if let Some(old) = old {
            old.stop();
        }
        if kind == DeviceKind::Camera {
            self.feed_worker(&new_track)?;
            if let Some(video) = self.input.cast::<HtmlVideoElement>() {
                let camera = self.session.borrow().camera.clone();
                video.set_src_object(camera.as_ref());
                let _ = video.play();
            }
        }
        self.refresh_devices();
        Ok(())
    }

    /// After a camera switch: the running worker reads the new track (or
    /// the fallback's player shows it).
    fn feed_worker(&self, track: &MediaStreamTrack) -> Result<(), String> {
        let mut session = self.session.borrow_mut();
        let camera = session.camera.clone();
        if let Some(fallback) = &mut session.fallback {
            fallback.cancel_frame();
            fallback.video.set_src_object(camera.as_ref());
            let _ = fallback.video.play();
            fallback.request_frame();
            return Ok(());
        }
        if !session.started {
            // Not connected yet: `connect` takes the new track.
            return Ok(());
        }
        let worker_track = track.clone();
        let readable = track_reader(&worker_track)?;
        let worker = session.worker.as_ref().ok_or("the worker is gone")?;
        post(worker, &ToWorker::Source, &[("readable", readable)])?;
        if let Some(old) = session.worker_track.replace(worker_track) {
            old.stop();
        }
        Ok(())
    }

    /// START: camera (and microphone), then the worker.
    async fn begin(&self, generation: u64) -> Result<(), String> {
        let (camera_choice, microphone_choice) = {
            let session = self.session.borrow();
            (
                session.camera_choice.clone(),
                session.microphone_choice.clone(),
            )
        };
        let video = self.video_constraints(camera_choice.as_deref(), false)?;
        let audio = self.audio_constraints(microphone_choice.as_deref(), false)?;
        let camera = self.get_user_media(video, audio).await?;
        if self.session.borrow().generation != generation {
            // STOP (or another START) came while the camera was opening.
            stop_tracks(&camera);
            return Ok(());
        }
        let track = first_track(&camera, DeviceKind::Camera);
        let audio = first_track(&camera, DeviceKind::Microphone).ok();
        {
            // Not `camera.clone()`: web-sys binds `MediaStream.clone()`
            // under that name, which would clone the tracks (and STOP would
            // stop the clones and leave the camera on).
            let mut session = self.session.borrow_mut();
            let track = track?;
            session.camera_fps = js::call(&track, "getSettings", &[])
                .and_then(|settings| js::get_f64(&settings, "frameRate"))
                .ok()
                .filter(|fps| *fps > 0.0);
            session.camera = Some(Clone::clone(&camera));
            session.track = Some(track);
            session.audio = audio;
        }
        self.show_input();
        self.refresh_devices();
        self.place()
    }

    /// Plays the open camera in the input view, when the view is shown
    /// (at START, and whenever `show_input` turns it on).
    pub(super) fn show_input(&self) {
        let camera = self.session.borrow().camera.clone();
        if let (Some(camera), Some(video)) = (camera, self.input.cast::<HtmlVideoElement>()) {
            video.set_src_object(Some(&camera));
            let _ = video.play();
        }
    }

    /// Starts a worker; it is connected to the camera when it posts Ready.
    pub(super) fn spawn_worker(&self) -> Result<(), String> {
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
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                // An `ErrorEvent` for an exception; a plain `Event` when the
                // script did not load.
                let message = js::get(&event, "message")
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "its script did not load".into());
                let ready = context.session.borrow().ready;
                if ready {
                    context.worker_failed(format!("it crashed: {message}"));
                } else {
                    context.fail(format!(
                        "The processing worker failed ({message}). Check that {} is the worker \
                         script.",
                        context.props.borrow().worker_url
                    ));
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        {
            let mut session = self.session.borrow_mut();
            session.worker = Some(worker.clone());
            session.on_message = Some(on_message);
            session.on_error = Some(on_error);
        }
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            js::sleep_ms(WORKER_START_MS).await;
            context.check_started(&worker, &url);
        });
        Ok(())
    }

    /// [`WORKER_START_MS`] after `worker` was made: if it is still the
    /// current worker and has not said Ready, it will not (a script or
    /// wasm that did not load fails inside the worker, where the page
    /// cannot see it): stop with a message.
    fn check_started(&self, worker: &Worker, url: &str) {
        let stuck = {
            let session = self.session.borrow();
            session.worker.as_ref() == Some(worker) && !session.ready
        };
        if stuck {
            self.fail(format!(
                "The processing worker did not start within {} s. Check that {url} is the \
                 worker script and that it and its wasm load (the browser console says why \
                 not).",
                WORKER_START_MS / 1000
            ));
        }
    }

    /// The worker is ready: connect it to the camera, through a track
    /// processor and a generator (the worker's own `VideoTrackGenerator`
    /// where it has one, else `MediaStreamTrackGenerator` on the page)
    /// where the browser has them, else the fallback.
    pub(super) fn connect(&self) -> Result<(), String> {
        let processor = self.props.borrow().processor.to_string();
        let params = self.params.borrow().clone();
        let (track, worker_generator) = {
            let session = self.session.borrow();
            let track = session.track.clone().ok_or("the camera was stopped")?;
            (track, session.worker_generator)
        };
        let has_reader = js::has_global("MediaStreamTrackProcessor");
        if !(has_reader && (worker_generator || js::has_global("MediaStreamTrackGenerator"))) {
            return self.connect_fallback(processor, params);
        }
        // A clone per worker: a restart stops it, which ends the old
        // processor without touching the camera.
        let worker_track = track.clone();
        self.session.borrow_mut().worker_track = Some(Clone::clone(&worker_track));
        let mut streams = vec![("readable", track_reader(&worker_track)?)];
        let generator = if worker_generator {
            None
        } else {
            let generator = js::construct(
                "MediaStreamTrackGenerator",
                &[js::object(&[("kind", JsValue::from_str("video"))])?.into()],
            )?;
            streams.push(("writable", js::get(&generator, "writable")?));
            Some(generator)
        };
        {
            let mut session = self.session.borrow_mut();
            let worker = session.worker.as_ref().ok_or("the worker is gone")?;
            post(worker, &ToWorker::Start { processor, params }, &streams)?;
            session.started = true;
            session.path = PATH_TRACK;
        }
        match generator {
            Some(generator) => self.show_output(generator),
            // The track comes in FromWorker::Output.
            None => Ok(()),
        }
    }

    /// Plays `video_track` (the processed video) and the microphone, if
    /// on, in the output `<video>`. A restarted worker's new track replaces
    /// the old one.
    pub(super) fn show_output(&self, video_track: JsValue) -> Result<(), String> {
        let output = {
            let mut session = self.session.borrow_mut();
            if let Some(old) = session.generator.replace(video_track.clone()) {
                let _ = js::call(&old, "stop", &[]);
            }
            let tracks = js_sys::Array::of1(&video_track);
            if let Some(audio) = &session.audio {
                tracks.push(audio);
            }
            let output = MediaStream::new_with_tracks(&tracks)
                .map_err(|e| format!("showing the output: {}", js::describe(&e)))?;
            session.output = Some(Clone::clone(&output));
            output
        };
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
            // Its own player, not the input view, which the app may hide
            // or show at any time.
            let video = self
                .source
                .cast::<HtmlVideoElement>()
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
            let mut fallback = Fallback {
                video,
                canvas,
                context,
                on_frame,
                pending: JsValue::UNDEFINED,
                busy: false,
                received: 0,
                dropped: 0,
                seen_at: Window::new(WINDOW),
            };
            fallback.request_frame();
            self.session.borrow_mut().fallback = Some(fallback);
            self.show_output(output.get_video_tracks().get(0))?;
        }
        let mut session = self.session.borrow_mut();
        let worker = session.worker.as_ref().ok_or("the worker is gone")?;
        post(worker, &ToWorker::StartFrames { processor, params }, &[])?;
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
                post(worker, &ToWorker::Frame, &[("frame", frame.clone())]).inspect_err(|_| {
                    let _ = js::call(&frame, "close", &[]);
                })
            });
        match sent {
            Ok(()) => fallback.busy = true,
            Err(error) => {
                fallback.dropped += 1;
                warn(&error);
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
            warn(&error);
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
            FromWorker::Ready {
                video_track_generator,
            } => {
                let fresh = {
                    let mut session = self.session.borrow_mut();
                    let fresh = !session.ready;
                    session.ready = true;
                    session.worker_generator = video_track_generator;
                    fresh
                };
                if fresh {
                    if let Err(error) = self.connect() {
                        self.fail(error);
                    }
                }
            }
            FromWorker::Output => {
                let track = js::get(data, "track").unwrap_or(JsValue::UNDEFINED);
                let shown = match track.is_undefined() {
                    true => Err("the worker sent no output track".into()),
                    false => self.show_output(track),
                };
                if let Err(error) = shown {
                    self.fail(error);
                }
            }
            FromWorker::Processed => self.on_processed(data),
            FromWorker::Stats(mut worker) => {
                let (first_frame_ms, path, reason, remote, camera_fps) = {
                    let mut session = self.session.borrow_mut();
                    session.worker_alive = true;
                    if let Some(fallback) = &session.fallback {
                        // The page sees the camera frames on this path.
                        worker.received = fallback.received;
                        worker.dropped = fallback.dropped;
                        worker.input_fps = fallback.seen_at.rate(1e3);
                    }
                    let first = session.first_frame(worker.frames);
                    (
                        first,
                        session.path,
                        session.reason.clone(),
                        session.runs_remote,
                        session.camera_fps,
                    )
                };
                if remote {
                    // The output is the server's already.
                    return;
                }
                self.check_auto(
                    worker.process_ms_p95,
                    camera_fps.unwrap_or(worker.input_fps),
                );
                self.model
                    .dispatch(StreamerAction::Stats(Box::new(StreamStats {
                        worker,
                        first_frame_ms,
                        runs_at: RUNS_LOCAL.into(),
                        path: path.into(),
                        reason,
                    })));
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

/// The first track of `kind` in `stream`.
fn first_track(stream: &MediaStream, kind: DeviceKind) -> Result<MediaStreamTrack, String> {
    let tracks = match kind {
        DeviceKind::Camera => stream.get_video_tracks(),
        DeviceKind::Microphone => stream.get_audio_tracks(),
    };
    tracks
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| format!("the {} stream has no track", kind.name()))
}

/// A `MediaStreamTrackProcessor` on `track` (bounded to [`CAMERA_QUEUE`]
/// frames): its `readable`, to transfer to the worker.
fn track_reader(track: &MediaStreamTrack) -> Result<JsValue, String> {
    let reader = js::construct(
        "MediaStreamTrackProcessor",
        &[js::object(&[
            ("track", track.into()),
            ("maxBufferSize", CAMERA_QUEUE.into()),
        ])?
        .into()],
    )?;
    js::get(&reader, "readable")
}
