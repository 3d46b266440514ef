//! The session's side of the audio path: started beside the video once
//! the microphone is open, its processed track put in the output in place
//! of the raw microphone, its results and failures handled. Video never
//! waits for it, and a failure of audio leaves the video running (with
//! the raw microphone in the output and a warning saying why).
//!
//! Audio follows the video's placement: a remote session sends the raw
//! microphone with the camera, and when the server's processed audio
//! arrives it takes the local path's place (which is released); when the
//! session is lost the local path starts again.

use std::rc::Rc;

use serde_json::Value;
use web_sys::MediaStreamTrack;

use super::Context;
use crate::js;
use crate::stats::{RUNS_LOCAL, RUNS_REMOTE};
use crate::streamer::audio_path::{AudioEvent, AudioPath};
use crate::streamer::error::StreamerError;
use crate::streamer::model::StreamerAction;
use crate::streamer::placement::Placement;

impl Context {
    /// Starts the audio path when the props name an audio processor and
    /// the microphone is open (not under `Placement::Remote`: the server
    /// runs it there).
    pub(super) fn start_audio(&self, generation: u64) {
        let (processor, worker_url, params) = {
            let props = self.props.borrow();
            if matches!(props.placement, Placement::Remote { .. }) {
                return;
            }
            let Some(processor) = props.audio_processor.clone().filter(|_| props.audio) else {
                return;
            };
            (
                processor,
                props.worker_url.clone(),
                self.audio_params.borrow().clone(),
            )
        };
        let Some(microphone) = self
            .session
            .borrow()
            .capture
            .as_ref()
            .and_then(|c| c.audio().cloned())
        else {
            return;
        };
        let on_event: Rc<dyn Fn(AudioEvent)> = {
            let context = self.clone();
            Rc::new(move |event| context.on_audio_event(generation, event))
        };
        let context = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let started =
                AudioPath::start(&worker_url, &microphone, &processor, &params, on_event).await;
            if !context.is_current(generation) {
                // STOP came while the worklet loaded; dropping it closes it.
                return;
            }
            match started {
                Ok(path) => context.show_audio(path),
                Err(error) => context.warn(&StreamerError::Audio(error)),
            }
        });
    }

    /// Puts `path`'s processed track in the output in place of the raw
    /// microphone (unless the server's processed audio plays already:
    /// then `path` is not needed).
    fn show_audio(&self, mut path: AudioPath) {
        let name = path.name();
        {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            if session.remote_audio.is_some() {
                path.release();
                return;
            }
            let raw = session.capture.as_ref().and_then(|c| c.audio());
            session.output.replace_audio(raw, path.output());
            session.audio = Some(path);
        }
        self.model.dispatch(StreamerAction::AudioPath(Some(name)));
        self.model.dispatch(StreamerAction::Audio(Some(RUNS_LOCAL)));
    }

    fn on_audio_event(&self, generation: u64, event: AudioEvent) {
        if !self.is_current(generation) {
            return;
        }
        match event {
            AudioEvent::Results(results) => self.emit_results(results),
            AudioEvent::Counts(counts) => self
                .model
                .dispatch(StreamerAction::AudioUnderruns(counts.underruns())),
            AudioEvent::Failed { message, fatal } => {
                if fatal {
                    self.stop_audio();
                }
                self.warn(&StreamerError::AudioFailed { message, fatal });
            }
        }
    }

    /// Ends the audio path; the raw microphone goes back in the output.
    fn stop_audio(&self) {
        {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            if let Some(mut path) = session.audio.take() {
                if let Some(raw) = session.capture.as_ref().and_then(|c| c.audio()) {
                    session.output.replace_audio(Some(path.output()), raw);
                }
                path.release();
            }
        }
        self.model.dispatch(StreamerAction::AudioPath(None));
        self.model.dispatch(StreamerAction::Audio(None));
    }

    /// What a remote session is to do with the microphone: `Some` when
    /// audio is on and the microphone is open (sent for the audio
    /// processor, if the props name one, and for a video processor that
    /// hears it).
    pub(super) fn remote_audio_job(&self) -> Option<RemoteAudioJob> {
        let props = self.props.borrow();
        if !props.audio {
            return None;
        }
        let microphone = self
            .session
            .borrow()
            .capture
            .as_ref()
            .and_then(|c| c.audio().cloned())?;
        Some(RemoteAudioJob {
            microphone,
            processor: props.audio_processor.as_ref().map(|p| p.to_string()),
            params: self.audio_params.borrow().clone(),
        })
    }

    /// The server's processed audio arrived: it replaces what the output
    /// played (the local path's track, or the raw microphone), and the
    /// local path is released. Without an audio processor the server
    /// only passes the sound back: the raw microphone goes on playing.
    pub(super) fn show_remote_audio(&self, track: MediaStreamTrack) {
        if self.props.borrow().audio_processor.is_none() {
            return;
        }
        let released = {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            let local = session.audio.take();
            let released = local.is_some();
            let old = match &local {
                // `Clone::clone`: the handle (web-sys's `clone` clones the track).
                Some(path) => Some(Clone::clone(path.output())),
                None => session.capture.as_ref().and_then(|c| c.audio().cloned()),
            };
            session.output.replace_audio(old.as_ref(), &track);
            if let Some(mut path) = local {
                path.release();
            }
            session.remote_audio = Some(track);
            released
        };
        if released {
            self.model.dispatch(StreamerAction::AudioPath(None));
        }
        self.model
            .dispatch(StreamerAction::Audio(Some(RUNS_REMOTE)));
    }

    /// The remote session ended while it processed the audio: the raw
    /// microphone goes back in the output and the local path starts
    /// again.
    pub(super) fn local_audio_again(&self) {
        let generation = {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            let Some(remote) = session.remote_audio.take() else {
                return;
            };
            if let Some(raw) = session.capture.as_ref().and_then(|c| c.audio()) {
                session.output.replace_audio(Some(&remote), raw);
            }
            remote.stop();
            session.generation
        };
        self.model.dispatch(StreamerAction::Audio(None));
        self.start_audio(generation);
    }
}

/// The microphone a remote session sends and what runs on it.
pub(super) struct RemoteAudioJob {
    /// The raw microphone track.
    pub microphone: MediaStreamTrack,
    /// Registry name of the audio processor, if any.
    pub processor: Option<String>,
    /// Its params.
    pub params: Value,
}

impl super::Session {
    /// Sends new audio params to whatever processes the audio: the local
    /// path, the server.
    pub fn configure_audio(&self, params: &Value) {
        if let Some(path) = &self.audio {
            if let Err(error) = path.configure(params) {
                js::warn(&error);
            }
        }
        if let (Some(remote), true) = (&self.remote, self.remote_audio.is_some()) {
            if let Err(error) = remote.borrow().send_audio_params(params) {
                js::warn(&error);
            }
        }
    }
}
