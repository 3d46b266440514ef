//! The audio path in a build without the `audio` feature: it never
//! starts (no value of it can exist), so none of the Web Audio code is
//! linked.

use std::rc::Rc;

use serde_json::Value;
use web_sys::MediaStreamTrack;

use super::{AudioError, AudioEvent};
use crate::js::JsError;

/// A path that cannot exist: [`AudioPath::start`] says why.
pub enum AudioPath {}

impl AudioPath {
    /// Fails: this build has no audio path.
    pub async fn start(
        _worker_url: &str,
        _microphone: &MediaStreamTrack,
        _processor: &str,
        _params: &Value,
        _on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<Self, AudioError> {
        Err(AudioError::NotBuilt)
    }

    /// Which path runs.
    pub fn name(&self) -> &'static str {
        match *self {}
    }

    /// The processed audio track.
    pub fn output(&self) -> &MediaStreamTrack {
        match *self {}
    }

    /// Sends new params.
    pub fn configure(&self, _params: &Value) -> Result<(), JsError> {
        match *self {}
    }

    /// Processes another microphone.
    pub fn switch_source(&mut self, _microphone: &MediaStreamTrack) -> Result<(), JsError> {
        match *self {}
    }

    /// Releases everything.
    pub fn release(&mut self) {
        match *self {}
    }
}
