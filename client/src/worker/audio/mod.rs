//! The worker's audio loop: the local audio path where the page can hand
//! the microphone over as a stream of `AudioData` (a
//! `MediaStreamTrackProcessor` on a clone of it) and take the processed
//! blocks back as an audio track (a `MediaStreamTrackGenerator`), both
//! made on the page and transferred ([`ToWorker::StartAudio`]).
//!
//! Each block (10 ms in Chromium) is copied channel by channel into the
//! planar buffer of a [`Running`] processor (the same one the audio
//! worklet drives per render quantum), processed, and written as a new
//! `f32-planar` `AudioData` with the input's timestamp; the input is
//! closed at once. Nothing queues here: blocks that arrive while one is
//! processed wait in the track processor's queue (bounded by the page),
//! and blocks it dropped show up as a gap in the timestamps
//! ([`Tally`]). Params apply between blocks; results go to the page at
//! most [`RESULT_POSTS_PER_SECOND`](tally::RESULT_POSTS_PER_SECOND) times
//! a second of audio, the counters ([`FromWorker::AudioCounts`]) once a
//! second.
//!
//! A worker runs either this loop or a frame loop: the page starts a
//! worker of its own for audio, so audio never waits behind a video frame.

mod tally;

use std::cell::RefCell;
use std::rc::Rc;

use framewise::Registry;
use js_sys::Float32Array;
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::{post, post_json, report, ProcessingError, Worker};
use crate::js;
use crate::protocol::FromWorker;
use crate::worklet::{Running, MAX_CHANNELS};
use tally::{Block, Tally};

/// What the message handler shares with the audio loop.
#[derive(Default)]
pub(super) struct AudioControl {
    /// Params to apply before the next block.
    pending: Option<Value>,
    /// The microphone's reader.
    reader: JsValue,
    /// Bumped by a microphone switch: the old reader's end is not the
    /// loop's.
    generation: u64,
    /// Set by Stop; the loop ends before its next block.
    stop: bool,
}

impl AudioControl {
    pub(super) fn stop(&mut self) {
        self.stop = true;
        let _ = js::call(&self.reader, "cancel", &[]);
    }

    pub(super) fn configure(&mut self, params: Value) {
        self.pending = Some(params);
    }

    /// Reads the transferred `readable` in `data` from now on.
    pub(super) fn switch(&mut self, data: &JsValue) -> Result<(), ProcessingError> {
        let readable = js::get(data, "readable").unwrap_or(JsValue::UNDEFINED);
        if readable.is_undefined() {
            return Err(ProcessingError::NoSwitchStream);
        }
        let reader = js::call(&readable, "getReader", &[])?;
        let old = std::mem::replace(&mut self.reader, reader);
        self.generation += 1;
        let _ = js::call(&old, "cancel", &[]);
        Ok(())
    }
}

impl Worker {
    /// Opens the audio `processor` and runs the loop on the transferred
    /// streams; answers [`FromWorker::AudioOpened`] or a fatal error.
    pub(super) fn start_audio(self: &Rc<Self>, data: &JsValue, processor: String, params: Value) {
        if self.control.borrow().running || self.audio.borrow().is_some() {
            return post(&FromWorker::Error {
                message: "the worker is already processing a stream".into(),
                fatal: false,
            });
        }
        let opened = audio_streams(data).and_then(|(readable, writable)| {
            let running = Running::open(&self.registry, &processor, &params, 48_000, 1)
                .map_err(|e| ProcessingError::Audio(e.to_string()))?;
            let reader = js::call(&readable, "getReader", &[])?;
            let writer = js::call(&writable, "getWriter", &[])?;
            Ok((reader, writer, running))
        });
        let (reader, writer, running) = match opened {
            Ok(opened) => opened,
            Err(error) => return report(&error, true),
        };
        let control = Rc::new(RefCell::new(AudioControl {
            reader,
            ..AudioControl::default()
        }));
        *self.audio.borrow_mut() = Some(control.clone());
        post(&FromWorker::AudioOpened);
        let worker = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let job = Job {
                registry: &worker.registry,
                processor,
                params,
            };
            let outcome = run(&control, writer, running, job).await;
            worker.audio.borrow_mut().take();
            if let Err(error) = outcome {
                report(&error, true);
            }
            post(&FromWorker::Stopped);
        });
    }
}

/// The StartAudio message's microphone `readable` and output `writable`.
fn audio_streams(data: &JsValue) -> Result<(JsValue, JsValue), ProcessingError> {
    let readable = js::get(data, "readable")?;
    let writable = js::get(data, "writable")?;
    if readable.is_undefined() {
        return Err(ProcessingError::NoMicrophoneStream);
    }
    if writable.is_undefined() {
        return Err(ProcessingError::NoGenerator);
    }
    Ok((readable, writable))
}

/// What the loop reopens the processor with when the format changes.
struct Job<'a> {
    registry: &'a Registry,
    processor: String,
    /// The params last applied.
    params: Value,
}

/// The reused JS buffers: one channel read, the whole block written, and
/// the `copyTo` options of each channel.
#[derive(Default)]
struct Buffers {
    plane: Option<Float32Array>,
    output: Option<Float32Array>,
    copy_options: Vec<JsValue>,
}

impl Buffers {
    /// `copyTo` options for `channel` as `f32-planar`.
    fn copy_options(&mut self, channel: usize) -> Result<JsValue, ProcessingError> {
        while self.copy_options.len() <= channel {
            let index = self.copy_options.len() as u32;
            let options = js::object(&[
                ("planeIndex", JsValue::from(index)),
                ("format", JsValue::from_str("f32-planar")),
            ])?;
            self.copy_options.push(options.into());
        }
        Ok(self.copy_options[channel].clone())
    }
}

fn sized(buffer: &mut Option<Float32Array>, length: usize) -> Float32Array {
    match buffer {
        Some(b) if b.length() as usize == length => b.clone(),
        _ => buffer
            .insert(Float32Array::new_with_length(length as u32))
            .clone(),
    }
}

/// The loop: block after block until Stop, the end of the microphone or
/// a failure.
async fn run(
    control: &Rc<RefCell<AudioControl>>,
    writer: JsValue,
    mut running: Running,
    mut job: Job<'_>,
) -> Result<(), ProcessingError> {
    let mut tally = Tally::default();
    let mut buffers = Buffers::default();
    let mut generation = 0;
    let outcome = loop {
        let (reader, now_generation) = {
            let control = control.borrow();
            if control.stop {
                break Ok(());
            }
            (control.reader.clone(), control.generation)
        };
        if now_generation != generation {
            generation = now_generation;
            tally.new_source();
        }
        let chunk = js::call_async(&reader, "read", &[]).await;
        let switched = control.borrow().generation != generation;
        let data = match chunk.and_then(|c| js::get(&c, "value")) {
            Ok(data) if !data.is_undefined() => data,
            // The old microphone's reader was cancelled by a switch.
            _ if switched => continue,
            Ok(_) => break Ok(()),
            Err(error) => break Err(ProcessingError::Read(error)),
        };
        if control.borrow().stop {
            js::close(&data);
            break Ok(());
        }
        let read_at = js::now_ms();
        let pending = control.borrow_mut().pending.take();
        if let Some(params) = pending {
            match running.set_params(&params) {
                Ok(()) => job.params = params,
                Err(error) => report(&ProcessingError::from(error), false),
            }
        }
        let processed = process(&data, &mut running, &mut buffers, &job);
        js::close(&data);
        let (output, mut block) = match processed {
            Ok(processed) => processed,
            Err(error) => break Err(error),
        };
        if let Err(error) = js::call_async(&writer, "write", &[output]).await {
            break Err(ProcessingError::Write(error));
        }
        block.busy_ms = js::now_ms() - read_at;
        let due = tally.block(block);
        if due.results {
            post_results(&mut running);
        }
        if due.counts {
            post(&FromWorker::AudioCounts(tally.counts));
        }
    };
    let _ = js::call(&writer, "close", &[]);
    outcome
}

/// One `AudioData` through the processor: the output block, and the
/// block as the tally sees it (its time in the loop still to fill in).
fn process(
    data: &JsValue,
    running: &mut Running,
    buffers: &mut Buffers,
    job: &Job,
) -> Result<(JsValue, Block), ProcessingError> {
    let frames = js::get_f64(data, "numberOfFrames")? as usize;
    let channels = (js::get_f64(data, "numberOfChannels")? as usize).clamp(1, MAX_CHANNELS);
    let sample_rate = js::get_f64(data, "sampleRate")? as u32;
    let timestamp = js::get_f64(data, "timestamp").unwrap_or(0.0);
    if running.format() != (channels, sample_rate) {
        *running = Running::open(
            job.registry,
            &job.processor,
            &job.params,
            sample_rate,
            channels,
        )
        .map_err(|e| ProcessingError::Audio(e.to_string()))?;
    }
    let plane = sized(&mut buffers.plane, frames);
    let block = running
        .block_mut(frames)
        .map_err(|e| ProcessingError::Audio(e.to_string()))?;
    for (channel, samples) in block.chunks_exact_mut(frames).enumerate() {
        let options = buffers.copy_options(channel)?;
        js::call(data, "copyTo", &[plane.clone().into(), options])?;
        plane.copy_to(samples);
    }
    running
        .process(timestamp / 1e6)
        .map_err(|e| ProcessingError::Audio(e.to_string()))?;
    let output = sized(&mut buffers.output, frames * channels);
    output.copy_from(running.block());
    let init = js::object(&[
        ("format", JsValue::from_str("f32-planar")),
        ("sampleRate", JsValue::from(sample_rate)),
        ("numberOfFrames", JsValue::from(frames as u32)),
        ("numberOfChannels", JsValue::from(channels as u32)),
        ("timestamp", JsValue::from(timestamp)),
        ("data", output.into()),
    ])?;
    let audio = js::construct("AudioData", &[init.into()])?;
    let block = Block {
        timestamp_us: timestamp,
        frames: frames as u32,
        sample_rate,
        busy_ms: 0.0,
    };
    Ok((audio, block))
}

/// Posts the results collected since the last post, if any.
fn post_results(running: &mut Running) {
    let (results, dropped) = running.take_results();
    if dropped > 0 {
        js::warn(&format!(
            "{dropped} audio results were dropped: the processor emits more than the \
             worker keeps between two posts"
        ));
    }
    if let Some(json) = results {
        post_json(&json);
    }
}
