//! The audio worklet: the app's worker wasm, instantiated a second time in
//! the page's `AudioWorkletGlobalScope`, runs an audio processor on every
//! render quantum of the microphone.
//!
//! The worklet scope cannot fetch, import scripts or decode text, so the
//! page does that part ([`audio_path`](crate::streamer::audio_path)): it
//! fetches the worker's wasm-bindgen glue, compiles its wasm, and adds one
//! module made of [`PROCESSOR_JS`]'s text coders, the glue and the
//! processor class; the compiled `WebAssembly.Module` travels in the
//! node's options. The glue runs the worker's `main`, whose
//! [`worker::run`](crate::worker::run) sees a worklet scope and hands its
//! registry to [`keep`] instead of listening for messages.
//!
//! The processor class then calls the exports below. On every quantum it
//! copies each input channel into [`framewise_worklet_samples`]' planar
//! block in wasm memory, calls [`framewise_worklet_process`] (numbers in,
//! a number out) and copies the block to its outputs: no allocation on
//! either side unless the processor allocates itself. Strings cross only
//! when a processor opens, params change or results are collected (at
//! most [`RESULT_POSTS_PER_SECOND`] times a second). No atomics, no
//! `SharedArrayBuffer`, no cross-origin isolation.

mod queue;
mod running;

use std::cell::RefCell;

use framewise::Registry;
use wasm_bindgen::prelude::*;

pub use queue::ResultQueue;
use running::RegistryHost;
pub(crate) use running::Running;
pub use running::WorkletError;

/// The processor class, registered under [`PROCESSOR_NAME`], with the
/// text coders the glue needs; the page puts the glue between its two
/// halves (see [`module_source`]).
pub const PROCESSOR_JS: &str = include_str!("processor.js");

/// The name the processor class is registered under.
pub const PROCESSOR_NAME: &str = "framewise-audio";

/// How often, at most, the worklet posts the results it collected.
pub const RESULT_POSTS_PER_SECOND: u32 = 30;

/// The longest render quantum taken (Chromium's is 128 frames).
pub const MAX_QUANTUM: usize = 4096;

/// The most channels processed (a microphone has one or two).
pub const MAX_CHANNELS: usize = 2;

/// The marker in [`PROCESSOR_JS`] where the glue goes.
const GLUE_MARKER: &str = "/* framewise: wasm-bindgen glue */";

/// The worklet module's source: [`PROCESSOR_JS`] with `glue` (the
/// worker's wasm-bindgen script) in its place.
pub fn module_source(glue: &str) -> String {
    PROCESSOR_JS.replacen(GLUE_MARKER, glue, 1)
}

/// What the exports drive. Only [`keep`] makes one, so a page that links
/// this crate but never runs a worker carries none of the processing code
/// behind it. A call that fails returns `false` and keeps its reason for
/// [`Host::take_error`].
trait Host {
    fn open(&mut self, job: &str, sample_rate: u32, channels: usize) -> bool;
    fn samples(&mut self, frames: usize) -> *mut f32;
    fn process(&mut self, time_s: f64) -> bool;
    fn configure(&mut self, job: &str) -> bool;
    fn results(&mut self) -> Option<String>;
    fn dropped(&mut self) -> u32;
    fn take_error(&mut self) -> Option<String>;
}

thread_local! {
    static HOST: RefCell<Option<Box<dyn Host>>> = RefCell::new(None);
}

/// Why a call failed when no worker's `main` handed over a registry.
const NO_REGISTRY: &str = "the worker's main did not call framewise_yew::worker::run";

/// Whether this code runs in an `AudioWorkletGlobalScope`.
pub fn is_worklet_scope() -> bool {
    crate::js::has_global("registerProcessor")
}

/// Keeps `registry` for the processor class (from
/// [`worker::run`](crate::worker::run) in a worklet scope).
pub fn keep(registry: Registry) {
    HOST.with(|h| *h.borrow_mut() = Some(Box::new(RegistryHost::new(registry))));
}

/// Runs `f` on the host, or gives `none` when there is none.
fn with_host<T>(none: T, f: impl FnOnce(&mut dyn Host) -> T) -> T {
    HOST.with(|h| match h.borrow_mut().as_mut() {
        Some(host) => f(host.as_mut()),
        None => none,
    })
}

/// Opens the processor that `job` names with its params (a
/// [`ToWorker::Configure`](crate::protocol::ToWorker::Configure) message,
/// as JSON) for blocks of `channels` at `sample_rate`; `false` if it
/// cannot (the reason in [`framewise_worklet_error`]).
#[wasm_bindgen]
pub fn framewise_worklet_open(job: &str, sample_rate: u32, channels: u32) -> bool {
    with_host(false, |h| h.open(job, sample_rate, channels as usize))
}

/// The planar block for `frames` per channel (channel 0's samples, then
/// channel 1's), or null if there is none; valid until the next call with
/// another `frames`.
#[wasm_bindgen]
pub fn framewise_worklet_samples(frames: u32) -> *mut f32 {
    with_host(std::ptr::null_mut(), |h| h.samples(frames as usize))
}

/// Processes the planar block in place; `time_s` is the quantum's
/// `currentTime`. `false` if the processor failed (the reason in
/// [`framewise_worklet_error`]).
#[wasm_bindgen]
pub fn framewise_worklet_process(time_s: f64) -> bool {
    with_host(false, |h| h.process(time_s))
}

/// Changes the running processor's params (`job`: a Configure message,
/// as JSON), applied before the next quantum; `false` if they are
/// rejected (nothing changes).
#[wasm_bindgen]
pub fn framewise_worklet_configure(job: &str) -> bool {
    with_host(false, |h| h.configure(job))
}

/// The results collected since the last call, as a
/// [`FromWorker::Results`](crate::protocol::FromWorker::Results) message
/// (JSON), or `None` if there are none.
#[wasm_bindgen]
pub fn framewise_worklet_results() -> Option<String> {
    with_host(None, |h| h.results())
}

/// How many results were dropped since the last call (more than
/// [`queue::MAX_PENDING`] waited for one post).
#[wasm_bindgen]
pub fn framewise_worklet_dropped() -> u32 {
    with_host(0, |h| h.dropped())
}

/// Why the last call returned `false`.
#[wasm_bindgen]
pub fn framewise_worklet_error() -> Option<String> {
    with_host(Some(NO_REGISTRY.to_owned()), |h| h.take_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exports_keep_the_reason_of_a_failure() {
        let job = |params: &str| {
            format!(r#"{{"type": "configure", "processor": "gain", "params": {params}}}"#)
        };
        assert!(!framewise_worklet_open(&job("{}"), 48_000, 1));
        assert_eq!(framewise_worklet_error().as_deref(), Some(NO_REGISTRY));
        keep(Registry::with_builtins());
        assert!(framewise_worklet_open(&job("{}"), 48_000, 1));
        assert!(!framewise_worklet_configure(&job(r#"{"gain_db": "loud"}"#)));
        let reason = framewise_worklet_error().unwrap();
        assert!(reason.contains("gain_db"), "{reason}");
        assert!(framewise_worklet_configure(&job(r#"{"gain_db": -3}"#)));
        assert_eq!(framewise_worklet_dropped(), 0);
        assert_eq!(framewise_worklet_error(), None);
        assert!(!framewise_worklet_samples(128).is_null());
        assert!(framewise_worklet_process(0.0));
        assert_eq!(framewise_worklet_results(), None, "gain emits nothing");
    }

    #[test]
    fn the_glue_goes_between_the_coders_and_the_class() {
        let source = module_source("let wasm_bindgen = 1;");
        let (coders, class) = source.split_once("let wasm_bindgen = 1;").unwrap();
        assert!(coders.contains("TextDecoder") && !coders.contains("registerProcessor"));
        assert!(class.contains(&format!("registerProcessor(\"{PROCESSOR_NAME}\"")));
    }
}
