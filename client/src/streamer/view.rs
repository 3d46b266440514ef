//! The `<Streamer>` component: its hooks (devices, state, playing,
//! params) and what it draws (buttons, status, pickers, the videos, the
//! stats overlay, the controls, the error line).

use serde_json::Value;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::devices::{self, DeviceKind};
use super::model::{StreamerAction, StreamerModel, StreamerState};
use super::props::StreamerProps;
use super::recording::{RecordButton, RecordedStream};
use super::session::{Context, Session};
use super::snapshot;
use super::source::VideoSource;
use crate::controls::{merge, ParamControls};
use crate::js;

/// Captures the camera, processes every frame in a worker with the named
/// processor, and shows the result. Nothing touches the camera before
/// START (or `playing: Some(true)`).
#[function_component]
pub fn Streamer(props: &StreamerProps) -> Html {
    let model = use_reducer(StreamerModel::default);
    let session = use_mut_ref(Session::default);
    let latest = use_mut_ref(|| props.clone());
    *latest.borrow_mut() = props.clone();
    let params = use_state_eq(|| props.params.clone());
    let current_params = use_mut_ref(|| props.params.clone());
    *current_params.borrow_mut() = (*params).clone();
    let audio_params = use_state_eq(|| props.audio_params.clone());
    let current_audio_params = use_mut_ref(|| props.audio_params.clone());
    *current_audio_params.borrow_mut() = (*audio_params).clone();
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let source_ref = use_node_ref();
    let plots_ref = use_node_ref();
    let file_ref = use_node_ref();

    let context = Context {
        model: model.dispatcher(),
        session: session.clone(),
        props: latest.clone(),
        params: current_params,
        audio_params: current_audio_params,
        input: input_ref.clone(),
        output: output_ref.clone(),
        source: source_ref.clone(),
        plots: plots_ref.clone(),
        file_host: file_ref.clone(),
    };

    {
        // The remembered devices; the list (labels come after START).
        let context = context.clone();
        let id = props.id.to_string();
        use_effect_with(id, move |id| {
            for kind in [DeviceKind::Camera, DeviceKind::Microphone] {
                context.set_choice(kind, devices::load(id, kind));
            }
            context.refresh_devices();
            let media_devices = web_sys::window()
                .and_then(|w| w.navigator().media_devices().ok())
                .map(wasm_bindgen::JsValue::from);
            let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                context.refresh_devices()
            });
            if let Some(devices) = &media_devices {
                let _ = js::set(devices, "ondevicechange", on_change.as_ref());
            }
            move || {
                if let Some(devices) = &media_devices {
                    let _ = js::set(devices, "ondevicechange", &wasm_bindgen::JsValue::NULL);
                }
                drop(on_change);
            }
        });
    }
    {
        let on_state = props.on_state.clone();
        use_effect_with(model.state.clone(), move |state| {
            on_state.emit(state.clone())
        });
    }
    {
        let on_stats = props.on_stats.clone();
        use_effect_with(model.stats.clone(), move |stats| {
            if let Some(stats) = stats {
                on_stats.emit(stats.clone());
            }
        });
    }
    {
        let context = context.clone();
        let active = model.is_active();
        use_effect_with(props.playing, move |playing| match playing {
            Some(true) if !active => context.start(),
            Some(false) => context.stop(),
            _ => {}
        });
    }
    {
        // The input view shown while running plays the open camera.
        let context = context.clone();
        use_effect_with(props.show_input, move |shown| {
            if *shown {
                context.show_input();
            }
        });
    }
    {
        // New params from the app replace what the controls set.
        let params = params.clone();
        use_effect_with(props.params.clone(), move |new| params.set(new.clone()));
    }
    {
        let session = session.clone();
        use_effect_with(
            (props.processor.clone(), (*params).clone()),
            move |(processor, params)| {
                session.borrow().configure(processor, params);
            },
        );
    }
    {
        // New audio params from the app replace what the controls set.
        let audio_params = audio_params.clone();
        use_effect_with(props.audio_params.clone(), move |new| {
            audio_params.set(new.clone())
        });
    }
    {
        let session = session.clone();
        use_effect_with((*audio_params).clone(), move |params| {
            session.borrow().configure_audio(params);
        });
    }
    {
        let session = session.clone();
        use_effect_with((), move |()| move || session.borrow_mut().release());
    }

    let text = &props.text;
    let onstart = {
        let context = context.clone();
        Callback::from(move |_: MouseEvent| context.start())
    };
    let onstop = {
        let context = context.clone();
        Callback::from(move |_: MouseEvent| context.stop())
    };
    let onsnapshot = {
        let (output, on_snapshot, model) = (
            output_ref.clone(),
            props.on_snapshot.clone(),
            model.dispatcher(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(video) = output.cast::<web_sys::HtmlVideoElement>() else {
                return;
            };
            let (on_snapshot, model) = (on_snapshot.clone(), model.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let taken = snapshot::take(&video)
                    .await
                    .and_then(|blob| match on_snapshot {
                        Some(on_snapshot) => {
                            on_snapshot.emit(blob);
                            Ok(())
                        }
                        None => js::download(&blob, snapshot::SNAPSHOT_FILE).map_err(Into::into),
                    });
                if let Err(error) = taken {
                    model.dispatch(StreamerAction::Warn(error.to_string()));
                }
            });
        })
    };
    let shows_output = props.mode.shows_output() && props.camera;
    let record_buttons = record_buttons(props, &model, &session, &output_ref, shows_output);
    let file_source = matches!(props.source, VideoSource::File(_));
    let status = match &model.state {
        StreamerState::Idle => &text.idle,
        StreamerState::Starting => &text.starting,
        StreamerState::Playing => &text.playing,
        StreamerState::Restarting(_) => &text.restarting,
        StreamerState::Failed(_) => &text.failed,
    };
    let error = match &model.state {
        StreamerState::Failed(message) | StreamerState::Restarting(message) => {
            Some(message.clone())
        }
        _ => model.warning.clone(),
    };
    // Where the audio processor runs, under the video's lines.
    let audio_line = model
        .audio_runs_at
        .zip(props.audio_processor.as_ref())
        .map(|(at, name)| format!("audio {name} · runs {at}"));
    let stats = match (&model.stats, props.show_stats) {
        (Some(s), true) => html! {
            <div class="fw-stats" aria-live="off">
                { for s.lines().into_iter().chain(audio_line).map(|line| html! { <div>{ line }</div> }) }
            </div>
        },
        _ => html! {},
    };
    let path = model
        .stats
        .as_ref()
        .map(|s| s.path.clone())
        .unwrap_or_default();
    let runs_at = model
        .stats
        .as_ref()
        .filter(|_| model.is_active())
        .map(|s| s.runs_at.clone())
        .unwrap_or_default();
    // Say clearly while the camera leaves the device.
    let sending = (runs_at == crate::stats::RUNS_REMOTE).then(|| {
        let server = props
            .placement
            .server()
            .filter(|s| !s.is_empty())
            .unwrap_or("this site's server");
        html! {
            <span class="fw-remote" role="status">
                { format!("● {} {server}", text.sending_to) }
            </span>
        }
    });
    let pickers = props.show_devices.then(|| {
        let mut kinds = Vec::new();
        let captures = props.mode.captures();
        if props.camera && captures && props.source == VideoSource::Camera {
            kinds.push((DeviceKind::Camera, &text.camera));
        }
        if props.audio && captures && !file_source {
            kinds.push((DeviceKind::Microphone, &text.microphone));
        }
        html! {
            <div class="fw-devices">
                { for kinds.into_iter().map(|(kind, label)| picker(&context, &model, props, kind, label)) }
            </div>
        }
    });
    let controls = [
        (&props.schema, &params, &props.on_params),
        (&props.audio_schema, &audio_params, &props.on_audio_params),
    ]
    .into_iter()
    .filter(|_| props.show_controls)
    .filter_map(|(schema, params, on_params)| {
        let info = schema.clone()?;
        let on_change = {
            let (params, on_params) = (params.clone(), on_params.clone());
            Callback::from(move |change: Value| {
                let mut next = (*params).clone();
                merge(&mut next, &change);
                on_params.emit(next.clone());
                params.set(next);
            })
        };
        Some(html! {
            <ParamControls {info} values={(**params).clone()} {on_change}
                           id_prefix={props.id.clone()} />
        })
    })
    .collect::<Html>();
    let video = &props.video;
    html! {
        <div class="fw-streamer" id={props.id.clone()} data-state={model.state.name()}
             data-path={path} data-runs-at={runs_at} data-restarts={model.restarts.to_string()}
             data-audio-runs-at={model.audio_runs_at.unwrap_or_default()}
             data-audio-path={model.audio_path.unwrap_or_default()}
             data-audio-underruns={model.audio_underruns.to_string()}
             data-mode={props.mode.name()} data-source={props.source.name()}>
            <div class="fw-bar">
                <button class="fw-start" onclick={onstart} disabled={model.is_active()}>{ &text.start }</button>
                <button class="fw-stop" onclick={onstop} disabled={!model.is_active()}>{ &text.stop }</button>
                if shows_output && props.show_snapshot {
                    <button class="fw-snapshot" onclick={onsnapshot}
                            disabled={model.state != StreamerState::Playing}>{ &text.snapshot }</button>
                }
                { record_buttons }
                <span class="fw-status">{ status }</span>
                { for sending }
                { for pickers }
            </div>
            <div class="fw-videos">
                if file_source {
                    // The file's player, with its play/pause controls;
                    // hidden, it still plays.
                    <figure hidden={!props.show_input}>
                        <div class="fw-file-box" ref={file_ref}></div>
                        <figcaption>{ &text.file }</figcaption>
                    </figure>
                } else if props.show_input && props.camera && props.mode.captures() {
                    <figure>
                        <video class="fw-input" ref={input_ref} autoplay=true muted=true playsinline=true />
                        <figcaption>{ input_label(props) }</figcaption>
                    </figure>
                }
                if !shows_output && props.camera {
                    <div class="fw-output-box fw-results-only">
                        <p>{ &text.send_only }</p>
                        { stats.clone() }
                    </div>
                }
                <figure hidden={!shows_output && props.camera}>
                    <div class="fw-output-box">
                        <video class={classes!("fw-output", video.class.clone())} ref={output_ref}
                               style={video.style.clone()} muted={video.muted && !props.monitor}
                               controls={video.controls} autoplay=true playsinline=true />
                        { stats }
                    </div>
                    <figcaption>{ format!("{} · {}", text.output, output_label(props)) }</figcaption>
                </figure>
            </div>
            if props.audio && props.show_audio_plots {
                <canvas class="fw-audio-plots" ref={plots_ref} width="720" height="400"
                        style="width:100%;max-width:720px" />
            }
            { controls }
            // The fallback path's camera player: in the page so that it
            // plays and presents frames, but not seen.
            <video class="fw-source" ref={source_ref} muted=true playsinline=true
                   aria-hidden="true"
                   style="position:absolute;width:2px;height:2px;opacity:0.01;pointer-events:none" />
            <p class="fw-error" role="alert" hidden={error.is_none()}>{ error.unwrap_or_default() }</p>
        </div>
    }
}

/// RECORD (the output) and, with `record_input`, RECORD INPUT.
fn record_buttons(
    props: &StreamerProps,
    model: &UseReducerHandle<StreamerModel>,
    session: &std::rc::Rc<std::cell::RefCell<Session>>,
    output: &NodeRef,
    shows_output: bool,
) -> Html {
    let text = &props.text;
    let disabled = model.state != StreamerState::Playing;
    let on_warning = {
        let model = model.dispatcher();
        Callback::from(move |message: String| model.dispatch(StreamerAction::Warn(message)))
    };
    let output_stream = {
        let output = output.clone();
        Callback::from(move |()| {
            output
                .cast::<web_sys::HtmlVideoElement>()
                .and_then(|video| video.src_object())
        })
    };
    let input_stream = {
        let session = session.clone();
        Callback::from(move |()| session.borrow().input_stream())
    };
    html! {
        <>
            if shows_output && props.show_record {
                <RecordButton what={RecordedStream::Output} stream={output_stream} {disabled}
                              label={text.record.clone()} stop_label={text.stop_recording.clone()}
                              on_recording={props.on_recording.clone()} on_warning={on_warning.clone()} />
            }
            if props.record_input && props.camera {
                <RecordButton what={RecordedStream::Input} stream={input_stream} {disabled}
                              label={text.record_input.clone()} stop_label={text.stop_recording.clone()}
                              on_recording={props.on_recording.clone()} {on_warning} />
            }
        </>
    }
}

/// A `<select>` of the devices of `kind`: the browser's default first,
/// then each device; a choice is remembered and, while running, switched
/// to at once.
fn picker(
    context: &Context,
    model: &StreamerModel,
    props: &StreamerProps,
    kind: DeviceKind,
    label: &str,
) -> Html {
    let id = format!("{}-{}", props.id, kind.name());
    let selected = model.selected(kind).unwrap_or_default().to_owned();
    let onchange = {
        let context = context.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let value = select.value();
            context.select(kind, (!value.is_empty()).then_some(value));
        })
    };
    let options = model
        .devices_of(kind)
        .filter(|d| !d.id.is_empty())
        .enumerate()
        .map(|(n, device)| {
            html! {
                <option value={device.id.clone()} selected={device.id == selected}>
                    { device.display_label(label, n) }
                </option>
            }
        });
    html! {
        <label class={classes!("fw-device", format!("fw-device-{}", kind.name()))} for={id.clone()}>
            <span>{ label }</span>
            <select {id} {onchange}>
                <option value="" selected={selected.is_empty()}>{ &props.text.default_device }</option>
                { for options }
            </select>
        </label>
    }
}

/// What the input view's caption names: the camera, the screen, the
/// generated video or the mix (a shared source's, the source it shares).
fn input_label(props: &StreamerProps) -> &str {
    let source = match &props.source {
        VideoSource::Shared(shared) => shared.source(),
        source => source,
    };
    match source {
        VideoSource::Screen => &props.text.screen,
        VideoSource::Generated(_) => &props.text.generated,
        VideoSource::Mix(_) => &props.text.mix,
        _ => &props.text.camera,
    }
}

/// What the output caption names: the video processor, or audio only the
/// audio processor (or the microphone, unprocessed).
fn output_label(props: &StreamerProps) -> &str {
    match (&props.audio_processor, props.camera) {
        (_, true) => &props.processor,
        (Some(audio), false) => audio,
        (None, false) => &props.text.microphone,
    }
}
