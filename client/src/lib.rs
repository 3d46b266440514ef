//! # framewise-yew — Framewise in a Yew app
//!
//! Browser-side building blocks around the [`framewise`] core:
//!
//! - [`ParamControls`]: draws one control per param of a processor's
//!   schema and reports changes as JSON, ready for
//!   [`VideoPipeline::set_params`](framewise::VideoPipeline::set_params);
//! - [`canvas`]: draws a [`VideoFrame`](framewise::VideoFrame) on a
//!   `<canvas>` and reads pixels back.
//!
//! The camera `<Streamer>` component (capture, worker, local pipeline) is
//! the next step.
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

pub mod canvas;
pub mod controls;

pub use controls::{ParamControls, ParamControlsProps};
