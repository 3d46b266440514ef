//! The RECORD button: a click starts recording the stream it is given,
//! the next click (or STOP) ends it and the file goes to the app's
//! callback or is downloaded.

use web_sys::MediaStream;
use yew::prelude::*;

use super::{RecordedStream, Recorder, Recording, RecordingError};
use crate::js;

/// Props of [`RecordButton`].
#[derive(Properties, PartialEq)]
pub struct RecordButtonProps {
    /// What it records (names the class and the downloaded file).
    pub what: RecordedStream,
    /// The stream to record, asked for at the click.
    pub stream: Callback<(), Option<MediaStream>>,
    /// Nothing plays: no recording starts, and a running one ends.
    pub disabled: bool,
    /// The label while not recording.
    pub label: AttrValue,
    /// The label while recording.
    pub stop_label: AttrValue,
    /// Gets the file; without it, the file is downloaded.
    pub on_recording: Option<Callback<Recording>>,
    /// Gets what went wrong, to show.
    pub on_warning: Callback<String>,
}

/// A button that records [`RecordButtonProps::stream`] to WebM.
#[function_component]
pub fn RecordButton(props: &RecordButtonProps) -> Html {
    let recorder = use_mut_ref(|| None::<Recorder>);
    let recording = use_state_eq(|| false);
    {
        let recorder = recorder.clone();
        use_effect_with(props.disabled, move |disabled| {
            if let (true, Some(running)) = (*disabled, recorder.borrow().as_ref()) {
                running.stop();
            }
        });
    }
    let onclick = {
        let recorder = recorder.clone();
        let recording = recording.clone();
        let (what, stream) = (props.what, props.stream.clone());
        let (on_recording, on_warning) = (props.on_recording.clone(), props.on_warning.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(running) = recorder.borrow().as_ref() {
                running.stop();
                return;
            }
            let done = {
                let (recorder, recording) = (recorder.clone(), recording.clone());
                let (on_recording, on_warning) = (on_recording.clone(), on_warning.clone());
                move |result: Result<Recording, RecordingError>| {
                    recorder.borrow_mut().take();
                    recording.set(false);
                    match result {
                        Ok(file) => deliver(file, on_recording.as_ref(), &on_warning),
                        Err(error) => on_warning.emit(error.to_string()),
                    }
                }
            };
            let started = stream
                .emit(())
                .ok_or(RecordingError::NothingToRecord)
                .and_then(|stream| Recorder::start(&stream, what, done));
            match started {
                Ok(running) => {
                    *recorder.borrow_mut() = Some(running);
                    recording.set(true);
                }
                Err(error) => on_warning.emit(error.to_string()),
            }
        })
    };
    let class = match props.what {
        RecordedStream::Input => "fw-record-input",
        RecordedStream::Output => "fw-record",
    };
    html! {
        <button class={classes!(class, (*recording).then_some("fw-recording"))} {onclick}
                data-recording={recording.to_string()}
                disabled={props.disabled && !*recording}>
            { if *recording { &props.stop_label } else { &props.label } }
        </button>
    }
}

/// Hands `file` to the app, or downloads it.
fn deliver(
    file: Recording,
    on_recording: Option<&Callback<Recording>>,
    on_warning: &Callback<String>,
) {
    if file.cut_at_limit {
        on_warning.emit(format!(
            "the recording stopped at its size limit ({} MiB); what was recorded is kept",
            super::RECORDING_LIMIT_BYTES >> 20
        ));
    }
    match on_recording {
        Some(on_recording) => on_recording.emit(file),
        None => {
            if let Err(error) = js::download(&file.blob, file.stream.file_name()) {
                on_warning.emit(error.to_string());
            }
        }
    }
}
