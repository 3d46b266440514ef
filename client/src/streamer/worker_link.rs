//! The page's side of the processing worker: making it, posting to it,
//! hearing from it, ending it. What its events mean is the session's
//! business ([`worker_life`](super::worker_life) decides on failures).

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::js::{self, JsError};
use crate::protocol::{FromWorker, ToWorker};

/// Why the worker could not be made or reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkerError {
    /// `new Worker(url)` threw (a malformed URL, a blocked origin).
    #[error("could not start the processing worker {url}: {}", .source.detail())]
    Spawn {
        /// The worker script's URL.
        url: String,
        /// What the browser said.
        source: JsError,
    },
    /// A message could not be posted to it.
    #[error("sending to the worker: {}", .0.detail())]
    Post(JsError),
}

/// What the worker tells the page.
pub enum WorkerEvent {
    /// A message, and the object it came in (for the transferred fields:
    /// `track`, `frame`).
    Message(FromWorker, JsValue),
    /// A message that is not a Framewise one.
    Unreadable,
    /// Its global scope threw (an `ErrorEvent` with the message) or its
    /// script did not load (a plain `Event`).
    Error(String),
}

/// A running worker and its event handlers.
pub struct WorkerLink {
    worker: Worker,
    url: String,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerLink {
    /// Starts a classic worker on `url`; `on_event` hears everything it
    /// says (first of all [`FromWorker::Ready`]).
    pub fn spawn(url: &str, on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<Self, WorkerError> {
        let worker = Worker::new(url).map_err(|e| WorkerError::Spawn {
            url: url.to_owned(),
            source: JsError::threw("new Worker", &e),
        })?;
        let on_message = {
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let text = js::get_string(&data, "json");
                match text.as_deref().and_then(FromWorker::parse) {
                    Some(message) => on_event(WorkerEvent::Message(message, data)),
                    None => on_event(WorkerEvent::Unreadable),
                }
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            let message = js::get_string(&event, "message")
                .unwrap_or_else(|| "its script did not load".into());
            on_event(WorkerEvent::Error(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            url: url.to_owned(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The worker itself (its handle, e.g. for a path that posts frames).
    pub fn worker(&self) -> &Worker {
        &self.worker
    }

    /// The script it runs.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Posts `message` with `extra` fields next to its JSON, transferring
    /// them (streams, a frame).
    pub fn post(&self, message: &ToWorker, extra: &[(&str, JsValue)]) -> Result<(), WorkerError> {
        post(&self.worker, message, extra)
    }
}

impl Drop for WorkerLink {
    /// Tells the worker to stop, then ends it: nothing it still sends is
    /// heard.
    fn drop(&mut self) {
        let _ = self.post(&ToWorker::Stop, &[]);
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// Posts `message` to `worker` with `extra` fields (streams, a frame)
/// next to its JSON, transferring them.
pub fn post(
    worker: &Worker,
    message: &ToWorker,
    extra: &[(&str, JsValue)],
) -> Result<(), WorkerError> {
    let mut fields = vec![("json", JsValue::from_str(&message.to_json()))];
    fields.extend(extra.iter().cloned());
    let data = js::object(&fields).map_err(WorkerError::Post)?;
    let transfer: js_sys::Array = extra.iter().map(|(_, value)| value.clone()).collect();
    worker
        .post_message_with_transfer(&data, &transfer)
        .map_err(|e| WorkerError::Post(JsError::threw("postMessage", &e)))
}
