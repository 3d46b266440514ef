//! A video processor that hears audio asked for the microphone
//! ([`FromWorker::Listen`](crate::protocol::FromWorker::Listen)): a clone
//! of the microphone track goes to the worker as a
//! `MediaStreamTrackProcessor`'s stream of `AudioData`
//! ([`ToWorker::Hear`]). The clone is stopped when the worker stops or is
//! paused, and on STOP.

use wasm_bindgen::JsValue;
use web_sys::MediaStreamTrack;

use super::Context;
use crate::js::{self, JsError};
use crate::protocol::ToWorker;
use crate::streamer::error::StreamerError;
use crate::streamer::video_path::track::track_reader;

/// `AudioData` blocks the track processor keeps while the worker is busy
/// (10 ms each); older ones are dropped by the browser.
const MICROPHONE_QUEUE: u32 = 10;

impl Context {
    /// Sends the microphone to the worker, or warns why it cannot.
    pub(super) fn send_microphone_to_worker(&self) {
        let microphone = {
            let session = self.session.borrow();
            session.capture.as_ref().and_then(|c| c.audio().cloned())
        };
        let Some(microphone) = microphone else {
            let processor = self.job().processor;
            return self.warn(&StreamerError::NothingToHear { processor });
        };
        let clone = match js::call(&microphone, "clone", &[]) {
            Ok(clone) => MediaStreamTrack::from(clone),
            Err(error) => return self.warn(&StreamerError::Hearing(error)),
        };
        let sent = audio_reader(&clone).and_then(|readable| {
            let session = self.session.borrow();
            let worker = session
                .worker
                .as_ref()
                .ok_or(JsError::unexpected("the processing worker", "running"))?;
            worker
                .post(&ToWorker::Hear, &[("readable", readable)])
                .map_err(|e| JsError::unexpected(e.to_string(), "a message the worker takes"))
        });
        match sent {
            Ok(()) => {
                if let Some(old) = self.session.borrow_mut().heard.replace(clone) {
                    old.stop();
                }
            }
            Err(error) => {
                clone.stop();
                self.warn(&StreamerError::Hearing(error));
            }
        }
    }
}

/// Stops the microphone clone the worker hears, if any.
pub(super) fn stop_hearing(heard: &mut Option<MediaStreamTrack>) {
    if let Some(track) = heard.take() {
        track.stop();
    }
}

/// A `MediaStreamTrackProcessor` on the microphone `track`: its
/// `readable`, to transfer to the worker.
fn audio_reader(track: &MediaStreamTrack) -> Result<JsValue, JsError> {
    if !js::has_global("MediaStreamTrackProcessor") {
        return Err(JsError::Missing("MediaStreamTrackProcessor".into()));
    }
    track_reader(track, MICROPHONE_QUEUE)
}
