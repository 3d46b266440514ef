//! Placement moves: where START sends the camera, opening a remote
//! session (the output switches when the server's track arrives, the
//! local worker pauses), and Auto's moves back and forth. The decisions
//! are [`Placement::start`] and [`AutoPolicy`](crate::streamer::placement::AutoPolicy);
//! this carries them out.

use std::rc::Rc;

use framewise::wire::ServerMessage;

use super::Context;
use crate::js;
use crate::stats::{StreamStats, PATH_WEBRTC, RUNS_REMOTE};
use crate::streamer::error::StreamerError;
use crate::streamer::model::StreamerAction;
use crate::streamer::placement::Placement;
use crate::streamer::remote::{AudioOffer, Offer, Remote, RemoteEvent};

impl Context {
    /// After the camera opened: start local or remote as the placement
    /// says.
    pub(super) fn place(&self) -> Result<(), StreamerError> {
        let (placement, cost) = {
            let props = self.props.borrow();
            (
                props.placement.clone(),
                props.schema.as_ref().map(|info| info.cost),
            )
        };
        let audio_only = self
            .session
            .borrow()
            .capture
            .as_ref()
            .is_some_and(|c| c.video().is_none());
        if audio_only {
            return self.place_audio_only(&placement);
        }
        let (remote, reason) = placement.start(cost);
        self.session.borrow_mut().reason = reason.clone();
        match placement.server() {
            Some(server) if remote => {
                self.go_remote(server.to_owned(), reason);
                Ok(())
            }
            _ => self.spawn_worker(),
        }
    }

    /// Audio only (no camera): the output plays the microphone at once
    /// (processed when the audio path or the server's audio arrives) and
    /// the Streamer plays. `Remote` sends the microphone to the server
    /// when there is an audio processor to run there; `Local` and `Auto`
    /// keep it here (Auto moves on the video's frame budget, and there
    /// is no video).
    fn place_audio_only(&self, placement: &Placement) -> Result<(), StreamerError> {
        self.play_output(None)?;
        self.model.dispatch(StreamerAction::Listening);
        let has_processor = self.props.borrow().audio_processor.is_some();
        if let (Placement::Remote { server }, true) = (placement, has_processor) {
            let (_, reason) = placement.start(None);
            self.session.borrow_mut().reason = reason.clone();
            self.go_remote(server.to_string(), reason);
        }
        Ok(())
    }

    /// Opens a remote session for the running camera (or, audio only,
    /// the microphone); its output replaces the local one when its track
    /// arrives.
    fn go_remote(&self, server: String, reason: String) {
        let (generation, track) = {
            let mut session = self.session.borrow_mut();
            session.remote_pending = true;
            session.auto.moved(js::now_ms());
            let track = session.capture.as_ref().and_then(|c| c.video().cloned());
            (session.generation, track)
        };
        let ice_servers = self.props.borrow().ice_servers.clone();
        let job = self.job();
        let send_only = job.send_only;
        let audio_job = self.remote_audio_job();
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let on_event: Rc<dyn Fn(RemoteEvent)> = {
                let context = context.clone();
                Rc::new(move |event| context.on_remote(event, generation))
            };
            let offer = Offer {
                processor: track.as_ref().map(|_| job.processor.as_str()),
                params: &job.params,
                send_only,
                audio: audio_job.as_ref().map(|audio| AudioOffer {
                    track: &audio.microphone,
                    processor: audio.processor.as_deref(),
                    params: &audio.params,
                }),
            };
            let opened = Remote::open(&server, &ice_servers, track.as_ref(), offer, on_event).await;
            let current = context.is_current(generation);
            match opened {
                Ok(remote) if current => {
                    let mut session = context.session.borrow_mut();
                    session.remote_pending = false;
                    session.remote = Some(remote);
                    session.reason = reason;
                    // No video comes back to show: the server processes
                    // from now on.
                    if send_only {
                        session.runs_remote = true;
                        session.pause_worker();
                    }
                }
                Ok(remote) => remote.borrow_mut().close(),
                Err(error) if current => context.remote_failed(error.into()),
                Err(_) => {}
            }
        });
    }

    /// The remote session failed to open or was lost: Remote placement
    /// stops with the message; Auto goes (back) to local and says why.
    fn remote_failed(&self, error: StreamerError) {
        let remote_only = matches!(self.props.borrow().placement, Placement::Remote { .. });
        if remote_only {
            self.fail(error);
            return;
        }
        let reason = self.props.borrow().text.back_to_local(&error);
        self.local_audio_again();
        let (paused, needs_worker) = {
            let mut session = self.session.borrow_mut();
            session.remote_pending = false;
            if let Some(remote) = session.remote.take() {
                remote.borrow_mut().close();
            }
            session.runs_remote = false;
            session.auto.moved(js::now_ms());
            session.reason = reason;
            let has_camera = session
                .capture
                .as_ref()
                .is_some_and(|c| c.video().is_some());
            (
                session.worker_paused(),
                session.worker.is_none() && has_camera,
            )
        };
        self.warn(&error);
        // The worker kept from before the move needs no download.
        let resumed = if paused {
            self.connect()
        } else if needs_worker {
            self.spawn_worker()
        } else {
            Ok(())
        };
        if let Err(error) = resumed {
            self.fail(error);
        }
    }

    fn on_remote(&self, event: RemoteEvent, generation: u64) {
        if !self.is_current(generation) {
            return;
        }
        match event {
            RemoteEvent::Track(track) => {
                self.session.borrow_mut().runs_remote = true;
                if let Err(error) = self.show_output(track) {
                    self.remote_failed(error);
                    return;
                }
                // The local worker stops processing but stays loaded, for a
                // move back.
                self.session.borrow_mut().pause_worker();
            }
            RemoteEvent::AudioTrack(track) => self.show_remote_audio(track),
            RemoteEvent::Message(ServerMessage::Stats(remote)) => {
                let (worker, first_frame_ms, reason) = {
                    let mut session = self.session.borrow_mut();
                    let Some(handle) = session.remote.clone() else {
                        return;
                    };
                    let worker = handle.borrow_mut().stats(&remote, js::now_ms());
                    Remote::count_shown_frames(&handle);
                    let first = session.first_frame(worker.frames);
                    (worker, first, session.reason.clone())
                };
                self.show_stats(StreamStats {
                    worker,
                    first_frame_ms,
                    runs_at: RUNS_REMOTE.into(),
                    path: PATH_WEBRTC.into(),
                    reason,
                });
            }
            RemoteEvent::Message(ServerMessage::Results { results }) => self.emit_results(results),
            RemoteEvent::Message(ServerMessage::Error { message }) => {
                self.model.dispatch(StreamerAction::Warn(message))
            }
            RemoteEvent::Bad(error) => self.model.dispatch(StreamerAction::Warn(error.to_string())),
            RemoteEvent::Failed(error) => self.remote_failed(error.into()),
        }
    }

    /// Local stats arrived: under Auto with a server allowed, move to the
    /// server when local processing keeps missing its budget.
    pub(super) fn check_auto(&self, p95_ms: f64, input_fps: f64) {
        let server = match &self.props.borrow().placement {
            Placement::Auto {
                server: Some(server),
            } => server.to_string(),
            _ => return,
        };
        let reason = {
            let mut session = self.session.borrow_mut();
            if session.remote_pending || session.remote.is_some() {
                return;
            }
            session.auto.on_local_stats(js::now_ms(), p95_ms, input_fps)
        };
        if let Some(reason) = reason {
            self.go_remote(server, reason);
        }
    }
}
