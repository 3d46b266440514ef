//! Recording the input or the processed output to WebM in the browser:
//! [`recorder`] runs a MediaRecorder, [`webm`] writes the duration the
//! browser leaves out, [`button`] is the RECORD button that hands the
//! file to the app or downloads it.

pub mod button;
pub mod recorder;
pub mod webm;

use crate::js::JsError;

/// The most a recording keeps (1 GiB, about 50 minutes of 640×480 at the
/// browser's default bitrate): at this size it stops and hands over what
/// it has.
pub const RECORDING_LIMIT_BYTES: u64 = 1 << 30;

/// Which stream a recording is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedStream {
    /// What the processor got (the camera, file, screen or generated
    /// frames).
    Input,
    /// What the output shows: the processed video (and its sound).
    Output,
}

impl RecordedStream {
    /// The name a downloaded recording gets.
    pub fn file_name(self) -> &'static str {
        match self {
            RecordedStream::Input => "framewise-input.webm",
            RecordedStream::Output => "framewise-output.webm",
        }
    }
}

/// A finished recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// What was recorded.
    pub stream: RecordedStream,
    /// The WebM file (VP8, with Opus when the stream had sound), its
    /// duration written in.
    pub blob: web_sys::Blob,
    /// Its duration: the last frame's end.
    pub duration_ms: f64,
    /// It stopped at [`RECORDING_LIMIT_BYTES`].
    pub cut_at_limit: bool,
}

/// Why there is no recording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    /// There is no video to record yet.
    #[error("there is no video to record yet: press START first")]
    NothingToRecord,
    /// The browser records no WebM.
    #[error("this browser cannot record WebM video (MediaRecorder with VP8); use Chromium")]
    Unsupported,
    /// The recorder produced nothing.
    #[error("the recording is empty: it was stopped before its first frame")]
    Empty,
    /// A browser call failed.
    #[error("recording failed: {0}")]
    Browser(#[from] JsError),
}

pub use button::RecordButton;
pub use recorder::Recorder;
