//! One source read by several Streamers (a fork): the first to start
//! opens it, every Streamer gets its own clones of its tracks, and the
//! last to stop closes it. The camera is asked for once, however many
//! processors read it; each reader's worker takes the latest frame, so a
//! slow one never holds up the others.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::{SourceError, VideoSource};
use crate::streamer::capture::{self, Capture, CaptureRequest};

/// A source several Streamers share: give each the same handle as its
/// `source` (`VideoSource::Shared(handle.clone())`). It is opened with the
/// props of the first Streamer that starts.
#[derive(Clone)]
pub struct SharedSource {
    source: Rc<VideoSource>,
    hub: Rc<RefCell<Hub>>,
}

/// The opened source and who reads it.
#[derive(Default)]
struct Hub {
    state: HubState,
    readers: usize,
    /// Why the last open failed, for the readers that waited on it.
    failure: Option<SourceError>,
}

#[derive(Default)]
enum HubState {
    #[default]
    Closed,
    /// Being opened; settles (without a value) once open or failed.
    Opening(js_sys::Promise),
    Open(Capture),
}

impl SharedSource {
    /// Shares `source` (the camera, a file, a generated video, a mix…).
    pub fn new(source: VideoSource) -> Self {
        Self {
            source: Rc::new(source),
            hub: Rc::default(),
        }
    }

    /// The source shared.
    pub fn source(&self) -> &VideoSource {
        &self.source
    }

    /// How many Streamers read it now.
    pub fn readers(&self) -> usize {
        self.hub.borrow().readers
    }

    /// Whether the source is open (some Streamer reads it).
    pub fn is_open(&self) -> bool {
        matches!(self.hub.borrow().state, HubState::Open(_))
    }
}

impl PartialEq for SharedSource {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.hub, &other.hub)
    }
}

impl std::fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSource")
            .field("source", &self.source)
            .field("readers", &self.readers())
            .finish()
    }
}

/// A reader's hold on the shared source: the last one let go closes it.
pub struct Lease {
    hub: Option<Rc<RefCell<Hub>>>,
}

impl Lease {
    fn take(hub: &Rc<RefCell<Hub>>) -> Self {
        hub.borrow_mut().readers += 1;
        Self {
            hub: Some(hub.clone()),
        }
    }

    /// Lets go; the last reader's release stops the source. Idempotent.
    pub fn release(&mut self) {
        let Some(hub) = self.hub.take() else {
            return;
        };
        let closing = {
            let mut hub = hub.borrow_mut();
            hub.readers = hub.readers.saturating_sub(1);
            match (hub.readers, &hub.state) {
                (0, HubState::Open(_)) => match std::mem::take(&mut hub.state) {
                    HubState::Open(capture) => Some(capture),
                    _ => None,
                },
                _ => None,
            }
        };
        if let Some(mut capture) = closing {
            capture.stop();
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.release();
    }
}

/// Opens `shared` for one more reader (or joins the open one): a capture
/// of clones of its tracks, which the reader stops as its own.
pub async fn open(
    shared: &SharedSource,
    request: &CaptureRequest,
    microphone: Option<&str>,
    host: Option<web_sys::Element>,
) -> Result<Capture, SourceError> {
    let lease = Lease::take(&shared.hub);
    let opening = match &shared.hub.borrow().state {
        HubState::Opening(promise) => Some(promise.clone()),
        _ => None,
    };
    match opening {
        Some(promise) => {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        None if matches!(shared.hub.borrow().state, HubState::Closed) => {
            open_first(shared, request, microphone, host).await?;
        }
        None => {}
    }
    let hub = shared.hub.borrow();
    match &hub.state {
        HubState::Open(capture) => Ok(reader_capture(capture, request.audio, lease)),
        _ => Err(hub
            .failure
            .clone()
            .unwrap_or(SourceError::NoVideoTrack("shared source"))),
    }
}

/// Opens the source itself, letting readers that come meanwhile wait.
async fn open_first(
    shared: &SharedSource,
    request: &CaptureRequest,
    microphone: Option<&str>,
    host: Option<web_sys::Element>,
) -> Result<(), SourceError> {
    let mut settle = None::<js_sys::Function>;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| settle = Some(resolve));
    shared.hub.borrow_mut().state = HubState::Opening(promise);
    let opened = Box::pin(super::open(&shared.source, request, microphone, host)).await;
    let outcome = {
        let mut hub = shared.hub.borrow_mut();
        match opened {
            Ok(capture) => {
                hub.state = HubState::Open(capture);
                hub.failure = None;
                Ok(())
            }
            Err(error) => {
                hub.state = HubState::Closed;
                hub.failure = Some(error.clone());
                Err(error)
            }
        }
    };
    if let Some(settle) = settle {
        let _ = settle.call0(&JsValue::NULL);
    }
    outcome
}

/// A capture of clones of `capture`'s tracks (its sound only with
/// `audio`), holding `lease`.
fn reader_capture(capture: &Capture, audio: bool, lease: Lease) -> Capture {
    // `MediaStream::clone` is the JS `clone()`: new tracks on the same
    // sources, which this reader may stop without ending the others'.
    let stream = capture.stream().clone();
    if !audio {
        capture::drop_audio_tracks(&stream);
    }
    let mut reader = Capture::from_stream(stream);
    reader.keep(super::Running::Shared(lease));
    reader
}
