//! The camera `<Streamer>`: START/STOP, a device picker, capture, the
//! processing worker, the processed output with its stats, and controls
//! for the processor's params.
//!
//! ```no_run
//! use framewise::processors::video::canny;
//! use framewise_yew::Streamer;
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn Edges() -> Html {
//!     html! {
//!         <Streamer processor="canny" schema={canny::info()}
//!                   params={serde_json::json!({"threshold1": 60})}
//!                   worker_url="./worker_loader.js" />
//!     }
//! }
//! ```
//!
//! - [`model`]: the state and its reducer, [`devices`]: the device list
//!   and the remembered choice, [`text`]: every string shown; plain code,
//!   tested natively.
//! - [`placement`]: local, remote or auto, and when Auto moves;
//!   [`remote`]: the session with a `framewise-server` over WebRTC;
//! - `session`: what runs between START and STOP (browser APIs).

pub mod devices;
pub mod model;
pub mod placement;
pub mod remote;
mod session;
pub mod text;

use std::rc::Rc;

use framewise::ProcessorInfo;
use serde_json::Value;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

pub use devices::{Device, DeviceKind};
pub use model::{StreamerAction, StreamerModel, StreamerState};
pub use placement::Placement;
pub use remote::IceServerConfig;
pub use text::StreamerText;

use crate::controls::{merge, ParamControls};
use crate::js;
use crate::protocol::ToWorker;
use crate::stats::StreamStats;
use session::{post, Context, Session};

/// The track processor's queue (`maxBufferSize`): frames that arrive
/// while the worker processes one wait here (bounded) until its reader
/// drains them; see [`worker`](crate::worker) for the latest-frame-wins
/// rule.
pub const CAMERA_QUEUE: u32 = 3;

/// Which way the camera should face, on devices that have several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacingMode {
    /// Towards the user (a selfie camera).
    User,
    /// Away from the user (a phone's back camera).
    Environment,
}

impl FacingMode {
    /// The `facingMode` constraint value.
    pub fn as_str(self) -> &'static str {
        match self {
            FacingMode::User => "user",
            FacingMode::Environment => "environment",
        }
    }
}

/// Attributes of the output `<video>` (it always autoplays inline).
#[derive(Debug, Clone, PartialEq)]
pub struct VideoAttributes {
    /// Extra CSS classes (next to `fw-output`).
    pub class: Classes,
    /// Inline CSS.
    pub style: Option<AttrValue>,
    /// Mute the output. On by default: with audio on, the microphone plays
    /// through it, and speakers near the microphone would howl.
    pub muted: bool,
    /// Show the browser's video controls.
    pub controls: bool,
}

impl Default for VideoAttributes {
    fn default() -> Self {
        Self {
            class: Classes::new(),
            style: None,
            muted: true,
            controls: false,
        }
    }
}

/// Props of [`Streamer`].
#[derive(Properties, PartialEq, Clone)]
pub struct StreamerProps {
    /// The element id; also prefixes the controls' ids and keys the
    /// remembered devices in `localStorage`, so give each Streamer on a
    /// page its own.
    #[prop_or(AttrValue::Static("framewise"))]
    pub id: AttrValue,
    /// Registry name of the video processor to run (it must be compiled
    /// into the worker at `worker_url`).
    pub processor: AttrValue,
    /// Its params, `{"name": value}`; missing ones take their defaults.
    /// A change is sent to the running worker and applied between frames
    /// (and replaces what the controls set).
    #[prop_or_else(|| Value::Object(Default::default()))]
    pub params: Value,
    /// The processor's description and param schema (e.g.
    /// `Registry::info(name)`): when given, the Streamer draws a control
    /// per param (slider, checkbox, select, colour picker) that changes
    /// the running processor live. Leave params out of `params.params` to
    /// hide their controls.
    #[prop_or_default]
    pub schema: Option<ProcessorInfo>,
    /// Called with the complete params after each change made with the
    /// controls.
    #[prop_or_default]
    pub on_params: Callback<Value>,
    /// Desired state for programmatic start and stop: `Some(true)` starts
    /// (as START does), `Some(false)` stops; `None` leaves it to the
    /// buttons.
    #[prop_or_default]
    pub playing: Option<bool>,
    /// Called with every state change.
    #[prop_or_default]
    pub on_state: Callback<StreamerState>,
    /// Called with each result the processor emits, as it arrives.
    #[prop_or_default]
    pub on_result: Callback<Value>,
    /// Called with the stats (input/output fps, processing ms p50/p95,
    /// dropped frames, added latency, time to the first frame, where
    /// processing runs) after the first processed frame and then every
    /// few frames.
    #[prop_or_default]
    pub on_stats: Callback<StreamStats>,
    /// URL of the worker script: the loader trunk emits for the app's
    /// worker bin (`data-type="worker" data-loader-shim`), e.g.
    /// `./worker_loader.js`.
    pub worker_url: AttrValue,
    /// Requested (ideal) camera width.
    #[prop_or(640)]
    pub width: u32,
    /// Requested (ideal) camera height.
    #[prop_or(480)]
    pub height: u32,
    /// Requested (ideal) camera frame rate.
    #[prop_or(30.0)]
    pub frame_rate: f64,
    /// Requested (ideal) camera facing, unless a camera is picked.
    #[prop_or_default]
    pub facing_mode: Option<FacingMode>,
    /// Also capture the microphone and play it, unprocessed, with the
    /// output (muted unless `video` says otherwise).
    #[prop_or_default]
    pub audio: bool,
    /// Attributes of the output `<video>`.
    #[prop_or_default]
    pub video: VideoAttributes,
    /// Also show the raw camera next to the output (may change while
    /// running).
    #[prop_or_default]
    pub show_input: bool,
    /// Show the stats overlay on the output video.
    #[prop_or(true)]
    pub show_stats: bool,
    /// Draw the controls for `schema`'s params (set false when the app
    /// draws its own and passes `schema` only for the cost hint Auto
    /// placement uses).
    #[prop_or(true)]
    pub show_controls: bool,
    /// Show the camera (and, with audio, microphone) picker.
    #[prop_or(true)]
    pub show_devices: bool,
    /// Every string the Streamer shows; [`StreamerText::default`] is
    /// English.
    #[prop_or_default]
    pub text: Rc<StreamerText>,
    /// Where frames are processed: [`Placement::Local`] (the default: no
    /// frame leaves the device), `Remote { server }` or `Auto { server }`.
    /// Read at START.
    #[prop_or_default]
    pub placement: Placement,
    /// STUN/TURN servers for the connection to a processing server.
    #[prop_or_default]
    pub ice_servers: Vec<IceServerConfig>,
}

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
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let source_ref = use_node_ref();

    let context = Context {
        model: model.dispatcher(),
        session: session.clone(),
        props: latest.clone(),
        params: current_params,
        input: input_ref.clone(),
        output: output_ref.clone(),
        source: source_ref.clone(),
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
                let session = session.borrow();
                if let (Some(worker), true) = (session.worker(), session.started) {
                    let message = ToWorker::Configure {
                        processor: processor.to_string(),
                        params: params.clone(),
                    };
                    if let Err(error) = post(worker, &message, &[]) {
                        web_sys::console::warn_1(&error.into());
                    }
                }
                if let Some(remote) = &session.remote {
                    // The first params went with the offer.
                    if let Err(error) = remote.borrow().send_params(params) {
                        web_sys::console::warn_1(&error.into());
                    }
                }
            },
        );
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
    let stats = match (&model.stats, props.show_stats) {
        (Some(s), true) => html! {
            <div class="fw-stats" aria-live="off">
                { for s.lines().into_iter().map(|line| html! { <div>{ line }</div> }) }
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
        let mut kinds = vec![(DeviceKind::Camera, &text.camera)];
        if props.audio {
            kinds.push((DeviceKind::Microphone, &text.microphone));
        }
        html! {
            <div class="fw-devices">
                { for kinds.into_iter().map(|(kind, label)| picker(&context, &model, props, kind, label)) }
            </div>
        }
    });
    let controls = props
        .schema
        .clone()
        .filter(|_| props.show_controls)
        .map(|info| {
            let on_change = {
                let (params, on_params) = (params.clone(), props.on_params.clone());
                Callback::from(move |change: Value| {
                    let mut next = (*params).clone();
                    merge(&mut next, &change);
                    on_params.emit(next.clone());
                    params.set(next);
                })
            };
            html! {
                <ParamControls {info} values={(*params).clone()} {on_change}
                               id_prefix={props.id.clone()} />
            }
        });
    let video = &props.video;
    html! {
        <div class="fw-streamer" id={props.id.clone()} data-state={model.state.name()}
             data-path={path} data-runs-at={runs_at} data-restarts={model.restarts.to_string()}>
            <div class="fw-bar">
                <button class="fw-start" onclick={onstart} disabled={model.is_active()}>{ &text.start }</button>
                <button class="fw-stop" onclick={onstop} disabled={!model.is_active()}>{ &text.stop }</button>
                <span class="fw-status">{ status }</span>
                { for sending }
                { for pickers }
            </div>
            <div class="fw-videos">
                if props.show_input {
                    <figure>
                        <video class="fw-input" ref={input_ref} autoplay=true muted=true playsinline=true />
                        <figcaption>{ &text.camera }</figcaption>
                    </figure>
                }
                <figure>
                    <div class="fw-output-box">
                        <video class={classes!("fw-output", video.class.clone())} ref={output_ref}
                               style={video.style.clone()} muted={video.muted}
                               controls={video.controls} autoplay=true playsinline=true />
                        { stats }
                    </div>
                    <figcaption>{ format!("{} · {}", text.output, props.processor) }</figcaption>
                </figure>
            </div>
            { for controls }
            // The fallback path's camera player: in the page so that it
            // plays and presents frames, but not seen.
            <video class="fw-source" ref={source_ref} muted=true playsinline=true
                   aria-hidden="true"
                   style="position:absolute;width:2px;height:2px;opacity:0.01;pointer-events:none" />
            <p class="fw-error" role="alert" hidden={error.is_none()}>{ error.unwrap_or_default() }</p>
        </div>
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
