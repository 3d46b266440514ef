//! Why a Streamer stopped or warned: one error per part of it, gathered
//! here so that [`StreamerText::message`](super::StreamerText::message)
//! can render each for a person.

use super::audio_path::AudioError;
use super::capture::CaptureError;
use super::mode::ModeError;
use super::remote::RemoteError;
use super::source::SourceError;
use super::video_path::PathError;
use super::worker_link::WorkerError;

/// What went wrong between START and STOP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamerError {
    /// The camera or microphone could not be opened.
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The screen, the file or the generated source could not be opened.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The mode cannot run with these props.
    #[error(transparent)]
    Mode(#[from] ModeError),
    /// The worker could not be made or told something.
    #[error(transparent)]
    Worker(#[from] WorkerError),
    /// The worker did not say Ready within
    /// [`WORKER_START_MS`](super::worker_life::WORKER_START_MS).
    #[error("the processing worker {url} did not start in time")]
    WorkerNotStarted {
        /// The worker script's URL.
        url: String,
    },
    /// The worker's script failed before it said Ready.
    #[error("the processing worker {url} failed to load: {detail}")]
    WorkerNotLoaded {
        /// The worker script's URL.
        url: String,
        /// What the worker's error event said.
        detail: String,
    },
    /// The worker stopped with an error before it processed a frame (an
    /// unknown processor, bad params): its own words.
    #[error("{0}")]
    WorkerRefused(String),
    /// The worker failed too often within the window.
    #[error("the processing worker failed {count} times: {detail}")]
    WorkerGaveUp {
        /// Failures within the window.
        count: usize,
        /// The last one.
        detail: String,
    },
    /// The worker said Output without a track.
    #[error("the worker sent no output track")]
    NoOutputTrack,
    /// The camera was stopped before a path could read it.
    #[error("the camera was stopped")]
    CameraStopped,
    /// The local video path could not be set up or fed.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The remote session could not be opened or was lost.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The audio path could not start (the video goes on).
    #[error("audio processing could not start: {0}")]
    Audio(#[from] AudioError),
    /// The video processor hears audio, but there is no microphone to
    /// give it (the video goes on, drawing silence).
    #[error(
        "{processor} draws the microphone's sound, but there is none: set `audio` on the \
         Streamer (and allow the microphone)"
    )]
    NothingToHear {
        /// The processor's name.
        processor: String,
    },
    /// The microphone could not be given to the worker (the video goes
    /// on, drawing silence).
    #[error("the microphone could not reach the processor: {0}")]
    Hearing(crate::js::JsError),
    /// The audio processor rejected params (`fatal: false`: it goes on as
    /// it was) or failed (the raw microphone plays instead).
    #[error("{}{message}", if *.fatal { "audio processing stopped: " } else { "" })]
    AudioFailed {
        /// The worklet's words.
        message: String,
        /// Whether audio processing stopped.
        fatal: bool,
    },
}

/// Why a worker failed, as the restart notice says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerFault {
    /// Its global scope threw (a wasm trap).
    Crashed(String),
    /// It reported a fatal error.
    Stopped(String),
}

impl std::fmt::Display for WorkerFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerFault::Crashed(message) => write!(f, "it crashed: {message}"),
            WorkerFault::Stopped(message) => f.write_str(message),
        }
    }
}
