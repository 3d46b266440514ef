//! The local audio path: the microphone through the app's audio
//! processor, into a track of the output stream, one of two ways.
//!
//! Where the page has `MediaStreamTrackProcessor` and
//! `MediaStreamTrackGenerator` (Chromium), in a worker of its own
//! ([`worker`]): `AudioData` blocks in, processed blocks out, no
//! `AudioContext` and so no buffering added. Elsewhere in an
//! `AudioWorklet` ([`node`]):
//! `microphone → MediaStreamAudioSourceNode → AudioWorkletNode →
//! MediaStreamAudioDestinationNode → output track`, in an `AudioContext`
//! of its own. The worklet runs the app's worker wasm a second time
//! ([`crate::worklet`]): this side fetches the worker's glue and wasm
//! (the names trunk gives them next to the loader, see [`glue_urls`]),
//! compiles the wasm, adds the worklet module and hands the compiled
//! module to the node. The worklet answers once it has opened the
//! processor (or why it could not); results and errors come as
//! [`AudioEvent`]s. Params go to the worklet's port and apply between
//! render quanta.
//!
//! All of it is behind the `audio` feature (on by default): an app built
//! without it carries none of this code, and an audio processor named
//! there is a clear [`AudioError::NotBuilt`].

#[cfg(feature = "audio")]
mod chosen;
#[cfg(not(feature = "audio"))]
mod disabled;
#[cfg(feature = "audio")]
mod node;
#[cfg(feature = "audio")]
mod worker;

#[cfg(feature = "audio")]
pub use chosen::AudioPath;
#[cfg(not(feature = "audio"))]
pub use disabled::AudioPath;
#[cfg(feature = "audio")]
pub use node::{channels_for, glue_urls};
use serde_json::Value;

use crate::js::JsError;
use crate::protocol::AudioCounts;

/// Which local audio path runs (`data-audio-path`).
pub const PATH_WORKER: &str = "worker";
/// The `AudioWorklet` path.
pub const PATH_WORKLET: &str = "worklet";

/// How long the worker or worklet may take to load and open the
/// processor.
pub const AUDIO_START_MS: i32 = 10_000;

/// What the audio path reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioEvent {
    /// The worker's counters (blocks, late, lost), about once a second.
    Counts(AudioCounts),
    /// Results the processor emitted since the last report.
    Results(Vec<Value>),
    /// Params were rejected (`fatal: false`: the processor goes on with
    /// the params it had), or the processor failed (`fatal: true`).
    Failed {
        /// The worklet's words.
        message: String,
        /// Whether audio processing stopped.
        fatal: bool,
    },
}

/// Why the audio path could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// This build of framewise-yew has no `audio` feature.
    #[error(
        "this app was built without framewise-yew's audio feature, so it cannot process the \
         microphone: enable it (it is on by default) in the app's Cargo.toml"
    )]
    NotBuilt,
    /// No `AudioWorkletNode` here (an insecure page, an old browser).
    #[error(
        "this browser has no AudioWorklet, which processing the microphone needs (it needs a \
         secure page: HTTPS, or localhost while developing)"
    )]
    NoAudioWorklet,
    /// `worker_url` is not trunk's loader script, so the glue and the wasm
    /// cannot be found.
    #[error(
        "audio processing needs the worker's loader script NAME_loader.js (trunk's \
         data-loader-shim) as worker_url, next to NAME.js and NAME_bg.wasm; got {0}"
    )]
    NotALoader(String),
    /// The glue or the wasm could not be fetched.
    #[error("could not load {url} for the audio worklet: {detail}")]
    Load {
        /// What was fetched.
        url: String,
        /// Why not.
        detail: String,
    },
    /// The worklet module (the processor class around the glue) did not
    /// load.
    #[error("the audio worklet module did not load: {0}")]
    Module(JsError),
    /// The worker or worklet could not open the processor (unknown, not
    /// audio, bad params, a wasm that is not a Framewise worker): its own
    /// words.
    #[error("{0}")]
    Refused(String),
    /// The worker or worklet did not answer within [`AUDIO_START_MS`].
    #[error("the audio processor did not start within {} s", AUDIO_START_MS / 1000)]
    NotStarted,
    /// A Web Audio call failed.
    #[error(transparent)]
    Js(#[from] JsError),
}
