//! The session's side of the audio path: started beside the video once
//! the microphone is open, its processed track put in the output in place
//! of the raw microphone, its results and failures handled. Video never
//! waits for it, and a failure of audio leaves the video running (with
//! the raw microphone in the output and a warning saying why).

use std::rc::Rc;

use super::Context;
use crate::js;
use crate::stats::RUNS_LOCAL;
use crate::streamer::audio_path::{AudioEvent, AudioPath};
use crate::streamer::error::StreamerError;
use crate::streamer::model::StreamerAction;

impl Context {
    /// Starts the audio path when the props name an audio processor and
    /// the microphone is open.
    pub(super) fn start_audio(&self, generation: u64) {
        let (processor, worker_url, params) = {
            let props = self.props.borrow();
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
    /// microphone.
    fn show_audio(&self, path: AudioPath) {
        {
            let mut session = self.session.borrow_mut();
            let session = &mut *session;
            let raw = session.capture.as_ref().and_then(|c| c.audio());
            session.output.replace_audio(raw, path.output());
            session.audio = Some(path);
        }
        self.model.dispatch(StreamerAction::Audio(Some(RUNS_LOCAL)));
    }

    fn on_audio_event(&self, generation: u64, event: AudioEvent) {
        if !self.is_current(generation) {
            return;
        }
        match event {
            AudioEvent::Results(results) => self.emit_results(results),
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
        self.model.dispatch(StreamerAction::Audio(None));
    }
}

impl super::Session {
    /// Sends new audio params to the running audio path.
    pub fn configure_audio(&self, params: &serde_json::Value) {
        if let Some(path) = &self.audio {
            if let Err(error) = path.configure(params) {
                js::warn(&error);
            }
        }
    }
}
