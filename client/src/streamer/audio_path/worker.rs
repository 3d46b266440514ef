//! The audio path in a worker of its own, where the page has
//! `MediaStreamTrackProcessor` and `MediaStreamTrackGenerator` for audio
//! (Chromium): a clone of the microphone goes to a second worker on the
//! app's loader script as a stream of `AudioData`, and the processed
//! blocks come back into an audio generator, whose track is the output
//! ([`crate::worker`]'s audio loop, [`ToWorker::StartAudio`]).
//!
//! Chosen over the worklet where both exist because it adds no buffering:
//! an `AudioContext` between two MediaStream tracks (source node in,
//! destination node out) holds 9–50 ms of audio in Chromium, drifting in
//! 10 ms steps, whatever runs inside it; the blocks here go from the
//! microphone to the output as they come. The worker is the app's own, so
//! its audio processors need no other build, and it runs audio alone, so
//! a block never waits behind a video frame.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::MediaStreamTrack;

use super::{AudioError, AudioEvent, AUDIO_START_MS};
use crate::js::{self, JsError};
use crate::protocol::{FromWorker, ToWorker};
use crate::streamer::video_path::track::track_reader;
use crate::streamer::worker_link::{post, WorkerEvent, WorkerLink};

/// `AudioData` blocks the track processor keeps while the worker is busy
/// (10 ms each); older ones are dropped by the browser and counted as
/// lost by the worker.
const MICROPHONE_QUEUE: u32 = 10;

/// Whether this page can run the path.
pub fn supported() -> bool {
    [
        "MediaStreamTrackProcessor",
        "MediaStreamTrackGenerator",
        "AudioData",
        "Worker",
    ]
    .iter()
    .all(|name| js::has_global(name))
}

/// The running path.
pub struct WorkerAudio {
    link: WorkerLink,
    processor: String,
    /// The clone of the microphone the worker reads.
    microphone: MediaStreamTrack,
    output: MediaStreamTrack,
}

/// The start's answer: `resolve` called with `true` (opened), the
/// worker's reason, or `false` (no answer in time).
type Pending = Rc<RefCell<Option<Function>>>;

impl WorkerAudio {
    /// Starts a worker on `worker_url`, opens `processor` with `params`
    /// there on a clone of `microphone`, and resolves once it runs.
    pub async fn start(
        worker_url: &str,
        microphone: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<Self, AudioError> {
        let clone: MediaStreamTrack = js::call(microphone, "clone", &[])?.unchecked_into();
        let kind = js::object(&[("kind", JsValue::from_str("audio"))])?;
        let generator = match js::construct("MediaStreamTrackGenerator", &[kind.into()]) {
            Ok(generator) => generator,
            Err(error) => {
                clone.stop();
                return Err(error.into());
            }
        };
        let output: MediaStreamTrack = generator.unchecked_into();
        let link = Self::open(worker_url, &clone, &output, processor, params, on_event).await;
        match link {
            Ok(link) => Ok(Self {
                link,
                processor: processor.to_owned(),
                microphone: clone,
                output,
            }),
            Err(error) => {
                clone.stop();
                output.stop();
                Err(error)
            }
        }
    }

    /// The worker, once it runs `processor` on `clone` into `output`.
    async fn open(
        worker_url: &str,
        clone: &MediaStreamTrack,
        output: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<WorkerLink, AudioError> {
        let readable = track_reader(clone, MICROPHONE_QUEUE)?;
        let writable = js::get(output, "writable")?;

        let pending: Pending = Rc::default();
        let opened = {
            let pending = pending.clone();
            js_sys::Promise::new(&mut |resolve, _| *pending.borrow_mut() = Some(resolve))
        };
        let worker = Rc::new(RefCell::new(None::<web_sys::Worker>));
        let start = Rc::new(RefCell::new(Some((
            ToWorker::StartAudio {
                processor: processor.to_owned(),
                params: params.clone(),
            },
            readable,
            writable,
        ))));
        let on_worker = {
            let (pending, worker) = (pending.clone(), worker.clone());
            Rc::new(move |event: WorkerEvent| {
                if let WorkerEvent::Message(FromWorker::Ready { .. }, _) = event {
                    let (Some(worker), Some((message, readable, writable))) =
                        (worker.borrow().clone(), start.borrow_mut().take())
                    else {
                        return;
                    };
                    let streams = [("readable", readable), ("writable", writable)];
                    if let Err(error) = post(&worker, &message, &streams) {
                        answer(&pending, &JsValue::from_str(&error.to_string()));
                    }
                    return;
                }
                on_worker_event(event, &pending, &on_event);
            })
        };
        let link = WorkerLink::spawn(worker_url, on_worker).map_err(|e| AudioError::Load {
            url: worker_url.to_owned(),
            detail: e.to_string(),
        })?;
        *worker.borrow_mut() = Some(link.worker().clone());
        {
            let pending = pending.clone();
            wasm_bindgen_futures::spawn_local(async move {
                js::sleep_ms(AUDIO_START_MS).await;
                answer(&pending, &JsValue::FALSE);
            });
        }
        let reply = js::wait("the audio worker", opened).await?;
        if let Some(reason) = reply.as_string() {
            return Err(AudioError::Refused(reason));
        }
        if !reply.is_truthy() {
            return Err(AudioError::NotStarted);
        }
        Ok(link)
    }

    /// The processed audio track.
    pub fn output(&self) -> &MediaStreamTrack {
        &self.output
    }

    /// Sends new params; they apply between blocks (a rejection comes
    /// back as a non-fatal [`AudioEvent::Failed`]).
    pub fn configure(&self, params: &Value) -> Result<(), JsError> {
        let message = ToWorker::Configure {
            processor: self.processor.clone(),
            params: params.clone(),
        };
        self.link
            .post(&message, &[])
            .map_err(|e| JsError::unexpected(e.to_string(), "a message the worker takes"))
    }

    /// Processes `microphone` instead of the current one (a switch).
    pub fn switch_source(&mut self, microphone: &MediaStreamTrack) -> Result<(), JsError> {
        let clone: MediaStreamTrack = js::call(microphone, "clone", &[])?.unchecked_into();
        let sent = track_reader(&clone, MICROPHONE_QUEUE).and_then(|readable| {
            self.link
                .post(&ToWorker::Source, &[("readable", readable)])
                .map_err(|e| JsError::unexpected(e.to_string(), "a message the worker takes"))
        });
        match sent {
            Ok(()) => std::mem::replace(&mut self.microphone, clone).stop(),
            Err(_) => clone.stop(),
        }
        sent
    }

    /// Stops the microphone clone and the output track; the worker ends
    /// when the path is dropped. Idempotent.
    pub fn release(&mut self) {
        let _ = self.link.post(&ToWorker::Stop, &[]);
        self.microphone.stop();
        self.output.stop();
    }
}

impl Drop for WorkerAudio {
    fn drop(&mut self) {
        self.release();
    }
}

/// Resolves the start with `value`, if it still waits.
fn answer(pending: &Pending, value: &JsValue) -> bool {
    match pending.borrow_mut().take() {
        Some(resolve) => {
            let _ = resolve.call1(&JsValue::NULL, value);
            true
        }
        None => false,
    }
}

/// The start's answer on the first word, [`AudioEvent`]s after it.
fn on_worker_event(event: WorkerEvent, pending: &Pending, on_event: &Rc<dyn Fn(AudioEvent)>) {
    match event {
        WorkerEvent::Message(FromWorker::AudioOpened, _) => {
            answer(pending, &JsValue::TRUE);
        }
        WorkerEvent::Message(FromWorker::Error { message, fatal }, _) => {
            if !answer(pending, &JsValue::from_str(&message)) {
                on_event(AudioEvent::Failed { message, fatal });
            }
        }
        WorkerEvent::Message(FromWorker::Results { results }, _) => {
            on_event(AudioEvent::Results(results))
        }
        WorkerEvent::Message(FromWorker::AudioCounts(counts), _) => {
            on_event(AudioEvent::Counts(counts))
        }
        WorkerEvent::Error(message) => {
            let message = format!("the audio worker stopped: {message}");
            if !answer(pending, &JsValue::from_str(&message)) {
                on_event(AudioEvent::Failed {
                    message,
                    fatal: true,
                });
            }
        }
        WorkerEvent::Message(..) | WorkerEvent::Unreadable => {}
    }
}
