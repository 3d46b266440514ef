//! A video file as a source: a `<video>` of the Streamer's plays it (with
//! the browser's controls: play, pause, seek; looped if asked), and its
//! `captureStream()` is the source's stream.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlVideoElement, MediaStream};

use super::{FileSource, Running, SourceError};
use crate::js::{self, JsError};
use crate::streamer::capture::{self, Capture};

/// How long a file may take to load its first frame.
pub const FILE_LOAD_MS: i32 = 10_000;

/// The file's player, in the input view's box.
pub struct FilePlayer {
    element: HtmlVideoElement,
}

impl FilePlayer {
    /// The player (the input view shows it).
    pub fn element(&self) -> &HtmlVideoElement {
        &self.element
    }

    /// Pauses and empties the player and takes it off the page.
    pub fn stop(&mut self) {
        let _ = self.element.pause();
        self.element.remove_attribute("src").ok();
        self.element.load();
        self.element.remove();
    }
}

/// Loads and plays `file` in a new `<video>` put into `host` (or left off
/// the page without one); the stream it plays, with its sound if `audio`.
pub async fn open(
    file: &FileSource,
    audio: bool,
    host: Option<web_sys::Element>,
) -> Result<Capture, SourceError> {
    let url = file.url.to_string();
    let failed = |detail: String| SourceError::File {
        url: url.clone(),
        detail,
    };
    let element: HtmlVideoElement = js::create_element("video")?;
    element.set_class_name("fw-file");
    element.set_cross_origin(Some("anonymous"));
    element.set_muted(true);
    element.set_loop(file.looping);
    element.set_controls(true);
    element.set_autoplay(true);
    let _ = element.set_attribute("playsinline", "");
    if let Some(host) = &host {
        host.append_child(&element)
            .map_err(|e| JsError::threw("showing the file", &e))?;
    }
    let mut player = FilePlayer { element };
    let loaded = loaded(&player.element, &url).await;
    if let Err(detail) = loaded {
        player.stop();
        return Err(failed(detail));
    }
    if let Err(error) = js::call_async(&player.element, "play", &[]).await {
        player.stop();
        return Err(failed(error.detail()));
    }
    let stream = js::call(&player.element, "captureStream", &[]).and_then(|s| {
        s.dyn_into::<MediaStream>()
            .map_err(|_| JsError::unexpected("captureStream's result", "a MediaStream"))
    });
    let stream = match stream {
        Ok(stream) => stream,
        Err(error) => {
            player.stop();
            return Err(error.into());
        }
    };
    if !audio {
        capture::drop_audio_tracks(&stream);
    }
    let mut capture = Capture::from_stream(stream);
    if capture.video().is_none() {
        player.stop();
        capture.stop();
        return Err(SourceError::NoVideoTrack("file"));
    }
    capture.keep(Running::File(player));
    Ok(capture)
}

/// Waits for the file's first frame (`loadeddata`), its error or
/// [`FILE_LOAD_MS`]; the error is the browser's words.
async fn loaded(element: &HtmlVideoElement, url: &str) -> Result<(), String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_loaded = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let on_error = {
            let element = Clone::clone(element);
            let reject = Clone::clone(&reject);
            Closure::once_into_js(move || {
                let message = element
                    .error()
                    .map(|e| match e.message() {
                        m if m.is_empty() => format!("media error {}", e.code()),
                        m => m,
                    })
                    .unwrap_or_else(|| "it did not load".into());
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&message));
            })
        };
        let _ = js::set(element, "onloadeddata", &on_loaded);
        let _ = js::set(element, "onerror", &on_error);
        let on_timeout = Closure::once_into_js(move || {
            let text = format!("no frame within {} s", FILE_LOAD_MS / 1000);
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&text));
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.unchecked_ref(),
                FILE_LOAD_MS,
            );
        }
    });
    element.set_src(url);
    let outcome = wasm_bindgen_futures::JsFuture::from(promise).await;
    let _ = js::set(element, "onloadeddata", &JsValue::NULL);
    let _ = js::set(element, "onerror", &JsValue::NULL);
    outcome
        .map(|_| ())
        .map_err(|e| e.as_string().unwrap_or_else(|| js::describe(&e)))
}
