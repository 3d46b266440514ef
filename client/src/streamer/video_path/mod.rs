//! How camera frames reach the local worker and come back: one
//! [`VideoPath`] per way the browser allows, behind one small interface.
//!
//! - [`track::TrackPath`] (Chromium): a `MediaStreamTrackProcessor` made
//!   on the page, its stream transferred to the worker, which writes a
//!   `MediaStreamTrackGenerator` (made on the page) or its own
//!   `VideoTrackGenerator` (browsers that follow the spec).
//! - [`fallback::FallbackPath`] (no track processor or generator): frames
//!   grabbed from a `<video>` one at a time, drawn back into a canvas.
//!
//! [`choose`] picks one from what the browser has: plain code, tested
//! natively.

pub mod fallback;
pub mod track;

use serde_json::Value;
use wasm_bindgen::JsValue;
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamTrack, Worker};

use crate::js::{self, JsError};
use crate::protocol::WorkerStats;

pub use fallback::FallbackPath;
pub use track::TrackPath;

/// Why a path could not be set up or fed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// Neither track processor + generator nor WebCodecs `VideoFrame`.
    #[error("this browser has no WebCodecs VideoFrame (nor MediaStreamTrackProcessor)")]
    NoWebCodecs,
    /// The Streamer's elements are not on the page (it was unmounted).
    #[error("the Streamer is not on the page")]
    NotMounted,
    /// A browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
    /// The worker could not be told.
    #[error(transparent)]
    Worker(#[from] super::worker_link::WorkerError),
}

/// What the browser offers a local path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Support {
    /// `MediaStreamTrackProcessor` on the window.
    pub track_processor: bool,
    /// `MediaStreamTrackGenerator` on the window.
    pub track_generator: bool,
    /// `VideoTrackGenerator` in the worker (it said so in Ready).
    pub worker_generator: bool,
    /// WebCodecs `VideoFrame`.
    pub video_frame: bool,
}

impl Support {
    /// What this page has; `worker_generator` as the worker said.
    pub fn detect(worker_generator: bool) -> Self {
        Self {
            track_processor: js::has_global("MediaStreamTrackProcessor"),
            track_generator: js::has_global("MediaStreamTrackGenerator"),
            worker_generator,
            video_frame: js::has_global("VideoFrame"),
        }
    }
}

/// Which path runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// Track processor in; the output track from a generator made by the
    /// page (`page_generator`) or by the worker.
    Track {
        /// The page makes a `MediaStreamTrackGenerator`.
        page_generator: bool,
    },
    /// Frames one at a time through a `<video>` and a canvas.
    Fallback,
}

/// The path for what the browser offers: the track path when frames can
/// be read from a track and written to one, else the fallback, which
/// needs `VideoFrame`.
pub fn choose(support: Support) -> Result<PathKind, PathError> {
    let writable = support.worker_generator || support.track_generator;
    match (support.track_processor && writable, support.video_frame) {
        (true, _) => Ok(PathKind::Track {
            page_generator: !support.worker_generator,
        }),
        (false, true) => Ok(PathKind::Fallback),
        (false, false) => Err(PathError::NoWebCodecs),
    }
}

/// One way of feeding the worker camera frames and getting processed ones
/// back. Made at the first connect of a START and kept across worker
/// restarts.
pub trait VideoPath {
    /// [`PATH_TRACK`](crate::stats::PATH_TRACK) or
    /// [`PATH_FALLBACK`](crate::stats::PATH_FALLBACK), for the stats.
    fn name(&self) -> &'static str;

    /// Connects `worker` to `source` and has it build `job`. Returns the
    /// output track when the page has it now (else the worker sends it in
    /// `FromWorker::Output`).
    fn start(
        &mut self,
        worker: &Worker,
        source: &Source,
        job: Job,
    ) -> Result<Option<JsValue>, PathError>;

    /// Whether a worker is connected and fed.
    fn is_running(&self) -> bool;

    /// The source's video track changed (a device switch): feed the new
    /// one, without touching the worker's processor or the output.
    fn switch_source(&mut self, source: &Source) -> Result<(), PathError>;

    /// Stops feeding the worker (it failed, ended, or processing moved to
    /// a server); the path stays set up for the next [`VideoPath::start`].
    fn detach(&mut self);

    /// The worker's answer to one frame (`FromWorker::Processed`, only on
    /// the fallback path).
    fn on_processed(&mut self, _data: &JsValue) {}

    /// The input counters where the page, not the worker, sees the frames.
    fn input_stats(&self, _stats: &mut WorkerStats) {}

    /// Releases everything it holds. Idempotent.
    fn release(&mut self);
}

/// What the worker is to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Registry name of the video processor.
    pub processor: String,
    /// Its params, `{"name": value}`.
    pub params: Value,
    /// Process for results only: no output frames.
    pub send_only: bool,
}

/// What a path reads: the source's stream (played by the fallback's
/// `<video>`) and its video track.
pub struct Source<'a> {
    /// Every track of the source.
    pub stream: &'a MediaStream,
    /// Its video track.
    pub video: &'a MediaStreamTrack,
}

/// Makes the path `kind`; the fallback plays the source in `player`.
pub fn make(
    kind: PathKind,
    player: Option<HtmlVideoElement>,
) -> Result<Box<dyn VideoPath>, PathError> {
    Ok(match kind {
        PathKind::Track { page_generator } => Box::new(TrackPath::new(page_generator)),
        PathKind::Fallback => Box::new(FallbackPath::new(player.ok_or(PathError::NotMounted)?)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_track_path_where_tracks_can_be_read_and_written() {
        let chromium = Support {
            track_processor: true,
            track_generator: true,
            worker_generator: false,
            video_frame: true,
        };
        assert_eq!(
            choose(chromium),
            Ok(PathKind::Track {
                page_generator: true
            })
        );
        // A worker with VideoTrackGenerator makes the output itself.
        let spec = Support {
            track_generator: false,
            worker_generator: true,
            ..chromium
        };
        assert_eq!(
            choose(spec),
            Ok(PathKind::Track {
                page_generator: false
            })
        );
        // Both: the worker's own generator wins (no page hop).
        let both = Support {
            worker_generator: true,
            ..chromium
        };
        assert_eq!(
            choose(both),
            Ok(PathKind::Track {
                page_generator: false
            })
        );
    }

    #[test]
    fn the_fallback_without_a_reader_or_a_writer_and_an_error_without_video_frame() {
        let no_reader = Support {
            track_processor: false,
            track_generator: true,
            worker_generator: false,
            video_frame: true,
        };
        assert_eq!(choose(no_reader), Ok(PathKind::Fallback));
        let no_writer = Support {
            track_processor: true,
            track_generator: false,
            ..no_reader
        };
        assert_eq!(choose(no_writer), Ok(PathKind::Fallback));
        let nothing = Support::default();
        assert_eq!(choose(nothing), Err(PathError::NoWebCodecs));
    }
}
