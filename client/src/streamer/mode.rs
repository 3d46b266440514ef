//! Which way media flows: both ways (the default), send-only (processed
//! for results, nothing shown or returned) or receive-only (a stream the
//! app generates is shown; nothing is captured).

use super::source::VideoSource;

/// Which way media flows through a Streamer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamMode {
    /// Capture, process, show the processed video (the default).
    #[default]
    SendRecv,
    /// Capture and process for the results (`on_result`, stats) only: no
    /// output video is made, returned or shown.
    SendOnly,
    /// Show a stream the app generates or shares (a
    /// [`VideoSource::Generated`], [`VideoSource::File`],
    /// [`VideoSource::Mix`] or [`VideoSource::Shared`] source), processed;
    /// the Streamer captures nothing itself (a shared or mixed camera is
    /// opened once, for all its readers).
    RecvOnly,
}

/// A mode that cannot run with the Streamer's other props.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModeError {
    /// Receive-only captures nothing, so the source must be one the app
    /// makes.
    #[error(
        "receive-only shows a stream the app makes, but the source is the {0}: set `source` \
         to a generated or file source, or use `StreamMode::SendRecv`"
    )]
    CapturedSource(&'static str),
    /// Send-only with no video: there is nothing to process.
    #[error("send-only needs the camera on: it processes video for results")]
    NoVideo,
}

impl StreamMode {
    /// The name in `data-mode`: `sendrecv`, `sendonly` or `recvonly`.
    pub fn name(self) -> &'static str {
        match self {
            StreamMode::SendRecv => "sendrecv",
            StreamMode::SendOnly => "sendonly",
            StreamMode::RecvOnly => "recvonly",
        }
    }

    /// Whether processed video comes back to be shown.
    pub fn shows_output(self) -> bool {
        self != StreamMode::SendOnly
    }

    /// Whether the user's devices are opened (camera, screen, microphone).
    pub fn captures(self) -> bool {
        self != StreamMode::RecvOnly
    }

    /// Whether the mode can run with `source` (and video on or off).
    pub fn check(self, source: &VideoSource, video: bool) -> Result<(), ModeError> {
        match (self, source) {
            (StreamMode::RecvOnly, VideoSource::Camera) => Err(ModeError::CapturedSource("camera")),
            (StreamMode::RecvOnly, VideoSource::Screen) => Err(ModeError::CapturedSource("screen")),
            (StreamMode::SendOnly, _) if !video => Err(ModeError::NoVideo),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streamer::source::{FileSource, Generator};

    #[test]
    fn receive_only_needs_a_source_the_app_makes() {
        let file = VideoSource::File(FileSource::new("clip.webm"));
        let pattern = VideoSource::Generated(Generator::test_pattern(64, 48, 30.0));
        assert_eq!(StreamMode::RecvOnly.check(&file, true), Ok(()));
        assert_eq!(StreamMode::RecvOnly.check(&pattern, true), Ok(()));
        let camera = StreamMode::RecvOnly.check(&VideoSource::Camera, true);
        assert_eq!(camera, Err(ModeError::CapturedSource("camera")));
        assert!(camera.unwrap_err().to_string().contains("set `source`"));
        assert_eq!(
            StreamMode::RecvOnly.check(&VideoSource::Screen, true),
            Err(ModeError::CapturedSource("screen"))
        );
    }

    #[test]
    fn send_only_processes_video_and_shows_none() {
        assert_eq!(
            StreamMode::SendOnly.check(&VideoSource::Camera, true),
            Ok(())
        );
        assert_eq!(
            StreamMode::SendOnly.check(&VideoSource::Camera, false),
            Err(ModeError::NoVideo)
        );
        assert!(!StreamMode::SendOnly.shows_output());
        assert!(StreamMode::SendOnly.captures());
        assert!(StreamMode::SendRecv.shows_output() && StreamMode::SendRecv.captures());
        assert!(!StreamMode::RecvOnly.captures());
        assert_eq!(StreamMode::default(), StreamMode::SendRecv);
    }
}
