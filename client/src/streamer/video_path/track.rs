//! The track path (Chromium): the worker reads a
//! `MediaStreamTrackProcessor`'s stream and writes a
//! `MediaStreamTrackGenerator`'s, both made on the page (Chromium 156 has
//! neither in workers) and transferred; or it writes its own
//! `VideoTrackGenerator` and sends its track back.

use wasm_bindgen::JsValue;
use web_sys::{MediaStreamTrack, Worker};

use super::{Job, PathError, Source, VideoPath};
use crate::js;
use crate::protocol::ToWorker;
use crate::stats::PATH_TRACK;
use crate::streamer::worker_link::post;
use crate::streamer::CAMERA_QUEUE;

/// The track path's state: the worker it feeds and the track clone its
/// track processor reads.
pub struct TrackPath {
    /// The page makes the output generator (else the worker does).
    page_generator: bool,
    /// The connected worker.
    worker: Option<Worker>,
    /// A clone of the source's video track per worker: stopping it ends
    /// that worker's reader without touching the source.
    reading: Option<MediaStreamTrack>,
}

impl TrackPath {
    /// A path whose output generator is made on the page
    /// (`page_generator`) or by the worker.
    pub fn new(page_generator: bool) -> Self {
        Self {
            page_generator,
            worker: None,
            reading: None,
        }
    }

    /// A fresh clone of `video` to read, and its reader's stream.
    fn reader(video: &MediaStreamTrack) -> Result<(MediaStreamTrack, JsValue), PathError> {
        // The JS clone(): a new track on the same source.
        let clone = video.clone();
        match track_reader(&clone, CAMERA_QUEUE) {
            Ok(readable) => Ok((clone, readable)),
            Err(error) => {
                clone.stop();
                Err(error.into())
            }
        }
    }

    fn stop_reading(&mut self) {
        if let Some(track) = self.reading.take() {
            track.stop();
        }
    }
}

impl VideoPath for TrackPath {
    fn name(&self) -> &'static str {
        PATH_TRACK
    }

    fn start(
        &mut self,
        worker: &Worker,
        source: &Source,
        job: Job,
    ) -> Result<Option<JsValue>, PathError> {
        self.detach();
        let (clone, readable) = Self::reader(source.video)?;
        self.reading = Some(clone);
        let mut streams = vec![("readable", readable)];
        let generator = if self.page_generator && !job.send_only {
            let generator = js::construct(
                "MediaStreamTrackGenerator",
                &[js::object(&[("kind", JsValue::from_str("video"))])?.into()],
            )?;
            streams.push(("writable", js::get(&generator, "writable")?));
            Some(generator)
        } else {
            None
        };
        let message = ToWorker::Start {
            processor: job.processor,
            params: job.params,
            send_only: job.send_only,
        };
        post(worker, &message, &streams)?;
        self.worker = Some(worker.clone());
        Ok(generator)
    }

    fn is_running(&self) -> bool {
        self.worker.is_some()
    }

    fn switch_source(&mut self, source: &Source) -> Result<(), PathError> {
        let Some(worker) = &self.worker else {
            // Not connected: the next start reads the new track.
            return Ok(());
        };
        let (clone, readable) = Self::reader(source.video)?;
        if let Err(error) = post(worker, &ToWorker::Source, &[("readable", readable)]) {
            clone.stop();
            return Err(error.into());
        }
        if let Some(old) = self.reading.replace(clone) {
            old.stop();
        }
        Ok(())
    }

    fn detach(&mut self) {
        self.worker = None;
        self.stop_reading();
    }

    fn release(&mut self) {
        self.detach();
    }
}

/// A `MediaStreamTrackProcessor` on `track` (camera or microphone) that
/// keeps at most `queue` frames or blocks: its `readable`, to transfer
/// to the worker.
pub fn track_reader(track: &MediaStreamTrack, queue: u32) -> Result<JsValue, js::JsError> {
    let reader = js::construct(
        "MediaStreamTrackProcessor",
        &[js::object(&[("track", track.into()), ("maxBufferSize", queue.into())])?.into()],
    )?;
    js::get(&reader, "readable")
}
