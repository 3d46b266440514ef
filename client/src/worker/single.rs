//! The fallback path's side: one camera frame at a time, sent by the
//! page ([`ToWorker::Frame`](crate::protocol::ToWorker::Frame)),
//! converted and processed like the loop's, and sent back in
//! [`FromWorker::Processed`](crate::protocol::FromWorker::Processed).
//! The page sends the next only after that answer: nothing queues here.

use std::rc::Rc;

use framewise::VideoPipeline;
use wasm_bindgen::JsValue;

use super::convert::{output_frame, Converter};
use super::frames::{close_frame, hold_frame};
use super::timing::Timing;
use super::{frame_failed, post, post_outcome, post_processed, ProcessingError, Worker};
use crate::js;
use crate::protocol::{FromWorker, WorkerStats};
use crate::stats::{Window, WINDOW};

/// The fallback path's processor and counters.
pub(super) struct Frames {
    name: String,
    pipeline: VideoPipeline,
    converter: Converter,
    stats: WorkerStats,
    timing: Timing,
    /// When each frame arrived, for the input rate.
    arrived_at: Window,
}

impl Frames {
    /// Runs `pipeline` (registry name `name`) on the frames to come.
    pub(super) fn new(name: String, pipeline: VideoPipeline) -> Self {
        Self {
            name,
            pipeline,
            converter: Converter::default(),
            stats: WorkerStats::default(),
            timing: Timing::default(),
            arrived_at: Window::new(WINDOW),
        }
    }
}

impl Worker {
    /// Processes the frame in `data.frame` and answers
    /// [`FromWorker::Processed`] with the result transferred back.
    pub(super) fn frame(self: &Rc<Self>, data: &JsValue) {
        let input = js::get(data, "frame").unwrap_or(JsValue::UNDEFINED);
        if input.is_undefined() || input.is_null() {
            return post(&FromWorker::Processed);
        }
        hold_frame();
        let Some(mut state) = self.frames.borrow_mut().take() else {
            // Not started, stopped, or (against the protocol) a frame while
            // one is in flight: never queue.
            close_frame(&input);
            return;
        };
        state.arrived_at.push(js::now_ms());
        state.stats.received += 1;
        let worker = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let output = worker.process_one(&mut state, &input).await;
            close_frame(&input);
            let answer = match output {
                Ok(frame) => Some(frame),
                Err(error) => {
                    frame_failed(&mut state.stats, &error);
                    None
                }
            };
            post_processed(answer);
            // Unless Stop (or a new start) came meanwhile.
            let mut frames = worker.frames.borrow_mut();
            if frames.is_none() && !worker.control.borrow().stop {
                *frames = Some(state);
            }
        });
    }

    /// One frame converted, processed and turned into a new `VideoFrame`;
    /// stats and results posted.
    async fn process_one(
        &self,
        state: &mut Frames,
        input: &JsValue,
    ) -> Result<JsValue, ProcessingError> {
        self.configure(&mut state.name, &mut state.pipeline);
        let started = js::now_ms();
        let mut frame = state.converter.rgba(input, &mut state.stats).await?;
        let converted_at = js::now_ms();
        let results = state.pipeline.process(&mut frame)?;
        let processed_at = js::now_ms();
        let written = output_frame(&frame)?;
        let done_at = js::now_ms();
        let steps = [started, converted_at, processed_at, done_at];
        state
            .timing
            .record(&mut state.stats, &frame, started, steps);
        let stats = &mut state.stats;
        stats.input_fps = state.arrived_at.rate(1e3);
        post_outcome(stats, results);
        Ok(written)
    }
}
