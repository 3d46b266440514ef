//! The demo page: a processor picker, controls drawn from the chosen
//! processor's schema, and input/output canvases with the time it took.
//!
//! After each run the page writes what happened on `<body>` as data
//! attributes, for the end-to-end tests (`tests/`): `data-status` (`ok`,
//! `error`, `audio`), `data-processor`, `data-width`, `data-height`,
//! `data-ms`, `data-input-checksum` / `data-output-checksum` (FNV-1a 64 of
//! the frames' RGBA bytes, hex), `data-input-samples` /
//! `data-output-samples` (`[[x, y, r, g, b, a], …]` read back from the
//! canvases), `data-results` (JSON) and `data-error`.
//!
//! The page opens on the camera view: a [`Streamer`] running the chosen
//! processor in the worker, its params driven by the same controls, START
//! on the first screen (`?mode=still` shows the still image instead);
//! `&autostart=1` starts it without a click (its `playing` prop), and
//! `&width=W&height=H` sets the camera size it asks for (default 640×480;
//! `cargo xtask bench local` uses it for 1280×720), `&audio=1` (or the
//! Microphone box) passes the microphone through to the output,
//! `&input=0` (or the Camera input box) hides the raw camera view next to
//! the output, and `&placement=local|remote|auto` (or the Local / Server / Auto switch)
//! says where frames are processed (the server: this page's origin),
//! `&source=…` and `&stream=…` where the video comes from and which way it
//! flows ([`crate::streams`]). Then the
//! page publishes `data-camera-state` (`idle`, `starting`, `playing`,
//! `restarting`, `failed`), `data-camera-error` and `data-camera-stats`
//! (the Streamer's [`StreamStats`] as JSON, updated every few frames), and
//! after SNAPSHOT `data-snapshot-url` (an object URL of the PNG); RECORD
//! and RECORD INPUT fill [`crate::recordings`].
//!
//! An audio processor shows the live view of [`crate::audio`]: the
//! microphone through it, the video passed through.

use std::cell::RefCell;
use std::rc::Rc;

use framewise::{synth, MediaKind, ProcessorInfo, Registry, VideoFrame, VideoPipeline};

use crate::catalog::Catalog;
use framewise_yew::{canvas, ParamControls, StreamStats, Streamer, StreamerState};
use serde_json::{json, Value};
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::audio::AudioLive;
use crate::audio_picker::{AudioChoice, AudioPicker};
use crate::placement::{placement_from_url, placement_switch, PlacementChoice};
use crate::state::{Action, Demo, Report};
use crate::streams::{
    source_from_url, source_switch, stream_mode_from_url, stream_mode_switch, SourceChoice,
};

/// Size of the generated input image.
const WIDTH: u32 = 640;
/// Size of the generated input image.
const HEIGHT: u32 = 480;
/// Shown when the URL names no processor.
const DEFAULT_PROCESSOR: &str = "canny";
/// Where pixels are read back from the canvases for the tests.
const SAMPLE_POINTS: [(u32, u32); 6] = [
    (0, 0),
    (100, 50),
    (213, 240),
    (320, 240),
    (500, 150),
    (639, 479),
];
/// The worker script trunk emits for `src/worker.rs` (see index.html).
pub(crate) const WORKER_URL: &str = "./framewise-worker_loader.js";
/// A timed batch aims at about this long…
const BATCH_BUDGET_MS: f64 = 30.0;
/// …but never runs more frames than this.
const MAX_RUNS: u32 = 10;

/// The page.
#[function_component]
pub fn App() -> Html {
    let registry = use_memo((), |()| Catalog::builtins());
    let state = use_reducer(|| {
        let (processor, seed) = choice_from_url();
        Demo::new(
            processor.unwrap_or_else(|| DEFAULT_PROCESSOR.to_owned()),
            seed.unwrap_or(1),
        )
    });
    let input = use_memo(state.seed, |seed| {
        synth::textured_frame(WIDTH, HEIGHT, *seed)
    });
    let pipeline = use_mut_ref(|| None::<(String, VideoPipeline)>);
    let (camera_from_url, autostart) = camera_from_url();
    let (camera_width, camera_height) = *use_memo((), |()| camera_size_from_url());
    let camera = use_state(|| camera_from_url);
    let audio = use_state(|| flag_from_url("audio") == Some(true));
    let show_input = use_state(|| flag_from_url("input") != Some(false));
    let camera_audio = use_state(|| AudioChoice::pick(audio_processor_from_url()));
    let placement = use_state(placement_from_url);
    let source_choice = use_state(source_from_url);
    let recordings = use_state(crate::recordings::Shelf::default);
    let stream_mode = use_state(stream_mode_from_url);
    let video_source = use_memo(
        ((*source_choice).clone(), camera_width, camera_height),
        |(choice, width, height)| choice.source(*width, *height),
    );
    let playing = use_state(|| autostart.then_some(true));
    let last_result = use_state(|| None::<Value>);
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();

    {
        let deps = (
            state.selected.clone(),
            state.params.clone(),
            state.seed,
            *camera,
        );
        let (registry, input, dispatcher) = (registry.clone(), input.clone(), state.dispatcher());
        let canvases = (input_ref.clone(), output_ref.clone());
        use_effect_with(deps, move |(name, params, _seed, camera)| {
            if *camera {
                // The camera view has no still-image canvases.
            } else if registry.info(name).map(|info| info.kind) == Some(MediaKind::Audio) {
                publish(&[("status", "audio".into()), ("processor", name.clone())]);
            } else {
                let run = Run {
                    registry: &registry.video,
                    pipeline: &pipeline,
                    name,
                    params,
                    input: &input,
                };
                dispatcher.dispatch(Action::Finished(run.go(&canvases.0, &canvases.1)));
            }
        });
    }

    let on_select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |name: String| {
            remember_in_url(&name);
            dispatcher.dispatch(Action::Select(name));
        })
    };
    let on_change = {
        let dispatcher = state.dispatcher();
        Callback::from(move |change: Value| dispatcher.dispatch(Action::Change(change)))
    };
    let on_reseed = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Reseed))
    };

    let on_mode = {
        let (camera, playing) = (camera.clone(), playing.clone());
        Callback::from(move |to_camera: bool| {
            playing.set(None);
            camera.set(to_camera);
        })
    };
    let on_state = Callback::from(publish_camera_state);
    let on_placement = {
        let placement = placement.clone();
        Callback::from(move |choice: PlacementChoice| placement.set(choice))
    };
    let on_source = {
        let source_choice = source_choice.clone();
        Callback::from(move |choice: SourceChoice| source_choice.set(choice))
    };
    let on_stream_mode = {
        let stream_mode = stream_mode.clone();
        Callback::from(move |mode: framewise_yew::StreamMode| stream_mode.set(mode))
    };
    let on_recording = crate::recordings::on_recording(&recordings);
    let on_snapshot = Callback::from(|png: web_sys::Blob| {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&png) {
            publish(&[("snapshotUrl", url)]);
        }
    });
    let on_audio = {
        let audio = audio.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            audio.set(input.checked());
        })
    };
    let on_show_input = {
        let show_input = show_input.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            show_input.set(input.checked());
        })
    };
    let on_camera_audio = {
        let camera_audio = camera_audio.clone();
        Callback::from(move |choice: AudioChoice| camera_audio.set(choice))
    };
    let audio_infos: Vec<ProcessorInfo> = registry
        .infos()
        .filter(|info| info.kind == MediaKind::Audio)
        .cloned()
        .collect();
    let on_stats = Callback::from(publish_camera_stats);
    let on_result = {
        let last_result = last_result.clone();
        Callback::from(move |result: Value| last_result.set(Some(result)))
    };

    let infos: Vec<ProcessorInfo> = registry.infos().cloned().collect();
    let selected = registry.info(&state.selected).cloned();
    let microphone = *audio
        || camera_audio.processor.is_some()
        || selected.as_ref().is_some_and(|info| info.hears_audio);
    let main = match &selected {
        Some(info) => {
            let controls = html! {
                <section class="card">
                    <h2>{ "Parameters" }</h2>
                    <ParamControls info={info.clone()} values={state.params.clone()} {on_change} />
                </section>
            };
            let body = match info.kind {
                MediaKind::Video if *camera => html! {
                    <>
                        <section class="card">
                            <div class="camera-options">
                                { source_switch(&source_choice, &on_source) }
                                { stream_mode_switch(*stream_mode, &on_stream_mode) }
                                { placement_switch(*placement, &on_placement) }
                                <label class="audio-toggle">
                                    <input type="checkbox" checked={microphone}
                                        disabled={info.hears_audio || camera_audio.processor.is_some()}
                                        onchange={on_audio} />
                                    { if info.hears_audio {
                                        " Microphone (drawn by this processor)"
                                    } else {
                                        " Microphone"
                                    } }
                                </label>
                                <AudioPicker infos={audio_infos.clone()} choice={(*camera_audio).clone()}
                                    on_choice={on_camera_audio.clone()} />
                                <label class="audio-toggle input-toggle">
                                    <input type="checkbox" checked={*show_input} onchange={on_show_input} />
                                    { " Camera input view" }
                                </label>
                            </div>
                            <Streamer processor={info.name.clone()} params={state.params.clone()}
                                schema={info.clone()} show_controls=false
                                placement={placement.placement()}
                                source={(*video_source).clone()} mode={*stream_mode}
                                on_snapshot={Some(on_snapshot)}
                                on_recording={Some(on_recording)} record_input=true
                                playing={*playing} worker_url={WORKER_URL} show_input={*show_input}
                                width={camera_width} height={camera_height} audio={microphone}
                                audio_processor={camera_audio.processor.clone().map(AttrValue::from)}
                                audio_params={camera_audio.params.clone()}
                                show_audio_plots=true {on_state} {on_result} {on_stats} />
                        </section>
                        { results_card((*last_result).iter().cloned().collect()) }
                        { crate::recordings::card(&recordings) }
                    </>
                },
                MediaKind::Video => video_view(&state, info, &input_ref, &output_ref, on_reseed),
                MediaKind::Audio => html! {
                    <AudioLive info={info.clone()} params={state.params.clone()} playing={*playing}
                        placement={*placement} {on_placement} {on_state} {on_stats} />
                },
            };
            let modes = (info.kind == MediaKind::Video).then(|| mode_switch(*camera, &on_mode));
            // The camera view puts the Streamer (and START) first.
            match *camera && info.kind == MediaKind::Video {
                true => html! { <>{ heading(info) }{ modes }{ body }{ controls }</> },
                false => html! { <>{ heading(info) }{ modes }{ controls }{ body }</> },
            }
        }
        None => {
            let message = registry
                .video
                .video(&state.selected, &json!({}))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            html! {
                <>
                    <section class="card"><h1>{ state.selected.clone() }</h1></section>
                    <section class="card error"><p>{ message }</p></section>
                    <canvas ref={input_ref.clone()} hidden=true />
                    <canvas ref={output_ref.clone()} hidden=true />
                </>
            }
        }
    };
    let (videos, audios) = infos
        .iter()
        .partition::<Vec<_>, _>(|i| i.kind == MediaKind::Video);

    html! {
        <div class="app">
            <header class="top">
                <div class="brand"><span class="logo" aria-hidden="true"></span>{ "Framewise" }</div>
                <p class="tagline">
                    { "Real-time video and audio processors written in Rust — running right here, in your browser, as WebAssembly." }
                </p>
            </header>
            <div class="layout">
                <nav class="sidebar">
                    { picker("Video processors", &videos, &state.selected, &on_select) }
                    { picker("Audio processors", &audios, &state.selected, &on_select) }
                </nav>
                <main class="content">{ main }</main>
            </div>
            <footer class="bottom">
                { format!("{} video and {} audio processors built in · everything on this page runs locally in WebAssembly; no pixel leaves the browser.", videos.len(), audios.len()) }
            </footer>
        </div>
    }
}

fn cost_name(info: &ProcessorInfo) -> String {
    serde_json::to_value(info.cost)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn picker(
    title: &str,
    infos: &[&ProcessorInfo],
    selected: &str,
    on_select: &Callback<String>,
) -> Html {
    html! {
        <section class="picker">
            <h2>{ title }</h2>
            <ul>
                { for infos.iter().map(|info| {
                    let name = info.name.clone();
                    let onclick = on_select.reform(move |_: MouseEvent| name.clone());
                    let active = (info.name == selected).then_some("active");
                    let cost = cost_name(info);
                    html! {
                        <li>
                            <button class={classes!("proc", active)} {onclick} title={info.description.clone()}
                                data-name={info.name.clone()}>
                                <span class="proc-name">{ info.name.clone() }</span>
                                <span class={classes!("pill", format!("cost-{cost}"))}>{ cost }</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

fn heading(info: &ProcessorInfo) -> Html {
    let kind = match info.kind {
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
    };
    let cost = cost_name(info);
    html! {
        <section class="card heading">
            <div class="title-row">
                <h1>{ info.name.clone() }</h1>
                <span class={classes!("pill", format!("kind-{kind}"))}>{ kind }</span>
                <span class={classes!("pill", format!("cost-{cost}"))}>{ format!("{cost} cost") }</span>
            </div>
            <p class="description">{ info.description.clone() }</p>
        </section>
    }
}

fn video_view(
    state: &Demo,
    info: &ProcessorInfo,
    input_ref: &NodeRef,
    output_ref: &NodeRef,
    on_reseed: Callback<MouseEvent>,
) -> Html {
    let report = state.report.as_ref().filter(|r| r.processor == info.name);
    let stats = match report {
        Some(Report {
            error: Some(error), ..
        }) => html! { <p class="run-error">{ error.clone() }</p> },
        Some(report) => html! {
            <p class="stats">
                <span class="metric">{ format!("{:.2} ms", report.ms) }</span>
                { format!(" per {WIDTH}×{HEIGHT} frame in WebAssembly (mean of {} runs, processing only)", report.runs) }
            </p>
        },
        None => html! { <p class="stats">{ "Processing…" }</p> },
    };
    let results = results_card(report.map(|r| r.results.clone()).unwrap_or_default());
    html! {
        <>
            <section class="card">
                <div class="frames">
                    <figure>
                        <canvas ref={input_ref.clone()} width={WIDTH.to_string()} height={HEIGHT.to_string()} />
                        <figcaption>
                            <span>{ format!("Input · generated {WIDTH}×{HEIGHT} · seed {}", state.seed) }</span>
                            <button class="ghost" onclick={on_reseed}>{ "New image" }</button>
                        </figcaption>
                    </figure>
                    <figure>
                        <canvas ref={output_ref.clone()} width={WIDTH.to_string()} height={HEIGHT.to_string()} />
                        <figcaption><span>{ format!("Output · {}", info.name) }</span></figcaption>
                    </figure>
                </div>
                { stats }
            </section>
            { results }
        </>
    }
}

/// The processor's results, if there are any.
pub(crate) fn results_card(results: Vec<Value>) -> Html {
    if results.is_empty() {
        return html! {};
    }
    let text = compact_pretty(&Value::from(results), 0);
    html! { <section class="card"><h2>{ "Results" }</h2><pre class="results">{ text }</pre></section> }
}

/// Camera | Still image, then the links to the fork and mix pages.
fn mode_switch(camera: bool, on_mode: &Callback<bool>) -> Html {
    let button = |label: &str, to_camera: bool| {
        let active = (camera == to_camera).then_some("active");
        let onclick = on_mode.reform(move |_: MouseEvent| to_camera);
        html! { <button class={classes!("mode", active)} {onclick}>{ label.to_owned() }</button> }
    };
    html! {
        <div class="view-switches">
            <div class="modes" role="tablist">
                { button("Camera", true) }
                { button("Still image", false) }
            </div>
            { crate::pages::page_links(crate::pages::Page::Processors) }
        </div>
    }
}

/// One run of the chosen video processor on the input image.
struct Run<'a> {
    registry: &'a Registry,
    pipeline: &'a Rc<RefCell<Option<(String, VideoPipeline)>>>,
    name: &'a str,
    params: &'a Value,
    input: &'a VideoFrame,
}

impl Run<'_> {
    /// Processes, draws both canvases, publishes the outcome on `<body>`.
    fn go(self, input_ref: &NodeRef, output_ref: &NodeRef) -> Report {
        let (input_canvas, output_canvas) = (
            input_ref.cast::<HtmlCanvasElement>(),
            output_ref.cast::<HtmlCanvasElement>(),
        );
        let outcome = self.process().and_then(|(ms, runs, results, output)| {
            let (Some(input_canvas), Some(output_canvas)) = (&input_canvas, &output_canvas) else {
                return Err("the canvases are not on the page".to_owned());
            };
            canvas::draw_frame(input_canvas, self.input).map_err(|e| e.to_string())?;
            canvas::draw_frame(output_canvas, &output).map_err(|e| e.to_string())?;
            publish(&[
                ("processor", self.name.to_owned()),
                ("width", output.width().to_string()),
                ("height", output.height().to_string()),
                ("ms", format!("{ms:.4}")),
                (
                    "inputChecksum",
                    format!("{:016x}", fnv1a(self.input.data())),
                ),
                ("outputChecksum", format!("{:016x}", fnv1a(output.data()))),
                ("inputSamples", samples(input_canvas)),
                ("outputSamples", samples(output_canvas)),
                ("results", Value::from(results.clone()).to_string()),
                ("error", String::new()),
                ("status", "ok".to_owned()),
            ]);
            Ok(Report {
                processor: self.name.to_owned(),
                ms,
                runs,
                results,
                error: None,
            })
        });
        outcome.unwrap_or_else(|error| {
            publish(&[
                ("processor", self.name.to_owned()),
                ("error", error.clone()),
                ("status", "error".to_owned()),
            ]);
            Report {
                processor: self.name.to_owned(),
                ms: 0.0,
                runs: 0,
                results: Vec::new(),
                error: Some(error),
            }
        })
    }

    /// Builds or updates the pipeline, then times a batch of frames.
    /// Returns (ms per frame, frames timed, last results, last output).
    fn process(&self) -> Result<(f64, u32, Vec<Value>, VideoFrame), String> {
        let mut cache = self.pipeline.borrow_mut();
        if cache.as_ref().is_none_or(|(name, _)| name != self.name) {
            let mut built = self
                .registry
                .video(self.name, self.params)
                .map_err(|e| e.to_string())?;
            hear_demo_sound(&mut built);
            *cache = Some((self.name.to_owned(), built));
        }
        let Some((_, pipeline)) = cache.as_mut() else {
            return Err("no pipeline".to_owned());
        };
        pipeline
            .set_params(self.params)
            .map_err(|e| e.to_string())?;

        let mut output = self.input.clone();
        let started = now();
        let mut results = pipeline.process(&mut output).map_err(|e| e.to_string())?;
        let first = now() - started;
        let runs = ((BATCH_BUDGET_MS / first.max(0.05)).ceil() as u32).clamp(1, MAX_RUNS);
        let mut frames: Vec<VideoFrame> = (0..runs).map(|_| self.input.clone()).collect();
        let started = now();
        for frame in &mut frames {
            results = pipeline.process(frame).map_err(|e| e.to_string())?;
        }
        let ms = (now() - started) / f64::from(runs);
        Ok((ms, runs, results, frames.pop().unwrap_or(output)))
    }
}

/// What a processor that hears audio hears in the still-image view (the
/// camera view gives it the microphone): a 4 s sweep from 100 Hz to
/// 6.4 kHz in 10 ms blocks.
fn hear_demo_sound(pipeline: &mut VideoPipeline) {
    if !pipeline.info().hears_audio {
        return;
    }
    let sweep = synth::chirp(48_000, 4.0, 100.0, 6_400.0, 0.5);
    for block in sweep.samples().chunks(480) {
        if let Ok(block) = framewise::AudioFrame::new(48_000, 1, block.to_vec(), 0) {
            pipeline.hear(&block);
        }
    }
}

/// Pretty JSON with lists of plain numbers kept on one line (histograms).
fn compact_pretty(value: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let end = "  ".repeat(indent);
    match value {
        Value::Array(items) if items.iter().all(Value::is_number) => {
            let numbers: Vec<String> = items.iter().map(Value::to_string).collect();
            format!("[{}]", numbers.join(", "))
        }
        Value::Array(items) if !items.is_empty() => {
            let inner: Vec<String> = items
                .iter()
                .map(|item| format!("{pad}{}", compact_pretty(item, indent + 1)))
                .collect();
            format!("[\n{}\n{end}]", inner.join(",\n"))
        }
        Value::Object(fields) if !fields.is_empty() => {
            let inner: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{pad}{}: {}",
                        Value::from(k.as_str()),
                        compact_pretty(v, indent + 1)
                    )
                })
                .collect();
            format!("{{\n{}\n{end}}}", inner.join(",\n"))
        }
        other => other.to_string(),
    }
}

/// `[[x, y, r, g, b, a], …]` at [`SAMPLE_POINTS`] inside the canvas.
fn samples(canvas: &HtmlCanvasElement) -> String {
    let points: Vec<Value> = SAMPLE_POINTS
        .iter()
        .filter_map(|&(x, y)| {
            let rgba = canvas::read_rgba(canvas, x, y, 1, 1).ok()?;
            Some(json!([x, y, rgba[0], rgba[1], rgba[2], rgba[3]]))
        })
        .collect();
    Value::from(points).to_string()
}

/// FNV-1a, 64 bits: a checksum the end-to-end test recomputes natively.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `performance.now()` in ms (0 where unavailable).
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Publishes a Streamer's state as `data-camera-state` and its error, if
/// any, as `data-camera-error`.
pub(crate) fn publish_camera_state(state: StreamerState) {
    let error = match &state {
        StreamerState::Failed(message) | StreamerState::Restarting(message) => message.clone(),
        _ => String::new(),
    };
    publish(&[
        ("cameraState", state.name().to_owned()),
        ("cameraError", error),
    ]);
}

/// Publishes a Streamer's stats as `data-camera-stats` (JSON).
pub(crate) fn publish_camera_stats(stats: StreamStats) {
    let json = serde_json::to_string(&stats).unwrap_or_default();
    publish(&[("cameraStats", json)]);
}

/// Sets `data-*` attributes on `<body>` (names in camelCase).
pub(crate) fn publish(pairs: &[(&str, String)]) {
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body());
    if let Some(body) = body {
        let data = body.dataset();
        for (name, value) in pairs {
            // Setting a valid camelCase name on a DOMStringMap cannot fail.
            let _ = data.set(name, value);
        }
    }
}

/// `?processor=NAME&seed=N` from the page URL.
fn choice_from_url() -> (Option<String>, Option<u64>) {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    let query = search.and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let Some(query) = query else {
        return (None, None);
    };
    let processor = query.get("processor").filter(|p| !p.is_empty());
    let seed = query.get("seed").and_then(|s| s.parse().ok());
    (processor, seed)
}

/// The camera view unless `?mode=still`, and `&autostart=1`, from the
/// page URL.
fn camera_from_url() -> (bool, bool) {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    let query = search.and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let Some(query) = query else {
        return (true, false);
    };
    let camera = query.get("mode").as_deref() != Some("still");
    let autostart = query.get("autostart").as_deref() == Some("1");
    (camera, camera && autostart)
}

/// `&audio_processor=NAME` in the page URL: the Camera tab's audio
/// processor.
fn audio_processor_from_url() -> Option<String> {
    let search = web_sys::window().and_then(|w| w.location().search().ok())?;
    let query = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    query.get("audio_processor").filter(|p| !p.is_empty())
}

/// `&{name}=1` (true) or `&{name}=0` (false) in the page URL.
pub(crate) fn flag_from_url(name: &str) -> Option<bool> {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    let query = search.and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    match query.and_then(|q| q.get(name)).as_deref() {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// `&width=W&height=H` from the page URL: the camera size the Streamer
/// asks for (ideal), 640×480 unless both are given as whole numbers from 1
/// to 4096.
pub(crate) fn camera_size_from_url() -> (u32, u32) {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    let query = search.and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let size = |name: &str| {
        query
            .as_ref()
            .and_then(|q| q.get(name))
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|v| (1..=4096).contains(v))
    };
    match (size("width"), size("height")) {
        (Some(width), Some(height)) => (width, height),
        _ => (WIDTH, HEIGHT),
    }
}

/// Puts the chosen processor in the URL, so a reload or a shared link
/// shows it again.
fn remember_in_url(name: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let url = format!("?processor={name}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_lists_stay_on_one_line() {
        let value = json!([{"histogram": [1, 2, 3], "mean": 1.5, "motion": null}]);
        let text = compact_pretty(&value, 0);
        assert_eq!(
            text,
            "[\n  {\n    \"histogram\": [1, 2, 3],\n    \"mean\": 1.5,\n    \"motion\": null\n  }\n]"
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
