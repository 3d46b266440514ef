//! The local audio path the page can run: in a worker where the browser
//! has audio track processors and generators, else in an `AudioWorklet`.

use std::rc::Rc;

use serde_json::Value;
use web_sys::MediaStreamTrack;

use super::node::WorkletAudio;
use super::worker::{self, WorkerAudio};
use super::{AudioError, AudioEvent, PATH_WORKER, PATH_WORKLET};
use crate::js::JsError;

/// The running path.
pub enum AudioPath {
    /// Blocks through a worker of its own.
    Worker(WorkerAudio),
    /// Render quanta through an `AudioWorklet`.
    Worklet(WorkletAudio),
}

impl AudioPath {
    /// Opens `processor` with `params` on `microphone` in the path this
    /// page supports, and resolves once it runs. `on_event` hears its
    /// results and failures.
    pub async fn start(
        worker_url: &str,
        microphone: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<Self, AudioError> {
        if worker::supported() {
            WorkerAudio::start(worker_url, microphone, processor, params, on_event)
                .await
                .map(Self::Worker)
        } else {
            WorkletAudio::start(worker_url, microphone, processor, params, on_event)
                .await
                .map(Self::Worklet)
        }
    }

    /// [`PATH_WORKER`] or [`PATH_WORKLET`].
    pub fn name(&self) -> &'static str {
        match self {
            Self::Worker(_) => PATH_WORKER,
            Self::Worklet(_) => PATH_WORKLET,
        }
    }

    /// The processed audio track.
    pub fn output(&self) -> &MediaStreamTrack {
        match self {
            Self::Worker(path) => path.output(),
            Self::Worklet(path) => path.output(),
        }
    }

    /// Sends new params; they apply between blocks or render quanta.
    pub fn configure(&self, params: &Value) -> Result<(), JsError> {
        match self {
            Self::Worker(path) => path.configure(params),
            Self::Worklet(path) => path.configure(params),
        }
    }

    /// Processes `microphone` instead of the current one (a switch).
    pub fn switch_source(&mut self, microphone: &MediaStreamTrack) -> Result<(), JsError> {
        match self {
            Self::Worker(path) => path.switch_source(microphone),
            Self::Worklet(path) => path.switch_source(microphone),
        }
    }

    /// Releases everything. Idempotent.
    pub fn release(&mut self) {
        match self {
            Self::Worker(path) => path.release(),
            Self::Worklet(path) => path.release(),
        }
    }
}
