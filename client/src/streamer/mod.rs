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
//! The map, from what an app touches to what the browser does:
//!
//! - [`props`] and `view`: what an app sets and what the component
//!   draws; [`model`]: its state and reducer; [`text`]: every string shown
//!   and the message for each [`StreamerError`] ([`error`]).
//! - `session`: what runs between START and STOP, put together from the
//!   parts below; the only place that holds them all.
//! - [`capture`]: the camera and microphone; [`devices`]: the device list
//!   and the remembered choice; [`source`]: the other sources (screen,
//!   file, generated frames); [`mode`]: send-recv, send-only,
//!   receive-only; `snapshot`: the shown frame as a PNG; [`recording`]:
//!   the input or output to WebM.
//! - [`worker_link`]: the processing worker as the page sees it;
//!   [`worker_life`]: when it counts as ready, and what a failure leads to.
//! - [`video_path`]: how frames reach the worker and come back, one
//!   module per way the browser allows; [`output`]: what the output plays.
//! - [`plots`]: the live waveform and spectrum of the microphone and the
//!   output's audio.
//! - [`placement`]: local, remote or auto, and when Auto moves;
//!   [`remote`]: the session with a `framewise-server` over WebRTC.
//!
//! Plain decisions (the reducer, worker life, path choice, placement,
//! device choices, signaling) are tested natively.

pub mod audio_path;
pub mod capture;
pub mod devices;
pub mod error;
pub mod mode;
pub mod model;
pub mod output;
pub mod placement;
pub mod plots;
pub mod props;
pub mod recording;
pub mod remote;
mod session;
mod snapshot;
pub mod source;
pub mod text;
pub mod video_path;
mod view;
pub mod worker_life;
pub mod worker_link;

pub use devices::{Device, DeviceKind};
pub use error::StreamerError;
pub use mode::StreamMode;
pub use model::{StreamerAction, StreamerModel, StreamerState};
pub use placement::Placement;
pub use props::{FacingMode, StreamerProps, VideoAttributes};
pub use recording::{RecordedStream, Recording, RecordingError};
pub use remote::IceServerConfig;
pub use source::{FileSource, Generator, Mix, MixError, SharedSource, VideoSource};
pub use text::StreamerText;
pub use view::Streamer;

/// The track processor's queue (`maxBufferSize`): frames that arrive
/// while the worker processes one wait here (bounded) until its reader
/// drains them; see [`worker`](crate::worker) for the latest-frame-wins
/// rule.
pub const CAMERA_QUEUE: u32 = 3;
