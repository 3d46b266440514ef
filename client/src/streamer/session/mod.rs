//! What runs between START and STOP, put together from the parts that
//! own each thing: the [`Capture`], the processing worker
//! ([`worker`]: its life and messages), the [`VideoPath`] that feeds it,
//! the [`Output`], device switches ([`switch`]) and placement moves
//! ([`moves`]). A [`Context`] is what the component's callbacks hold.

mod audio;
mod hearing;
mod moves;
mod switch;
mod worker;

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use web_sys::HtmlVideoElement;
use yew::prelude::*;

use super::audio_path::AudioPath;
use super::capture::{self, Capture, CaptureRequest};
use super::devices::{self, DeviceKind};
use super::error::StreamerError;
use super::model::{StreamerAction, StreamerModel};
use super::output::Output;
use super::placement::AutoPolicy;
use super::plots::AudioPlots;
use super::remote::Remote;
use super::source::{self, VideoSource};
use super::video_path::{Job, Source, VideoPath};
use super::worker_life::WorkerLife;
use super::worker_link::WorkerLink;
use super::StreamerProps;
use crate::js;
use crate::protocol::ToWorker;
use crate::stats::StreamStats;

pub use switch::DeviceChoices;

/// What a running session holds, so STOP can release all of it.
#[derive(Default)]
pub struct Session {
    /// Bumped by every START and STOP: a start that finishes after a
    /// newer START/STOP releases what it got.
    generation: u64,
    /// The chosen camera and microphone.
    choices: DeviceChoices,
    /// The open camera (and microphone).
    capture: Option<Capture>,
    /// The processing worker.
    worker: Option<WorkerLink>,
    /// Bumped by every new worker (its start timeout checks it).
    spawns: u64,
    /// Ready, alive, recent failures.
    life: WorkerLife,
    /// The worker makes its own output track (it said so in Ready).
    worker_generator: bool,
    /// How frames reach the worker, from its first connect on.
    path: Option<Box<dyn VideoPath>>,
    /// What the output `<video>` plays.
    output: Output,
    /// The microphone through the audio processor, once it runs.
    audio: Option<AudioPath>,
    /// The microphone clone a processor that hears audio reads in the
    /// worker.
    heard: Option<web_sys::MediaStreamTrack>,
    /// The server's processed audio, once it plays in the output.
    remote_audio: Option<web_sys::MediaStreamTrack>,
    /// The live audio plots, when shown.
    plots: Option<AudioPlots>,
    /// `performance.now()` at START.
    started_at: f64,
    /// Whether the first processed frame was reported.
    first_frame_seen: bool,
    /// The remote session, when frames go to a server.
    remote: Option<Rc<RefCell<Remote>>>,
    /// A remote session is being opened.
    remote_pending: bool,
    /// The output shows the server's video.
    runs_remote: bool,
    /// Why processing runs where it runs (for the overlay).
    reason: String,
    /// When Auto moves.
    auto: AutoPolicy,
    /// The camera's frame rate as it reports it (the frame budget's base:
    /// under load the worker sees fewer frames than the camera sends).
    camera_fps: Option<f64>,
}

impl Session {
    /// The time from START to the first processed frame, once: `Some` the
    /// first time `frames` is above zero.
    fn first_frame(&mut self, frames: u64) -> Option<f64> {
        let first = (!self.first_frame_seen && frames > 0).then(|| js::now_ms() - self.started_at);
        self.first_frame_seen |= first.is_some();
        first
    }

    /// Whether the worker is connected and fed frames.
    fn worker_runs(&self) -> bool {
        self.worker.is_some() && self.path.as_ref().is_some_and(|p| p.is_running())
    }

    /// Ends the worker; the path stops feeding it (the camera goes on).
    fn release_worker(&mut self) {
        self.worker = None;
        hearing::stop_hearing(&mut self.heard);
        if let Some(path) = &mut self.path {
            path.detach();
        }
    }

    /// Stops the worker's frame loop but keeps the worker, loaded and
    /// ready, for a move back from remote (its script may not be
    /// reachable then: the server that served it may be the one lost).
    fn pause_worker(&mut self) {
        if let Some(worker) = &self.worker {
            if let Err(error) = worker.post(&ToWorker::Stop, &[]) {
                js::warn(&error);
            }
        }
        hearing::stop_hearing(&mut self.heard);
        if let Some(path) = &mut self.path {
            path.detach();
        }
    }

    /// Whether a loaded worker waits to be connected again.
    fn worker_paused(&self) -> bool {
        self.worker.is_some() && self.life.is_ready() && !self.worker_runs()
    }

    /// What the processor gets: the open camera (and microphone), screen,
    /// file or generated stream; `None` before START.
    pub fn input_stream(&self) -> Option<web_sys::MediaStream> {
        self.capture
            .as_ref()
            .map(|capture| capture.stream().clone())
    }

    /// Sends new params (or a new processor) to whatever processes: the
    /// running worker, the server.
    pub fn configure(&self, processor: &str, params: &Value) {
        if let (Some(worker), true) = (&self.worker, self.worker_runs()) {
            let message = ToWorker::Configure {
                processor: processor.to_owned(),
                params: params.clone(),
            };
            if let Err(error) = worker.post(&message, &[]) {
                js::warn(&error);
            }
        }
        if let Some(remote) = &self.remote {
            // The first params went with the offer.
            if let Err(error) = remote.borrow().send_params(params) {
                js::warn(&error);
            }
        }
    }

    /// Ends the worker and the remote session, stops every track.
    /// Idempotent.
    pub fn release(&mut self) {
        self.release_worker();
        self.life.reset();
        if let Some(remote) = self.remote.take() {
            remote.borrow_mut().close();
        }
        self.remote_pending = false;
        self.runs_remote = false;
        self.remote_audio = None;
        self.auto = AutoPolicy::default();
        if let Some(mut path) = self.path.take() {
            path.release();
        }
        if let Some(mut audio) = self.audio.take() {
            audio.release();
        }
        self.plots = None;
        self.output.release();
        if let Some(mut capture) = self.capture.take() {
            capture.stop();
        }
    }
}

/// What START, STOP and device switches need.
#[derive(Clone)]
pub struct Context {
    /// The component's state.
    pub model: UseReducerDispatcher<StreamerModel>,
    /// What runs.
    pub session: Rc<RefCell<Session>>,
    /// The latest props.
    pub props: Rc<RefCell<StreamerProps>>,
    /// The params the processor runs with (the props' or the controls').
    pub params: Rc<RefCell<Value>>,
    /// The params the audio processor runs with (likewise).
    pub audio_params: Rc<RefCell<Value>>,
    /// The input view.
    pub input: NodeRef,
    /// The output view.
    pub output: NodeRef,
    /// The fallback path's player.
    pub source: NodeRef,
    /// The audio plots' canvas.
    pub plots: NodeRef,
    /// Where a file source's player goes (the input view).
    pub file_host: NodeRef,
}

impl Context {
    /// STOP: releases everything; the state goes back to idle.
    pub fn stop(&self) {
        self.end();
        for video in [&self.input, &self.output] {
            if let Some(video) = video.cast::<HtmlVideoElement>() {
                video.set_src_object(None);
            }
        }
        self.model.dispatch(StreamerAction::Stop);
    }

    /// Releases everything and shows `error`.
    fn fail(&self, error: StreamerError) {
        self.end();
        let message = self.props.borrow().text.message(&error);
        self.model.dispatch(StreamerAction::Fail(message));
    }

    /// Shows `error` as a warning; what runs goes on.
    fn warn(&self, error: &StreamerError) {
        let message = self.props.borrow().text.message(error);
        self.model.dispatch(StreamerAction::Warn(message));
    }

    fn end(&self) {
        let mut session = self.session.borrow_mut();
        session.generation += 1;
        session.release();
    }

    /// Whether `generation` is still the current run.
    fn is_current(&self, generation: u64) -> bool {
        self.session.borrow().generation == generation
    }

    /// START: the camera (and microphone), then local or remote
    /// processing as the placement says.
    pub fn start(&self) {
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
            if let Err(error) = context.begin(generation).await {
                if context.is_current(generation) {
                    context.fail(error);
                }
            }
        });
    }

    /// What to ask the camera and microphone for.
    fn capture_request(&self) -> CaptureRequest {
        let props = self.props.borrow();
        CaptureRequest {
            width: props.width,
            height: props.height,
            frame_rate: props.frame_rate,
            facing_mode: props.facing_mode,
            video: props.camera,
            audio: props.audio,
            raw_audio: props.audio_processor.is_some(),
        }
    }

    async fn begin(&self, generation: u64) -> Result<(), StreamerError> {
        let mut request = self.capture_request();
        let (source, mode) = {
            let props = self.props.borrow();
            (props.source.clone(), props.mode)
        };
        mode.check(&source, request.video)?;
        // Receive-only opens no microphone (a file's own sound may play).
        request.audio &= mode.captures() || matches!(source, VideoSource::File(_));
        let (camera, microphone) = self.session.borrow().choices.chosen();
        let mut capture = match (&source, request.video) {
            (VideoSource::Camera, _) | (_, false) => {
                Capture::open(&request, camera.as_deref(), microphone.as_deref()).await?
            }
            (other, true) => {
                let host = self.file_host.cast::<web_sys::Element>();
                source::open(other, &request, microphone.as_deref(), host).await?
            }
        };
        if !self.is_current(generation) {
            // STOP (or another START) came while the camera was opening.
            capture.stop();
            return Ok(());
        }
        {
            let mut session = self.session.borrow_mut();
            session.camera_fps = capture.frame_rate();
            session.capture = Some(capture);
        }
        self.show_input();
        self.refresh_devices();
        self.start_audio(generation);
        self.start_plots();
        self.place()
    }

    /// Starts the audio plots when the props ask for them and the
    /// microphone is open; a failure warns and the rest goes on.
    fn start_plots(&self) {
        let props = self.props.borrow();
        let has_microphone = self
            .session
            .borrow()
            .capture
            .as_ref()
            .is_some_and(|c| c.audio().is_some());
        let (Some(canvas), Some(output), true) = (
            self.plots.cast::<web_sys::HtmlCanvasElement>(),
            self.output.cast::<HtmlVideoElement>(),
            props.audio && props.show_audio_plots && has_microphone,
        ) else {
            return;
        };
        let session = Rc::downgrade(&self.session);
        let microphone = Box::new(move || {
            let session = session.upgrade()?;
            let session = session.try_borrow().ok()?;
            session.capture.as_ref()?.audio().cloned()
        });
        let labels = [props.text.microphone.clone(), props.text.output.clone()];
        drop(props);
        match AudioPlots::start(canvas, output, microphone, labels) {
            Ok(plots) => self.session.borrow_mut().plots = Some(plots),
            Err(error) => js::warn(&error),
        }
    }

    /// Plays the open camera in the input view, when the view is shown
    /// (at START, and whenever `show_input` turns it on).
    pub fn show_input(&self) {
        let session = self.session.borrow();
        if let (Some(capture), Some(video)) =
            (&session.capture, self.input.cast::<HtmlVideoElement>())
        {
            // The `muted` attribute does not mute an element made by
            // script: without this, a page that captures nothing (a
            // generated, file or mixed source started without a click)
            // may not autoplay it.
            video.set_muted(true);
            video.set_src_object(Some(capture.stream()));
            let _ = video.play();
        }
    }

    /// Plays `video` (the processed track from the local path or the
    /// server) and the microphone, if on (processed once the audio path
    /// runs), in the output `<video>`.
    fn show_output(&self, video: wasm_bindgen::JsValue) -> Result<(), StreamerError> {
        self.play_output(Some(video))
    }

    /// Plays `video` (none: audio only) and the microphone in the output
    /// `<video>`; see [`show_output`](Self::show_output).
    fn play_output(&self, video: Option<wasm_bindgen::JsValue>) -> Result<(), StreamerError> {
        let element = self.output.cast::<HtmlVideoElement>();
        let mut session = self.session.borrow_mut();
        let Session {
            output,
            capture,
            audio,
            remote_audio,
            ..
        } = &mut *session;
        let audio = match (remote_audio, audio) {
            (Some(remote), _) => Some(&*remote),
            (None, Some(path)) => Some(path.output()),
            (None, None) => capture.as_ref().and_then(|c| c.audio()),
        };
        output
            .show(element, video, audio)
            .map_err(|e| StreamerError::Path(e.into()))
    }

    /// What the worker is to run.
    fn job(&self) -> Job {
        Job {
            processor: self.props.borrow().processor.to_string(),
            params: self.params.borrow().clone(),
            send_only: !self.props.borrow().mode.shows_output(),
        }
    }

    /// Hands every result to the app's `on_result`.
    fn emit_results(&self, results: Vec<Value>) {
        let on_result = self.props.borrow().on_result.clone();
        for result in results {
            on_result.emit(result);
        }
    }

    /// Shows `stats`.
    fn show_stats(&self, stats: StreamStats) {
        self.model.dispatch(StreamerAction::Stats(Box::new(stats)));
    }

    /// Lists the cameras and microphones (after START, with labels) and
    /// forgets a remembered device that is gone.
    pub fn refresh_devices(&self) {
        let Ok(media_devices) = capture::media_devices() else {
            return;
        };
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match devices::list(&media_devices).await {
                Ok(list) => {
                    for kind in [DeviceKind::Camera, DeviceKind::Microphone] {
                        let chosen = context.session.borrow().choices.get(kind);
                        let kept = devices::remembered(chosen.as_deref(), &list, kind);
                        if kept != chosen {
                            context.set_choice(kind, kept);
                        }
                    }
                    context.model.dispatch(StreamerAction::Devices(list));
                }
                Err(error) => js::warn(&error),
            }
        });
    }
}

/// What a path reads from `capture`: `None` when it is audio only.
fn source(capture: &Capture) -> Option<Source<'_>> {
    Some(Source {
        stream: capture.stream(),
        video: capture.video()?,
    })
}
