//! The demo's recordings: each one RECORD or RECORD INPUT made, playable
//! with the browser's controls and downloadable, the newest first (the
//! last few kept; older ones are let go). The newest is published as
//! `data-recording-url`, `data-recording-stream` and
//! `data-recording-duration` (ms) for the end-to-end tests.

use framewise_yew::{RecordedStream, Recording};
use yew::prelude::*;

use crate::app::publish;

/// How many recordings the page keeps.
const KEPT: usize = 4;

/// One recording as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shown {
    url: String,
    stream: RecordedStream,
    duration_ms: f64,
}

/// The recordings shown, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shelf(Vec<Shown>);

/// The Streamer's `on_recording`: puts the file on `shelf`.
pub(crate) fn on_recording(shelf: &UseStateHandle<Shelf>) -> Callback<Recording> {
    let shelf = shelf.clone();
    Callback::from(move |recording: Recording| {
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&recording.blob) else {
            return;
        };
        let stream = match recording.stream {
            RecordedStream::Input => "input",
            RecordedStream::Output => "output",
        };
        publish(&[
            ("recordingUrl", url.clone()),
            ("recordingStream", stream.into()),
            ("recordingDuration", format!("{:.0}", recording.duration_ms)),
        ]);
        let mut next = (*shelf).clone();
        next.0.insert(
            0,
            Shown {
                url,
                stream: recording.stream,
                duration_ms: recording.duration_ms,
            },
        );
        for old in next.0.drain(KEPT.min(next.0.len())..) {
            let _ = web_sys::Url::revoke_object_url(&old.url);
        }
        shelf.set(next);
    })
}

/// The card listing `shelf` (nothing while it is empty).
pub(crate) fn card(shelf: &Shelf) -> Html {
    if shelf.0.is_empty() {
        return html! {};
    }
    let item = |shown: &Shown| {
        let file = shown.stream.file_name();
        html! {
            <figure class="recording">
                <video src={shown.url.clone()} controls=true playsinline=true preload="metadata" />
                <figcaption>
                    { format!("{} · {:.1} s · ", file, shown.duration_ms / 1000.0) }
                    <a href={shown.url.clone()} download={file}>{ "download" }</a>
                </figcaption>
            </figure>
        }
    };
    html! {
        <section class="card recordings">
            <h2>{ "Recordings" }</h2>
            <div class="recording-list">{ for shelf.0.iter().map(item) }</div>
        </section>
    }
}
