//! Where the video comes from. Besides the camera ([`super::capture`]):
//! the screen (`getDisplayMedia`, [`screen`]), a video file played by a
//! `<video>` of the Streamer's ([`file`]), frames an app's Rust
//! callback makes ([`generated`]), one source read by several Streamers
//! ([`shared`], a fork) and several sources in one grid ([`mix`]). Each
//! opens as a [`Capture`]: a stream with one video track and maybe an
//! audio track, which the rest of the Streamer reads as it reads the
//! camera.

mod canvas_track;
pub mod file;
pub mod generated;
pub mod mix;
pub mod screen;
pub mod shared;

use std::rc::Rc;

use framewise::{synth, VideoFrame};
use yew::AttrValue;

use super::capture::{Capture, CaptureError, CaptureRequest};
use crate::js::JsError;

pub use file::FilePlayer;
pub use generated::GeneratedTrack;
pub use mix::{Mix, MixError, MixedTrack};
pub use shared::SharedSource;

/// Where a Streamer's video comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VideoSource {
    /// The camera (`getUserMedia`), with its picker: the default.
    #[default]
    Camera,
    /// A screen, window or tab the user picks (`getDisplayMedia`).
    Screen,
    /// A video file, played (and, if asked, looped) in the input view
    /// with the browser's play/pause controls; its sound is the audio
    /// when `audio` is on.
    File(FileSource),
    /// Frames a Rust callback makes, at a given rate.
    Generated(Generator),
    /// A source other Streamers read too, opened once (a fork: one
    /// camera, several processors).
    Shared(SharedSource),
    /// Several sources in one grid.
    Mix(Mix),
}

impl VideoSource {
    /// The name in `data-source`: `camera`, `screen`, `file`,
    /// `generated` or `mix`; a shared source's is the source's it shares.
    pub fn name(&self) -> &'static str {
        match self {
            VideoSource::Camera => "camera",
            VideoSource::Screen => "screen",
            VideoSource::File(_) => "file",
            VideoSource::Generated(_) => "generated",
            VideoSource::Shared(shared) => shared.source().name(),
            VideoSource::Mix(_) => "mix",
        }
    }
}

/// A video file to play through the processor.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSource {
    /// Its URL: same origin, a CORS-enabled one, or an object URL of a
    /// file the user chose (`URL.createObjectURL`).
    pub url: AttrValue,
    /// Start again at the end (on by default); off, the file's end ends
    /// the stream.
    pub looping: bool,
}

impl FileSource {
    /// `url`, looped.
    pub fn new(url: impl Into<AttrValue>) -> Self {
        Self {
            url: url.into(),
            looping: true,
        }
    }
}

/// Makes frame `index` (0, 1, 2…) of a generated video.
pub type DrawFrame = dyn Fn(u64) -> VideoFrame;

/// A video made frame by frame by the app: `draw(index)` is called
/// `fps` times a second on the page and each frame it returns becomes a
/// frame of the source's track.
#[derive(Clone)]
pub struct Generator {
    /// Frames a second.
    pub fps: f64,
    /// Makes frame `index`; its size is the video's.
    pub draw: Rc<DrawFrame>,
}

impl Generator {
    /// `fps` frames a second of `draw(index)`.
    pub fn new(fps: f64, draw: impl Fn(u64) -> VideoFrame + 'static) -> Self {
        Self {
            fps,
            draw: Rc::new(draw),
        }
    }

    /// The moving-shapes test pattern ([`synth::moving_frame`]: a still
    /// rectangle, a moving disc and square, each frame's index in the strip
    /// along the top).
    pub fn test_pattern(width: u32, height: u32, fps: f64) -> Self {
        Self::new(fps, move |index| {
            let micros = (index as f64 * 1e6 / fps.max(1.0)) as i64;
            synth::moving_frame(width, height, index as u32, micros)
        })
    }
}

impl PartialEq for Generator {
    fn eq(&self, other: &Self) -> bool {
        self.fps == other.fps && Rc::ptr_eq(&self.draw, &other.draw)
    }
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator").field("fps", &self.fps).finish()
    }
}

/// Why a source other than the camera could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The user cancelled the screen picker, or the browser refused.
    #[error("screen capture did not start: {0}")]
    ScreenRefused(JsError),
    /// The page cannot capture screens (no `getDisplayMedia`).
    #[error("this browser cannot capture the screen (no getDisplayMedia)")]
    NoScreenCapture,
    /// The file did not load or play.
    #[error(
        "the video file {url} could not be played ({detail}): check the URL (same origin, or \
         served with CORS) and that the browser can decode its format"
    )]
    File {
        /// The file's URL.
        url: String,
        /// What the browser said.
        detail: String,
    },
    /// The file or the screen gave no video track.
    #[error("the {0} gave no video track")]
    NoVideoTrack(&'static str),
    /// A generator's rate is not a number of frames a second from 1 to 120.
    #[error("a generated source runs at 1 to 120 frames a second, not {0}")]
    BadRate(String),
    /// A generated frame could not be drawn.
    #[error("a generated frame could not be drawn: {0}")]
    Draw(String),
    /// The microphone beside a generated video could not be opened, or
    /// a shared camera.
    #[error(transparent)]
    Microphone(#[from] CaptureError),
    /// The mix cannot be made as asked.
    #[error(transparent)]
    Mix(#[from] MixError),
    /// An input of the mix could not be opened.
    #[error("input {index} of the mix: {error}")]
    MixInput {
        /// Its place in the mix, from 0.
        index: usize,
        /// Why.
        error: Box<SourceError>,
    },
    /// Another browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

/// What a source other than the camera keeps running until STOP.
pub enum Running {
    /// The file's player.
    File(FilePlayer),
    /// The generator's timer and canvas.
    Generated(GeneratedTrack),
    /// This reader's hold on a shared source.
    Shared(shared::Lease),
    /// The mix's inputs and canvas.
    Mixed(MixedTrack),
}

impl Running {
    /// Stops it; its tracks are stopped with the capture's.
    pub fn stop(&mut self) {
        match self {
            Running::File(player) => player.stop(),
            Running::Generated(track) => track.stop(),
            Running::Shared(lease) => lease.release(),
            Running::Mixed(mix) => mix.stop(),
        }
    }
}

/// Opens `source` (not the camera) for `request`; the file's player goes
/// into `host` (the input view's box). With `request.audio`, a file gives
/// its own sound, the screen the sound the user shares, and a generated
/// video the microphone (`microphone`: the chosen one).
pub async fn open(
    source: &VideoSource,
    request: &CaptureRequest,
    microphone: Option<&str>,
    host: Option<web_sys::Element>,
) -> Result<Capture, SourceError> {
    match source {
        VideoSource::Camera => Capture::open(request, None, microphone)
            .await
            .map_err(SourceError::from),
        VideoSource::Screen => screen::open(request.audio).await,
        VideoSource::File(file) => file::open(file, request.audio, host).await,
        VideoSource::Generated(generator) => {
            let track = GeneratedTrack::start(generator)?;
            let mut capture = with_microphone(request, microphone).await?;
            capture.set_video(track.track().clone());
            capture.keep(Running::Generated(track));
            Ok(capture)
        }
        VideoSource::Shared(source) => shared::open(source, request, microphone, host).await,
        VideoSource::Mix(mix) => {
            let track = MixedTrack::start(mix, request).await?;
            let mut capture = with_microphone(request, microphone).await?;
            capture.set_video(track.track().clone());
            capture.keep(Running::Mixed(track));
            Ok(capture)
        }
    }
}

/// The chosen microphone alone when `request.audio` (beside a video the
/// page makes), else a capture with no track yet.
async fn with_microphone(
    request: &CaptureRequest,
    microphone: Option<&str>,
) -> Result<Capture, SourceError> {
    match request.audio {
        true => {
            let audio_only = CaptureRequest {
                video: false,
                ..request.clone()
            };
            Ok(Capture::open(&audio_only, None, microphone).await?)
        }
        false => Ok(Capture::empty()?),
    }
}

/// Whether `fps` is a rate a generator runs at.
pub fn check_rate(fps: f64) -> Result<f64, SourceError> {
    match fps.is_finite() && (1.0..=120.0).contains(&fps) {
        true => Ok(fps),
        false => Err(SourceError::BadRate(fps.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_compare_by_their_callback() {
        let a = Generator::test_pattern(32, 24, 30.0);
        assert_eq!(a, a.clone());
        assert_ne!(a, Generator::test_pattern(32, 24, 30.0));
        let frame = (a.draw)(5);
        assert_eq!((frame.width(), frame.height()), (32, 24));
        assert_eq!(frame.timestamp_us(), 166_666);
    }

    #[test]
    fn rates_outside_1_to_120_are_refused() {
        assert_eq!(check_rate(30.0), Ok(30.0));
        assert!(check_rate(0.5).is_err());
        assert!(check_rate(f64::NAN).is_err());
        let error = check_rate(500.0).unwrap_err().to_string();
        assert!(
            error.contains("1 to 120") && error.contains("500"),
            "{error}"
        );
    }

    #[test]
    fn sources_have_names() {
        assert_eq!(VideoSource::default().name(), "camera");
        assert_eq!(VideoSource::File(FileSource::new("a.webm")).name(), "file");
        assert!(FileSource::new("a.webm").looping);
    }
}
