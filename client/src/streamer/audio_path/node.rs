//! The audio path in an `AudioWorklet`, for browsers without audio track
//! processors and generators: fetching the worker's glue and wasm, the
//! worklet module, the nodes from the microphone to the output track.

mod message;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack, MessageEvent};

use super::{AudioError, AudioEvent, AUDIO_START_MS};
use crate::js::{self, JsError};
use crate::protocol::ToWorker;
use crate::worklet::{self, MAX_CHANNELS, PROCESSOR_NAME, RESULT_POSTS_PER_SECOND};
use message::WorkletMessage;

/// The glue script and the wasm next to a trunk worker loader:
/// `dir/NAME_loader.js` → (`dir/NAME.js`, `dir/NAME_bg.wasm`).
pub fn glue_urls(worker_url: &str) -> Result<(String, String), AudioError> {
    let stem = worker_url
        .strip_suffix("_loader.js")
        .filter(|stem| !stem.is_empty() && !stem.ends_with('/'))
        .ok_or_else(|| AudioError::NotALoader(worker_url.to_owned()))?;
    Ok((format!("{stem}.js"), format!("{stem}_bg.wasm")))
}

/// The channels to process for a microphone that reports `reported`.
pub fn channels_for(reported: Option<f64>) -> u32 {
    reported.map_or(1, |n| n.clamp(1.0, MAX_CHANNELS as f64) as u32)
}

/// The running path.
pub struct WorkletAudio {
    processor: String,
    context: JsValue,
    node: JsValue,
    source: JsValue,
    output: MediaStreamTrack,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

/// The answer the start waits for: its promise's `resolve`, called with
/// `true` (opened), the worklet's reason (refused) or `false` (no answer
/// in time).
type Pending = Rc<RefCell<Option<Function>>>;

impl WorkletAudio {
    /// Loads the worklet from the worker at `worker_url`, opens
    /// `processor` with `params` on `microphone`, and resolves once the
    /// worklet runs it. `on_event` hears its results and failures.
    pub async fn start(
        worker_url: &str,
        microphone: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<Self, AudioError> {
        if !js::has_global("AudioWorkletNode") {
            return Err(AudioError::NoAudioWorklet);
        }
        let (glue_url, wasm_url) = glue_urls(worker_url)?;
        let glue = fetch(&glue_url, "text").await?;
        let bytes = fetch(&wasm_url, "arrayBuffer").await?;
        let webassembly = js::get(&js_sys::global(), "WebAssembly")?;
        let module = js::call_async(&webassembly, "compile", &[bytes])
            .await
            .map_err(|e| AudioError::Load {
                url: wasm_url.clone(),
                detail: e.to_string(),
            })?;
        let context = audio_context(microphone)?;
        let path = Self::build(
            &context, &glue, module, microphone, processor, params, on_event,
        )
        .await;
        if path.is_err() {
            let _ = js::call(&context, "close", &[]);
        }
        path
    }

    async fn build(
        context: &JsValue,
        glue: &JsValue,
        module: JsValue,
        microphone: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(AudioEvent)>,
    ) -> Result<Self, AudioError> {
        let source = worklet::module_source(&glue.as_string().unwrap_or_default());
        add_module(context, &source).await?;
        let channels = channels_for(
            js::call(microphone, "getSettings", &[])
                .and_then(|settings| js::get(&settings, "channelCount"))
                .ok()
                .and_then(|v| v.as_f64()),
        );
        let processor_options = js::object(&[
            ("module", module),
            ("job", JsValue::from_str(&job(processor, params))),
            ("channels", JsValue::from(channels)),
            ("postsPerSecond", JsValue::from(RESULT_POSTS_PER_SECOND)),
        ])?;
        let count = JsValue::from(channels);
        let options = js::object(&[
            ("numberOfInputs", JsValue::from(1)),
            ("numberOfOutputs", JsValue::from(1)),
            ("outputChannelCount", js_sys::Array::of1(&count).into()),
            ("channelCount", count),
            ("channelCountMode", JsValue::from_str("explicit")),
            ("processorOptions", processor_options.into()),
        ])?;
        let node = js::construct(
            "AudioWorkletNode",
            &[
                context.clone(),
                JsValue::from_str(PROCESSOR_NAME),
                options.into(),
            ],
        )?;

        let pending: Pending = Rc::default();
        let opened = {
            let pending = pending.clone();
            js_sys::Promise::new(&mut |resolve, _| {
                *pending.borrow_mut() = Some(resolve);
            })
        };
        let on_message = {
            let (pending, on_event) = (pending.clone(), on_event.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(message) = WorkletMessage::read(&event.data()) {
                    on_worklet_message(message, &pending, &on_event);
                }
            })
        };
        let port = js::get(&node, "port")?;
        js::set(&port, "onmessage", on_message.as_ref())?;
        let on_error = {
            let pending = pending.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
                let message = "the audio worklet's processor threw (see the console)";
                let failed = WorkletMessage::Failed {
                    message: message.into(),
                    fatal: true,
                };
                on_worklet_message(failed, &pending, &on_event);
            })
        };
        js::set(&node, "onprocessorerror", on_error.as_ref())?;
        {
            let pending = pending.clone();
            wasm_bindgen_futures::spawn_local(async move {
                js::sleep_ms(AUDIO_START_MS).await;
                if let Some(resolve) = pending.borrow_mut().take() {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
                }
            });
        }
        let answer = js::wait("the audio worklet", opened).await?;
        if let Some(reason) = answer.as_string() {
            return Err(AudioError::Refused(reason));
        }
        if !answer.is_truthy() {
            return Err(AudioError::NotStarted);
        }

        let source = media_source(context, microphone)?;
        js::call(&source, "connect", std::slice::from_ref(&node))?;
        let destination = js::call(context, "createMediaStreamDestination", &[])?;
        js::call(&node, "connect", std::slice::from_ref(&destination))?;
        let stream: MediaStream = js::get(&destination, "stream")?
            .dyn_into()
            .map_err(|_| JsError::unexpected("the destination's stream", "a MediaStream"))?;
        let output: MediaStreamTrack =
            stream.get_audio_tracks().get(0).dyn_into().map_err(|_| {
                JsError::unexpected("the destination's track", "a MediaStreamTrack")
            })?;
        // START was a click, so the context may run; an autostart without
        // one leaves it suspended until the page is clicked.
        let _ = js::call(context, "resume", &[]);
        Ok(Self {
            processor: processor.to_owned(),
            context: context.clone(),
            node,
            source,
            output,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The processed audio track.
    pub fn output(&self) -> &MediaStreamTrack {
        &self.output
    }

    /// Sends new params; they apply between render quanta (a rejection
    /// comes back as a non-fatal [`AudioEvent::Failed`]).
    pub fn configure(&self, params: &Value) -> Result<(), JsError> {
        let port = js::get(&self.node, "port")?;
        let job = JsValue::from_str(&job(&self.processor, params));
        js::call(&port, "postMessage", &[job]).map(|_| ())
    }

    /// Processes `microphone` instead of the current one (a switch).
    pub fn switch_source(&mut self, microphone: &MediaStreamTrack) -> Result<(), JsError> {
        let source = media_source(&self.context, microphone)?;
        js::call(&source, "connect", std::slice::from_ref(&self.node))?;
        let old = std::mem::replace(&mut self.source, source);
        let _ = js::call(&old, "disconnect", &[]);
        Ok(())
    }

    /// Disconnects everything, closes the context and stops the output
    /// track. Idempotent.
    pub fn release(&mut self) {
        for node in [&self.source, &self.node] {
            let _ = js::call(node, "disconnect", &[]);
        }
        if let Ok(port) = js::get(&self.node, "port") {
            let _ = js::set(&port, "onmessage", &JsValue::NULL);
        }
        let _ = js::set(&self.node, "onprocessorerror", &JsValue::NULL);
        self.output.stop();
        if js::get_string(&self.context, "state").as_deref() != Some("closed") {
            let _ = js::call(&self.context, "close", &[]);
        }
    }
}

impl Drop for WorkletAudio {
    fn drop(&mut self) {
        self.release();
    }
}

/// The start's answer on the first message, [`AudioEvent`]s after it.
fn on_worklet_message(
    message: WorkletMessage,
    pending: &Pending,
    on_event: &Rc<dyn Fn(AudioEvent)>,
) {
    if let Some(resolve) = pending.borrow_mut().take() {
        let answer = match &message {
            WorkletMessage::Failed { message, .. } => JsValue::from_str(message),
            _ => JsValue::TRUE,
        };
        let _ = resolve.call1(&JsValue::NULL, &answer);
        return;
    }
    match message {
        WorkletMessage::Opened => {}
        WorkletMessage::Results(results, dropped) => {
            if dropped > 0 {
                js::warn(&format!(
                    "{dropped} audio results were dropped: the processor emits more than \
                     the worklet keeps between two posts"
                ));
            }
            on_event(AudioEvent::Results(results))
        }
        WorkletMessage::Failed { message, fatal } => {
            on_event(AudioEvent::Failed { message, fatal })
        }
    }
}

/// What the worklet opens or changes: the worker's Configure message.
fn job(processor: &str, params: &Value) -> String {
    ToWorker::Configure {
        processor: processor.to_owned(),
        params: params.clone(),
    }
    .to_json()
}

/// `fetch(url)` read as `how` (`text`, `arrayBuffer`).
async fn fetch(url: &str, how: &str) -> Result<JsValue, AudioError> {
    let failed = |detail: String| AudioError::Load {
        url: url.to_owned(),
        detail,
    };
    let response = js::call_async(&js_sys::global(), "fetch", &[JsValue::from_str(url)])
        .await
        .map_err(|e| failed(e.to_string()))?;
    if !js::get(&response, "ok")?.is_truthy() {
        let status = js::get_f64(&response, "status").unwrap_or(0.0);
        return Err(failed(format!("HTTP {status}")));
    }
    js::call_async(&response, how, &[])
        .await
        .map_err(|e| failed(e.to_string()))
}

/// Adds the worklet module `source` to `context` (from a blob URL: the
/// worklet scope loads only whole modules).
async fn add_module(context: &JsValue, source: &str) -> Result<(), AudioError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(source));
    let kind = js::object(&[("type", JsValue::from_str("text/javascript"))])?;
    let blob = js::construct("Blob", &[parts.into(), kind.into()])?;
    let url_class = js::constructor("URL")?;
    let url = js::call(&url_class, "createObjectURL", &[blob])?;
    let worklet = js::get(context, "audioWorklet")?;
    let added = js::call_async(&worklet, "addModule", std::slice::from_ref(&url)).await;
    let _ = js::call(&url_class, "revokeObjectURL", &[url]);
    added.map(|_| ()).map_err(AudioError::Module)
}

/// A source node playing `microphone` in `context`.
fn media_source(context: &JsValue, microphone: &MediaStreamTrack) -> Result<JsValue, JsError> {
    let stream = MediaStream::new_with_tracks(&js_sys::Array::of1(microphone))
        .map_err(|e| JsError::threw("new MediaStream", &e))?;
    js::call(context, "createMediaStreamSource", &[stream.into()])
}

/// An `AudioContext` for `microphone`, at its sample rate when it says
/// one (no resampling between the microphone and the processor, a few ms
/// less latency), else at the device's.
fn audio_context(microphone: &MediaStreamTrack) -> Result<JsValue, JsError> {
    let rate = js::call(microphone, "getSettings", &[])
        .and_then(|settings| js::get(&settings, "sampleRate"))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|rate| (8_000.0..=384_000.0).contains(rate));
    let interactive = ("latencyHint", JsValue::from_str("interactive"));
    if let Some(rate) = rate {
        let options = js::object(&[interactive.clone(), ("sampleRate", JsValue::from(rate))])?;
        if let Ok(context) = js::construct("AudioContext", &[options.into()]) {
            return Ok(context);
        }
    }
    let options = js::object(&[interactive])?;
    js::construct("AudioContext", &[options.into()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glue_and_wasm_sit_next_to_the_loader() {
        assert_eq!(
            glue_urls("./tutorial-worker_loader.js").unwrap(),
            (
                "./tutorial-worker.js".to_owned(),
                "./tutorial-worker_bg.wasm".to_owned()
            )
        );
        assert_eq!(
            glue_urls("/app/w_loader.js").unwrap().1,
            "/app/w_bg.wasm".to_owned()
        );
    }

    #[test]
    fn a_url_that_is_not_a_loader_says_what_is_needed() {
        for url in ["./worker.js", "_loader.js", "./_loader.js"] {
            let error = glue_urls(url).unwrap_err();
            assert!(
                error.to_string().contains("NAME_loader.js"),
                "{url}: {error}"
            );
        }
    }

    #[test]
    fn microphones_are_processed_in_one_or_two_channels() {
        assert_eq!(channels_for(None), 1);
        assert_eq!(channels_for(Some(1.0)), 1);
        assert_eq!(channels_for(Some(2.0)), 2);
        assert_eq!(channels_for(Some(6.0)), 2);
        assert_eq!(channels_for(Some(0.0)), 1);
    }
}
