//! The Streamer's props: what an app sets on `<Streamer …>`.

use std::rc::Rc;

use framewise::ProcessorInfo;
use serde_json::Value;
use yew::prelude::*;

use super::mode::StreamMode;
use super::model::StreamerState;
use super::placement::Placement;
use super::recording::Recording;
use super::remote::IceServerConfig;
use super::source::VideoSource;
use super::text::StreamerText;
use crate::stats::StreamStats;

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
    /// through it, and speakers near the microphone would howl (the
    /// Streamer's `monitor` unmutes it too).
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
    /// into the worker at `worker_url`); `passthrough` by default.
    #[prop_or(AttrValue::Static("passthrough"))]
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
    /// Capture the camera and run `processor` on it (the default). Off,
    /// the Streamer is audio only: the microphone (`audio` must be on)
    /// through `audio_processor`, its results and plots, no worker and
    /// no video.
    #[prop_or(true)]
    pub camera: bool,
    /// Where the video comes from: the camera (the default), the screen,
    /// a video file or frames the app generates. Read at START.
    #[prop_or_default]
    pub source: VideoSource,
    /// Which way media flows: [`StreamMode::SendRecv`] (the default),
    /// `SendOnly` (processed for results only, no output video) or
    /// `RecvOnly` (a generated or file source shown, nothing captured).
    /// Read at START.
    #[prop_or_default]
    pub mode: StreamMode,
    /// Called with a PNG of the processed frame shown when the snapshot
    /// button is pressed; without it, the button downloads the PNG.
    #[prop_or_default]
    pub on_snapshot: Option<Callback<web_sys::Blob>>,
    /// Show the snapshot button (on by default; it needs an output video).
    #[prop_or(true)]
    pub show_snapshot: bool,
    /// Show the RECORD button, which records the output (video and its
    /// sound) to WebM: on by default; it needs an output video.
    #[prop_or(true)]
    pub show_record: bool,
    /// Also show RECORD INPUT, which records what the processor gets.
    #[prop_or_default]
    pub record_input: bool,
    /// Called with each finished recording (WebM with its duration); without
    /// it, recordings are downloaded.
    #[prop_or_default]
    pub on_recording: Option<Callback<Recording>>,
    /// Also capture the microphone and put it in the output (silent
    /// unless `monitor` is on), processed by `audio_processor` if one is
    /// named.
    #[prop_or_default]
    pub audio: bool,
    /// Play the output's sound (the processed microphone) on the
    /// speakers. Off by default: with the microphone near the speakers,
    /// monitoring echoes (use headphones). Off and without plots or
    /// results to look at, audio is analysis only: send-only.
    #[prop_or_default]
    pub monitor: bool,
    /// Registry name of the audio processor to run on the microphone (with
    /// `audio` on), locally in an `AudioWorklet` that loads the same worker
    /// wasm as `worker_url`; `None` plays the microphone unprocessed. With
    /// one, the microphone is opened raw (no echo cancellation, noise
    /// suppression or automatic gain).
    #[prop_or_default]
    pub audio_processor: Option<AttrValue>,
    /// Its params, `{"name": value}`; a change applies between render
    /// quanta (and replaces what the controls set).
    #[prop_or_else(|| Value::Object(Default::default()))]
    pub audio_params: Value,
    /// The audio processor's description and schema: when given, the
    /// Streamer draws a control per param after the video's.
    #[prop_or_default]
    pub audio_schema: Option<ProcessorInfo>,
    /// Called with the complete audio params after each change made with
    /// the controls.
    #[prop_or_default]
    pub on_audio_params: Callback<Value>,
    /// Attributes of the output `<video>`.
    #[prop_or_default]
    pub video: VideoAttributes,
    /// Also show the raw camera next to the output (may change while
    /// running).
    #[prop_or_default]
    pub show_input: bool,
    /// With `audio`, draw live plots under the videos: the waveform and
    /// spectrum of the microphone and of the output's audio (processed,
    /// locally or by the server), at display rate.
    #[prop_or_default]
    pub show_audio_plots: bool,
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
