//! The camera and microphone: `getUserMedia` with the Streamer's
//! constraints, the tracks it gave, and a track swapped for another
//! device's while running. Other sources (files, screens, generated
//! media) give the same shape: a stream with one video track and,
//! maybe, an audio track.
//!
//! Beware: web-sys binds the JS `clone()` of `MediaStream` and
//! `MediaStreamTrack` (which makes a new stream or track) under the name
//! `clone`; `Clone::clone(&x)` is the handle's copy.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, MediaStreamTrack};

use super::devices::{self, DeviceKind};
use super::source::Running;
use super::FacingMode;
use crate::js::{self, JsError};

/// Why the camera or microphone could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The page is not a secure context: no `navigator.mediaDevices`.
    #[error("the page is not a secure context, so it has no camera access")]
    InsecureContext,
    /// `getUserMedia` refused (its error name says why: permission, no
    /// device, busy, constraints).
    #[error("getUserMedia failed: {0}")]
    Refused(JsError),
    /// Neither the camera nor the microphone was asked for.
    #[error("the Streamer has nothing to capture: turn on `camera`, `audio` or both")]
    NothingAsked,
    /// The stream came without the track asked for.
    #[error("the {} stream has no track", .0.name())]
    NoTrack(DeviceKind),
    /// Another browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

/// What to ask the camera and microphone for.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureRequest {
    /// Ideal width.
    pub width: u32,
    /// Ideal height.
    pub height: u32,
    /// Ideal frame rate.
    pub frame_rate: f64,
    /// Ideal facing, unless a device is chosen.
    pub facing_mode: Option<FacingMode>,
    /// Open the camera (off: audio only).
    pub video: bool,
    /// Also open the microphone.
    pub audio: bool,
    /// Ask the microphone for its signal as it is: no echo cancellation,
    /// noise suppression or automatic gain (an audio processor measures
    /// and changes the sound itself).
    pub raw_audio: bool,
}

/// An open camera (and microphone), or another source: the stream and
/// its tracks.
pub struct Capture {
    /// The camera's and microphone's tracks (the input view plays it).
    stream: MediaStream,
    video: Option<MediaStreamTrack>,
    audio: Option<MediaStreamTrack>,
    /// What a source other than the camera keeps running (a file's
    /// player, a generator's timer).
    running: Option<Running>,
}

/// `navigator.mediaDevices`, which only a secure page has.
pub fn media_devices() -> Result<JsValue, CaptureError> {
    let window = web_sys::window().ok_or_else(|| JsError::Missing("window".into()))?;
    if !window.is_secure_context() {
        return Err(CaptureError::InsecureContext);
    }
    window
        .navigator()
        .media_devices()
        .map(JsValue::from)
        .map_err(|_| CaptureError::InsecureContext)
}

impl Capture {
    /// Opens the camera (`camera`: a device id, `None` for the default or
    /// the facing mode) unless `request.video` is off and, when
    /// `request.audio`, the microphone; chosen
    /// devices are asked for as `ideal`, so one that is gone falls back to
    /// the default.
    pub async fn open(
        request: &CaptureRequest,
        camera: Option<&str>,
        microphone: Option<&str>,
    ) -> Result<Self, CaptureError> {
        if !request.video && !request.audio {
            return Err(CaptureError::NothingAsked);
        }
        let video = match request.video {
            true => video_constraints(request, camera, false)?,
            false => JsValue::FALSE,
        };
        let audio = audio_constraints(request, microphone, false)?;
        let stream = get_user_media(video, audio).await?;
        let kind = match request.video {
            true => DeviceKind::Camera,
            false => DeviceKind::Microphone,
        };
        if let Err(error) = first_track(&stream, kind) {
            stop_tracks(&stream);
            return Err(error);
        }
        Ok(Self::from_stream(stream))
    }

    /// A capture of `stream`'s first video and audio tracks (a screen, a
    /// file's player).
    pub fn from_stream(stream: MediaStream) -> Self {
        let video = first_track(&stream, DeviceKind::Camera).ok();
        let audio = first_track(&stream, DeviceKind::Microphone).ok();
        Self {
            stream,
            video,
            audio,
            running: None,
        }
    }

    /// A capture with no track yet (a generated video without sound).
    pub fn empty() -> Result<Self, JsError> {
        let stream = MediaStream::new().map_err(|e| JsError::threw("new MediaStream", &e))?;
        Ok(Self::from_stream(stream))
    }

    /// Makes `track` the video (a generated one); the old one is stopped.
    pub fn set_video(&mut self, track: MediaStreamTrack) {
        if let Some(old) = self.replace(DeviceKind::Camera, track) {
            old.stop();
        }
    }

    /// Keeps `running` until [`Capture::stop`].
    pub fn keep(&mut self, running: Running) {
        self.running = Some(running);
    }

    /// The file's player, when the source is a file.
    pub fn file_player(&self) -> Option<&web_sys::HtmlVideoElement> {
        match &self.running {
            Some(Running::File(player)) => Some(player.element()),
            _ => None,
        }
    }

    /// Opens the device `id` of `kind` exactly (a switch must not give
    /// another): its track, or `None` for a microphone while audio is off.
    pub async fn open_device(
        request: &CaptureRequest,
        kind: DeviceKind,
        id: Option<&str>,
    ) -> Result<Option<MediaStreamTrack>, CaptureError> {
        let (video, audio) = match kind {
            DeviceKind::Camera => (video_constraints(request, id, true)?, JsValue::FALSE),
            DeviceKind::Microphone if !request.audio => return Ok(None),
            DeviceKind::Microphone => (JsValue::FALSE, audio_constraints(request, id, true)?),
        };
        let stream = get_user_media(video, audio).await?;
        first_track(&stream, kind)
            .map(Some)
            .inspect_err(|_| stop_tracks(&stream))
    }

    /// The stream with every open track.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// The camera's track, unless audio only.
    pub fn video(&self) -> Option<&MediaStreamTrack> {
        self.video.as_ref()
    }

    /// The microphone's track, with audio on.
    pub fn audio(&self) -> Option<&MediaStreamTrack> {
        self.audio.as_ref()
    }

    /// The camera's frame rate as it reports it, if it does.
    pub fn frame_rate(&self) -> Option<f64> {
        js::call(self.video.as_ref()?, "getSettings", &[])
            .and_then(|settings| js::get_f64(&settings, "frameRate"))
            .ok()
            .filter(|fps| *fps > 0.0)
    }

    /// Puts `track` in place of the current one of `kind`, in the stream
    /// too; returns the old one, for the caller to stop once nothing
    /// reads it.
    pub fn replace(
        &mut self,
        kind: DeviceKind,
        track: MediaStreamTrack,
    ) -> Option<MediaStreamTrack> {
        self.stream.add_track(&track);
        let old = match kind {
            DeviceKind::Camera => self.video.replace(track),
            DeviceKind::Microphone => self.audio.replace(track),
        };
        if let Some(old) = &old {
            self.stream.remove_track(old);
        }
        old
    }

    /// Stops every track (the camera light goes off) and what the source
    /// keeps running.
    pub fn stop(&mut self) {
        if let Some(running) = &mut self.running {
            running.stop();
        }
        stop_tracks(&self.stream);
    }
}

/// Stops the audio tracks of `stream` and takes them out of it (a source
/// whose sound is not wanted).
pub fn drop_audio_tracks(stream: &MediaStream) {
    for track in stream.get_audio_tracks().iter() {
        let track: MediaStreamTrack = track.unchecked_into();
        track.stop();
        stream.remove_track(&track);
    }
}

/// Stops every track of `stream`.
pub fn stop_tracks(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        if let Err(error) = js::call(&track, "stop", &[]) {
            js::warn(&error);
        }
    }
}

/// The `video` constraints: size, rate, facing mode and the chosen camera
/// (`exact` when switching).
fn video_constraints(
    request: &CaptureRequest,
    device: Option<&str>,
    exact: bool,
) -> Result<JsValue, JsError> {
    let ideal = |v: JsValue| js::object(&[("ideal", v)]).map(JsValue::from);
    let mut fields = vec![
        ("width", ideal(request.width.into())?),
        ("height", ideal(request.height.into())?),
        ("frameRate", ideal(request.frame_rate.into())?),
    ];
    match (device, request.facing_mode) {
        (Some(id), _) => fields.push(("deviceId", devices::device_constraint(id, exact)?)),
        (None, Some(facing)) => fields.push(("facingMode", ideal(facing.as_str().into())?)),
        (None, None) => {}
    }
    js::object(&fields).map(JsValue::from)
}

/// The `audio` constraints: `false` with audio off, else the chosen
/// microphone (or any), raw if asked.
fn audio_constraints(
    request: &CaptureRequest,
    device: Option<&str>,
    exact: bool,
) -> Result<JsValue, JsError> {
    if !request.audio {
        return Ok(JsValue::FALSE);
    }
    let mut fields = Vec::new();
    if let Some(id) = device {
        fields.push(("deviceId", devices::device_constraint(id, exact)?));
    }
    if request.raw_audio {
        for name in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
            fields.push((name, JsValue::FALSE));
        }
    }
    js::object(&fields).map(JsValue::from)
}

/// `getUserMedia(constraints)`.
async fn get_user_media(video: JsValue, audio: JsValue) -> Result<MediaStream, CaptureError> {
    let media_devices = media_devices()?;
    let constraints = js::object(&[("video", video), ("audio", audio)])?;
    let stream = js::call_async(&media_devices, "getUserMedia", &[constraints.into()])
        .await
        .map_err(CaptureError::Refused)?;
    stream
        .dyn_into()
        .map_err(|_| JsError::unexpected("getUserMedia's result", "a MediaStream").into())
}

/// The first track of `kind` in `stream`.
fn first_track(stream: &MediaStream, kind: DeviceKind) -> Result<MediaStreamTrack, CaptureError> {
    let tracks = match kind {
        DeviceKind::Camera => stream.get_video_tracks(),
        DeviceKind::Microphone => stream.get_audio_tracks(),
    };
    tracks
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| CaptureError::NoTrack(kind))
}
