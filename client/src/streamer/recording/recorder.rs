//! One recording: a MediaRecorder on a stream, its chunks kept (bounded)
//! until it stops, then one WebM with its duration written in.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobEvent, BlobPropertyBag, MediaRecorder, MediaRecorderOptions, MediaStream};

use super::{webm, RecordedStream, Recording, RecordingError, RECORDING_LIMIT_BYTES};
use crate::js::{self, JsError};

/// How often the recorder hands over what it encoded, in milliseconds.
const TIMESLICE_MS: i32 = 1000;

/// A running recording; [`Recorder::stop`] ends it and the `done`
/// callback given to [`Recorder::start`] gets the file.
pub struct Recorder {
    recorder: MediaRecorder,
    _on_data: Closure<dyn FnMut(BlobEvent)>,
    _on_stop: Closure<dyn FnMut()>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

/// What the recorder has handed over so far.
#[derive(Default)]
struct Chunks {
    parts: Vec<Blob>,
    bytes: f64,
    cut_at_limit: bool,
    error: Option<RecordingError>,
}

impl Recorder {
    /// Starts recording `stream` (`what` names it); `done` is called once,
    /// after [`Recorder::stop`], when every track of `stream` ended, at the
    /// size limit, or on a recorder error (with what was recorded, if
    /// anything).
    pub fn start(
        stream: &MediaStream,
        what: RecordedStream,
        done: impl FnOnce(Result<Recording, RecordingError>) + 'static,
    ) -> Result<Self, RecordingError> {
        if stream.get_video_tracks().length() == 0 {
            return Err(RecordingError::NothingToRecord);
        }
        let with_audio = stream.get_audio_tracks().length() > 0;
        let mime = pick_mime(with_audio).ok_or(RecordingError::Unsupported)?;
        let options = MediaRecorderOptions::new();
        options.set_mime_type(mime);
        let recorder =
            MediaRecorder::new_with_media_stream_and_media_recorder_options(stream, &options)
                .map_err(|e| JsError::threw("new MediaRecorder", &e))?;
        let chunks = Rc::new(RefCell::new(Chunks::default()));
        let started_at = js::now_ms();

        let on_data = {
            let (chunks, recorder) = (chunks.clone(), recorder.clone());
            Closure::<dyn FnMut(BlobEvent)>::new(move |event: BlobEvent| {
                let Some(part) = event.data().filter(|p| p.size() > 0.0) else {
                    return;
                };
                let mut chunks = chunks.borrow_mut();
                chunks.bytes += part.size();
                chunks.parts.push(part);
                if chunks.bytes >= RECORDING_LIMIT_BYTES as f64 && !chunks.cut_at_limit {
                    chunks.cut_at_limit = true;
                    let _ = recorder.stop();
                }
            })
        };
        let on_error = {
            let chunks = chunks.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let error = js::get(&event, "error").unwrap_or(event);
                chunks.borrow_mut().error = Some(JsError::threw("MediaRecorder", &error).into());
            })
        };
        let on_stop = {
            let mut done = Some(done);
            Closure::<dyn FnMut()>::new(move || {
                let Some(done) = done.take() else { return };
                let chunks = std::mem::take(&mut *chunks.borrow_mut());
                let wall_ms = js::now_ms() - started_at;
                // Off the event: `done` may drop this recorder.
                wasm_bindgen_futures::spawn_local(async move {
                    done(finish(chunks, what, mime, wall_ms).await);
                });
            })
        };
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        recorder
            .start_with_time_slice(TIMESLICE_MS)
            .map_err(|e| JsError::threw("MediaRecorder.start", &e))?;
        Ok(Self {
            recorder,
            _on_data: on_data,
            _on_stop: on_stop,
            _on_error: on_error,
        })
    }

    /// Ends the recording; the file follows in `done`. Idempotent.
    pub fn stop(&self) {
        if self.recorder.state() != web_sys::RecordingState::Inactive {
            let _ = self.recorder.stop();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.recorder.set_ondataavailable(None);
        self.recorder.set_onerror(None);
        self.recorder.set_onstop(None);
        self.stop();
    }
}

/// The first container the browser can record: VP8 (cheap to encode),
/// with Opus when there is sound.
fn pick_mime(with_audio: bool) -> Option<&'static str> {
    let candidates: &[&'static str] = if with_audio {
        &["video/webm;codecs=vp8,opus", "video/webm"]
    } else {
        &["video/webm;codecs=vp8", "video/webm"]
    };
    candidates
        .iter()
        .copied()
        .find(|mime| MediaRecorder::is_type_supported(mime))
}

/// The chunks as one WebM with its duration; without a readable duration
/// (a recorder that wrote something else) the file is kept as it came
/// and the wall-clock time stands in.
async fn finish(
    chunks: Chunks,
    what: RecordedStream,
    mime: &str,
    wall_ms: f64,
) -> Result<Recording, RecordingError> {
    if chunks.parts.is_empty() {
        return Err(chunks.error.unwrap_or(RecordingError::Empty));
    }
    let parts: js_sys::Array = chunks.parts.iter().collect();
    let kind = BlobPropertyBag::new();
    kind.set_type(mime.split(';').next().unwrap_or("video/webm"));
    let whole = Blob::new_with_blob_sequence_and_options(&parts, &kind)
        .map_err(|e| JsError::threw("new Blob", &e))?;
    let buffer = js::wait("reading the recording", whole.array_buffer()).await?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let (blob, duration_ms) = match webm::with_duration(&bytes) {
        Ok((fixed, duration_ms)) => {
            let fixed = js_sys::Uint8Array::from(fixed.as_slice());
            let parts: js_sys::Array = std::iter::once(fixed).collect();
            let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &kind)
                .map_err(|e| JsError::threw("new Blob", &e))?;
            (blob, duration_ms)
        }
        Err(error) => {
            js::warn(&format!(
                "the recording's duration was not written: {error}"
            ));
            (whole, wall_ms)
        }
    };
    Ok(Recording {
        stream: what,
        blob,
        duration_ms,
        cut_at_limit: chunks.cut_at_limit,
    })
}
