//! The track path's frame loop: take the latest camera frame from the
//! slot, convert, process, write, until Stop or the end of the stream.

use std::cell::RefCell;
use std::rc::Rc;

use framewise::VideoPipeline;
use wasm_bindgen::JsValue;

use super::convert::{output_frame, Converter};
use super::frames::{close_frame, next_frame, read_frames, Next, Slot};
use super::timing::Timing;
use super::{frame_failed, post_outcome, ProcessingError, Source, Worker};
use crate::js;
use crate::protocol::WorkerStats;

impl Worker {
    /// Runs the loop on the camera's `readable` into the output's
    /// `writable` (none: send-only, frames are processed for their results
    /// and closed) with `pipeline` (registry name `name`).
    pub(super) async fn pump(
        &self,
        readable: JsValue,
        writable: Option<JsValue>,
        mut name: String,
        mut pipeline: VideoPipeline,
    ) -> Result<(), ProcessingError> {
        let reader = js::call(&readable, "getReader", &[])?;
        let writer = match &writable {
            Some(writable) => Some(js::call(writable, "getWriter", &[])?),
            None => None,
        };
        let slot = Rc::new(RefCell::new(Slot::default()));
        wasm_bindgen_futures::spawn_local(read_frames(reader.clone(), slot.clone(), 0));
        *self.source.borrow_mut() = Some(Source {
            reader,
            slot: slot.clone(),
        });
        let mut stats = WorkerStats::default();
        let mut timing = Timing::default();
        let mut converter = Converter::default();
        let outcome = loop {
            if self.control.borrow().stop {
                break Ok(());
            }
            self.configure(&mut name, &mut pipeline);
            self.ask_to_hear(&pipeline);
            let (input, read_at) = match next_frame(&slot).await {
                Next::Frame(frame, read_at) => (frame, read_at),
                Next::End => break Ok(()),
                Next::Failed(error) => break Err(ProcessingError::Read(error)),
            };
            if self.control.borrow().stop {
                close_frame(&input);
                break Ok(());
            }
            let started = js::now_ms();
            let converted = converter.rgba(&input, &mut stats).await;
            // The camera frame is not needed once its pixels are copied.
            close_frame(&input);
            let converted_at = js::now_ms();
            let output = converted
                .map_err(ProcessingError::from)
                .and_then(|mut frame| {
                    self.hand_heard(&mut pipeline);
                    let results = pipeline.process(&mut frame)?;
                    Ok((frame, results))
                });
            let processed_at = js::now_ms();
            let (frame, results) = match output {
                Ok(done) => done,
                Err(error) => {
                    frame_failed(&mut stats, &error);
                    continue;
                }
            };
            if let Some(Err(error)) = write(writer.as_ref(), &frame).await? {
                // The generator's track was stopped: the page is done.
                break if self.control.borrow().stop {
                    Ok(())
                } else {
                    Err(ProcessingError::Write(error))
                };
            }
            let done_at = js::now_ms();
            let steps = [started, converted_at, processed_at, done_at];
            timing.record(&mut stats, &frame, read_at, steps);
            timing.fill_input(&mut stats, &slot.borrow());
            post_outcome(&mut stats, results);
        };
        slot.borrow_mut().close();
        self.stop_hearing();
        if let Some(source) = self.source.borrow_mut().take() {
            let _ = js::call(&source.reader, "cancel", &[]);
        }
        if let Some(writer) = &writer {
            let _ = js::call(writer, "close", &[]);
        }
        outcome
    }
}

/// Writes `frame` to `writer` as a new `VideoFrame`, if there is a
/// writer: the write's outcome (`None` when send-only).
async fn write(
    writer: Option<&JsValue>,
    frame: &framewise::VideoFrame,
) -> Result<Option<Result<JsValue, js::JsError>>, ProcessingError> {
    let Some(writer) = writer else {
        return Ok(None);
    };
    let written = output_frame(frame)?;
    let outcome = js::call_async(writer, "write", std::slice::from_ref(&written)).await;
    close_frame(&written);
    Ok(Some(outcome))
}
