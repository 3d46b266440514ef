//! Where the demo's camera view gets its video and which way it flows:
//! the Camera / Screen / Test pattern / File switch (a file the visitor
//! picks), the Both ways / Send only / Receive only switch, and
//! `&source=camera|screen|pattern|file&file=URL&stream=sendrecv|sendonly|recvonly`
//! in the page URL.

use framewise_yew::{FileSource, Generator, StreamMode, VideoSource};
use yew::prelude::*;

use crate::pages::query;

/// The test pattern's rate.
const PATTERN_FPS: f64 = 30.0;

/// The demo's video source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceChoice {
    Camera,
    Screen,
    Pattern,
    /// A file's URL (an object URL of the file picked).
    File(String),
}

impl SourceChoice {
    /// The Streamer's source; the pattern at `width`×`height`.
    pub(crate) fn source(&self, width: u32, height: u32) -> VideoSource {
        match self {
            SourceChoice::Camera => VideoSource::Camera,
            SourceChoice::Screen => VideoSource::Screen,
            SourceChoice::Pattern => {
                VideoSource::Generated(Generator::test_pattern(width, height, PATTERN_FPS))
            }
            SourceChoice::File(url) => VideoSource::File(FileSource::new(url.clone())),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            SourceChoice::Camera => "camera",
            SourceChoice::Screen => "screen",
            SourceChoice::Pattern => "pattern",
            SourceChoice::File(_) => "file",
        }
    }
}

/// `&source=…` (and `&file=URL`) from the page URL: the camera unless
/// another is named.
pub(crate) fn source_from_url() -> SourceChoice {
    match query("source").as_deref() {
        Some("screen") => SourceChoice::Screen,
        Some("pattern") => SourceChoice::Pattern,
        Some("file") => query("file").map_or(SourceChoice::Camera, SourceChoice::File),
        _ => SourceChoice::Camera,
    }
}

/// `&stream=sendrecv|sendonly|recvonly` from the page URL.
pub(crate) fn stream_mode_from_url() -> StreamMode {
    match query("stream").as_deref() {
        Some("sendonly") => StreamMode::SendOnly,
        Some("recvonly") => StreamMode::RecvOnly,
        _ => StreamMode::SendRecv,
    }
}

/// Camera | Screen | Test pattern | File… (applies at the next START).
pub(crate) fn source_switch(current: &SourceChoice, on_pick: &Callback<SourceChoice>) -> Html {
    let button = |choice: SourceChoice, label: &str| {
        let active = (current.name() == choice.name()).then_some("active");
        let name = choice.name();
        let onclick = on_pick.reform(move |_: MouseEvent| choice.clone());
        html! {
            <button class={classes!("mode", active)} data-source={name} {onclick}
                    title="Where the video comes from (applies at START)">{ label.to_owned() }</button>
        }
    };
    let on_file = on_pick.reform(|event: Event| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        let file = input.files().and_then(|files| files.get(0));
        let url = file.and_then(|f| web_sys::Url::create_object_url_with_blob(&f).ok());
        url.map_or(SourceChoice::Camera, SourceChoice::File)
    });
    let file_active = matches!(current, SourceChoice::File(_)).then_some("active");
    html! {
        <div class="modes source" role="tablist" aria-label="Video source">
            { button(SourceChoice::Camera, "Camera") }
            { button(SourceChoice::Screen, "Screen") }
            { button(SourceChoice::Pattern, "Test pattern") }
            <label class={classes!("mode", file_active)} data-source="file"
                   title="Play a video file through the processor">
                { "File…" }
                <input type="file" accept="video/*" hidden=true onchange={on_file} />
            </label>
        </div>
    }
}

/// Both ways | Send only | Receive only (applies at the next START).
pub(crate) fn stream_mode_switch(current: StreamMode, on_pick: &Callback<StreamMode>) -> Html {
    let button = |mode: StreamMode, label: &str, title: &str| {
        let active = (current == mode).then_some("active");
        let onclick = on_pick.reform(move |_: MouseEvent| mode);
        html! {
            <button class={classes!("mode", active)} data-stream={mode.name()} {onclick}
                    title={title.to_owned()}>{ label.to_owned() }</button>
        }
    };
    html! {
        <div class="modes stream" role="tablist" aria-label="Which way media flows">
            { button(StreamMode::SendRecv, "Both ways", "Capture, process, show the output") }
            { button(StreamMode::SendOnly, "Send only", "Process for results; no video comes back") }
            { button(StreamMode::RecvOnly, "Receive only", "Show a generated or file source; nothing is captured") }
        </div>
    }
}
