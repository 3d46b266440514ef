//! # framewise-yew — Framewise in a Yew app
//!
//! Browser-side building blocks around the [`framewise`] core:
//!
//! - [`ParamControls`]: draws one control per param of a processor's
//!   schema and reports changes as JSON, ready for
//!   [`VideoPipeline::set_params`](framewise::VideoPipeline::set_params);
//! - [`canvas`]: draws a [`VideoFrame`](framewise::VideoFrame) on a
//!   `<canvas>` and reads pixels back;
//! - [`Streamer`]: START/STOP, the camera, a processor run on every frame
//!   in a worker, the processed output;
//! - [`worker::run`]: the worker's entry point, called from an app's tiny
//!   worker binary with the app's [`Registry`](framewise::Registry).
//!
//! ```no_run
//! use framewise::Registry;
//! use framewise_yew::ParamControls;
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn CannyControls() -> Html {
//!     let info = Registry::with_builtins().info("canny").cloned();
//!     let values = use_state(|| serde_json::json!({}));
//!     let on_change = {
//!         let values = values.clone();
//!         Callback::from(move |change: serde_json::Value| {
//!             let mut next = (*values).clone();
//!             framewise_yew::controls::merge(&mut next, &change);
//!             values.set(next);
//!         })
//!     };
//!     match info {
//!         Some(info) => html! { <ParamControls {info} values={(*values).clone()} {on_change} /> },
//!         None => html! {},
//!     }
//! }
//! ```

pub mod app;
pub mod canvas;
pub mod controls;
pub mod js;
pub mod protocol;
pub mod stats;
pub mod streamer;
pub mod worker;
#[cfg(feature = "audio")]
pub mod worklet;

pub use app::{use_params, UseParams};
pub use controls::{ParamControls, ParamControlsProps};
pub use stats::StreamStats;
pub use streamer::{
    Device, DeviceKind, FacingMode, FileSource, Generator, IceServerConfig, Mix, MixError,
    Placement, RecordedStream, Recording, RecordingError, SharedSource, StreamMode, Streamer,
    StreamerProps, StreamerState, StreamerText, VideoAttributes, VideoSource,
};
