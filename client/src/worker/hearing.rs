//! The microphone a processor that hears audio is given
//! ([`VideoProcessor::hear`](framewise::VideoProcessor::hear)): a reader
//! task pulls the `AudioData` of a transferred
//! `MediaStreamTrackProcessor` stream into a bounded queue of
//! [`AudioFrame`]s, which the frame loop hands to the processor before
//! each frame.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use framewise::{AudioFrame, VideoPipeline};
use wasm_bindgen::JsValue;

use crate::js::{self, JsError};

/// Blocks kept between two frames (the browser's are 10 ms: a second);
/// when more arrive the oldest are dropped.
pub const MAX_HEARD_BLOCKS: usize = 100;

/// The sound heard since the last frame.
#[derive(Default)]
pub struct Heard {
    blocks: VecDeque<AudioFrame>,
    /// Blocks dropped because the queue was full.
    pub dropped: u64,
    /// The reader is done: it stops at its next block.
    closed: bool,
}

impl Heard {
    fn push(&mut self, block: AudioFrame) {
        if self.blocks.len() == MAX_HEARD_BLOCKS {
            self.blocks.pop_front();
            self.dropped += 1;
        }
        self.blocks.push_back(block);
    }

    /// Gives `pipeline` every block heard since the last call.
    pub fn hand_to(&mut self, pipeline: &mut VideoPipeline) {
        for block in self.blocks.drain(..) {
            pipeline.hear(&block);
        }
    }

    /// Ends the reader: it stops at its next block.
    pub fn close(&mut self) {
        self.closed = true;
        self.blocks.clear();
    }
}

/// The reader task: reads `AudioData` until the stream ends or `heard`
/// closes, each block copied into `heard` and closed at once.
pub async fn read_audio(reader: JsValue, heard: Rc<RefCell<Heard>>) {
    loop {
        let chunk = match js::call_async(&reader, "read", &[]).await {
            Ok(chunk) => chunk,
            Err(_) => return,
        };
        let data = js::get(&chunk, "value").unwrap_or(JsValue::UNDEFINED);
        if data.is_undefined() {
            return;
        }
        let block = audio_frame(&data);
        js::close(&data);
        let mut heard = heard.borrow_mut();
        if heard.closed {
            let _ = js::call(&reader, "cancel", &[]);
            return;
        }
        match block {
            Ok(block) => heard.push(block),
            Err(error) => js::warn(&format!(
                "a block of the microphone was unreadable: {error}"
            )),
        }
    }
}

/// An `AudioData` as an interleaved [`AudioFrame`].
fn audio_frame(data: &JsValue) -> Result<AudioFrame, JsError> {
    let frames = js::get_f64(data, "numberOfFrames")? as usize;
    let channels = (js::get_f64(data, "numberOfChannels")? as u16).max(1);
    let rate = js::get_f64(data, "sampleRate")? as u32;
    let timestamp_us = js::get_f64(data, "timestamp").unwrap_or(0.0) as i64;
    let plane = js_sys::Float32Array::new_with_length(frames as u32);
    let mut samples = vec![0.0f32; frames * usize::from(channels)];
    let mut planar = vec![0.0f32; frames];
    for channel in 0..channels {
        let options = js::object(&[
            ("planeIndex", f64::from(channel).into()),
            ("format", "f32-planar".into()),
        ])?;
        js::call(data, "copyTo", &[plane.clone().into(), options.into()])?;
        plane.copy_to(&mut planar);
        for (i, &s) in planar.iter().enumerate() {
            samples[i * usize::from(channels) + usize::from(channel)] = s;
        }
    }
    AudioFrame::new(rate, channels, samples, timestamp_us)
        .map_err(|e| JsError::unexpected(format!("the microphone's block: {e}"), "audio samples"))
}
