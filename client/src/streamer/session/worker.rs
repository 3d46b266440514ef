//! The session's side of the processing worker: starting one, connecting
//! it through the video path when it says Ready, what its messages mean,
//! and what a failure leads to ([`WorkerLife`](crate::streamer::worker_life)
//! decides).

use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::{source, Context};
use crate::js;
use crate::protocol::FromWorker;
use crate::stats::{StreamStats, RUNS_LOCAL};
use crate::streamer::error::{StreamerError, WorkerFault};
use crate::streamer::model::StreamerAction;
use crate::streamer::video_path::{self, Support};
use crate::streamer::worker_life::{Failure, Verdict, WORKER_START_MS};
use crate::streamer::worker_link::{WorkerEvent, WorkerLink};

impl Context {
    /// Starts a worker; it is connected to the camera when it says Ready.
    pub(super) fn spawn_worker(&self) -> Result<(), StreamerError> {
        let url = self.props.borrow().worker_url.to_string();
        let on_event: Rc<dyn Fn(WorkerEvent)> = {
            let context = self.clone();
            Rc::new(move |event| context.on_worker_event(event))
        };
        let worker = WorkerLink::spawn(&url, on_event)?;
        let spawn = {
            let mut session = self.session.borrow_mut();
            session.worker = Some(worker);
            session.life.spawned();
            session.spawns += 1;
            session.spawns
        };
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            js::sleep_ms(WORKER_START_MS).await;
            context.check_started(spawn, url);
        });
        Ok(())
    }

    /// [`WORKER_START_MS`] after worker `spawn` was made: if it is still
    /// the current worker and has not said Ready, it will not (a script or
    /// wasm that did not load fails inside the worker, where the page
    /// cannot see it).
    fn check_started(&self, spawn: u64, url: String) {
        let stuck = {
            let session = self.session.borrow();
            session.worker.is_some() && session.spawns == spawn && !session.life.is_ready()
        };
        if stuck {
            self.fail(StreamerError::WorkerNotStarted { url });
        }
    }

    /// Connects the ready worker to the camera through the video path
    /// (chosen at the first connect from what the browser has).
    pub(super) fn connect(&self) -> Result<(), StreamerError> {
        let job = self.job();
        if self.session.borrow().path.is_none() {
            let support = Support::detect(self.session.borrow().worker_generator);
            let path = video_path::make(
                video_path::choose(support)?,
                self.source.cast::<web_sys::HtmlVideoElement>(),
            )?;
            self.session.borrow_mut().path = Some(path);
        }
        let output = {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            let (Some(source), Some(path), Some(worker)) = (
                session.capture.as_ref().and_then(source),
                &mut session.path,
                &session.worker,
            ) else {
                return Err(StreamerError::CameraStopped);
            };
            path.start(worker.worker(), &source, job)?
        };
        match output {
            Some(track) => self.show_output(track),
            // The track comes in FromWorker::Output.
            None => Ok(()),
        }
    }

    fn on_worker_event(&self, event: WorkerEvent) {
        match event {
            WorkerEvent::Message(message, data) => self.on_worker(message, &data),
            WorkerEvent::Unreadable => self.model.dispatch(StreamerAction::Warn(
                "the worker sent a message this page does not understand".into(),
            )),
            WorkerEvent::Error(message) => {
                self.worker_failed(Failure::Crashed, WorkerFault::Crashed(message))
            }
        }
    }

    /// The worker crashed or stopped with an error: stop, restart it, or
    /// give up, as [`WorkerLife`](crate::streamer::worker_life::WorkerLife)
    /// says.
    fn worker_failed(&self, failure: Failure, fault: WorkerFault) {
        let verdict = {
            let mut session = self.session.borrow_mut();
            let verdict = session.life.on_failure(js::now_ms(), failure);
            if verdict != Verdict::Fail {
                session.release_worker();
            }
            verdict
        };
        match (verdict, fault) {
            (Verdict::Fail, WorkerFault::Crashed(detail)) => {
                let url = self.props.borrow().worker_url.to_string();
                self.fail(StreamerError::WorkerNotLoaded { url, detail });
            }
            (Verdict::Fail, WorkerFault::Stopped(message)) => {
                self.fail(StreamerError::WorkerRefused(message))
            }
            (Verdict::GiveUp { count }, fault) => self.fail(StreamerError::WorkerGaveUp {
                count,
                detail: fault.to_string(),
            }),
            (Verdict::Restart { count }, fault) => {
                let notice = self.props.borrow().text.restarted(&fault, count);
                self.model.dispatch(StreamerAction::Restart(notice));
                if let Err(error) = self.spawn_worker() {
                    self.fail(error);
                }
            }
        }
    }

    fn on_worker(&self, message: FromWorker, data: &JsValue) {
        match message {
            FromWorker::Ready {
                video_track_generator,
            } => {
                let fresh = {
                    let mut session = self.session.borrow_mut();
                    session.worker_generator = video_track_generator;
                    session.life.on_ready()
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
                    true => Err(StreamerError::NoOutputTrack),
                    false => self.show_output(track),
                };
                if let Err(error) = shown {
                    self.fail(error);
                }
            }
            FromWorker::Processed => {
                if let Some(path) = &mut self.session.borrow_mut().path {
                    path.on_processed(data);
                }
            }
            FromWorker::Stats(mut worker) => {
                let (first_frame_ms, path, reason, remote, camera_fps) = {
                    let mut session = self.session.borrow_mut();
                    session.life.on_stats();
                    let path = match &session.path {
                        Some(path) => {
                            path.input_stats(&mut worker);
                            path.name()
                        }
                        None => "",
                    };
                    let first = session.first_frame(worker.frames);
                    (
                        first,
                        path,
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
                self.show_stats(StreamStats {
                    worker,
                    first_frame_ms,
                    runs_at: RUNS_LOCAL.into(),
                    path: path.into(),
                    reason,
                });
            }
            FromWorker::Results { results } => self.emit_results(results),
            FromWorker::Listen => self.send_microphone_to_worker(),
            FromWorker::Error {
                message,
                fatal: true,
            } => self.worker_failed(Failure::Fatal, WorkerFault::Stopped(message)),
            FromWorker::Error {
                message,
                fatal: false,
            } => self.model.dispatch(StreamerAction::Warn(message)),
            // The audio loop's messages: this worker runs frames.
            FromWorker::Stopped | FromWorker::AudioOpened | FromWorker::AudioCounts(_) => {}
        }
    }
}
