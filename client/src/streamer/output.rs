//! The output: what the output `<video>` plays, the processed video track
//! (from the local path or the server) and the audio track beside it.

use wasm_bindgen::JsValue;
use web_sys::{HtmlVideoElement, MediaStream, MediaStreamTrack};

use super::capture::stop_tracks;
use crate::js::{self, JsError};

/// The output stream and the video track in it.
#[derive(Default)]
pub struct Output {
    /// The processed video track (a `MediaStreamTrackGenerator`, the
    /// worker's `VideoTrackGenerator`, a canvas capture or the server's).
    video: Option<JsValue>,
    /// What the output `<video>` plays: `video` plus the audio track.
    stream: Option<MediaStream>,
}

impl Output {
    /// Plays `video` (the processed track; none: audio only) and `audio`
    /// in `element`; a new video track (a restarted worker's, the
    /// server's) replaces the old one, which is stopped.
    pub fn show(
        &mut self,
        element: Option<HtmlVideoElement>,
        video: Option<JsValue>,
        audio: Option<&MediaStreamTrack>,
    ) -> Result<(), JsError> {
        let tracks = js_sys::Array::new();
        if let Some(video) = video {
            tracks.push(&video);
            if let Some(old) = self.video.replace(video) {
                let _ = js::call(&old, "stop", &[]);
            }
        }
        if let Some(audio) = audio {
            tracks.push(audio);
        }
        let stream = MediaStream::new_with_tracks(&tracks)
            .map_err(|e| JsError::threw("showing the output", &e))?;
        if let Some(element) = element {
            // The `muted` attribute only mutes an element the parser made:
            // without this, a page with no capture (receive-only) may not
            // autoplay it.
            element.set_muted(element.default_muted());
            element.set_src_object(Some(&stream));
            let _ = element.play();
        }
        self.stream = Some(stream);
        Ok(())
    }

    /// Puts the audio track `new` in place of `old` (a microphone switch);
    /// the video goes on.
    pub fn replace_audio(&self, old: Option<&MediaStreamTrack>, new: &MediaStreamTrack) {
        if let Some(stream) = &self.stream {
            if let Some(old) = old {
                stream.remove_track(old);
            }
            stream.add_track(new);
        }
    }

    /// Stops the video track and every track of the stream. Idempotent.
    pub fn release(&mut self) {
        if let Some(video) = self.video.take() {
            let _ = js::call(&video, "stop", &[]);
        }
        if let Some(stream) = self.stream.take() {
            stop_tracks(&stream);
        }
    }
}
