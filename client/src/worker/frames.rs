//! The `VideoFrame`s the worker holds, and the one-frame mailbox between
//! the reader task and the frame loop: latest frame wins.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::js::{self, JsError};
use crate::stats::{Window, WINDOW};

thread_local! {
    /// `VideoFrame`s this worker holds: camera frames read or received and
    /// output frames made, minus those closed or handed back to the page.
    static OPEN_FRAMES: Cell<u64> = const { Cell::new(0) };
}

/// Counts a `VideoFrame` the worker now holds (see
/// [`WorkerStats::open_frames`](crate::protocol::WorkerStats::open_frames)).
pub fn hold_frame() {
    OPEN_FRAMES.with(|open| open.set(open.get() + 1));
}

/// Counts a held `VideoFrame` as given up (closed or transferred).
pub fn release_frame() {
    OPEN_FRAMES.with(|open| open.set(open.get().saturating_sub(1)));
}

/// Closes a held `VideoFrame`.
pub fn close_frame(frame: &JsValue) {
    js::close(frame);
    release_frame();
}

/// The frames this worker holds now.
pub fn open_frames() -> u64 {
    OPEN_FRAMES.with(|open| open.get())
}

/// The one-frame mailbox between the reader task and the frame loop.
pub struct Slot {
    /// The newest camera frame not yet taken by the loop, and when it was
    /// read (`performance.now()`, ms).
    frame: Option<(JsValue, f64)>,
    /// Bumped by each device switch: a reader of an older generation
    /// closes what it still reads and stops.
    generation: u64,
    /// The stream ended (`Ok`) or reading failed (`Err`).
    end: Option<Result<(), JsError>>,
    /// The loop is done: the reader closes what it still gets and stops.
    closed: bool,
    /// Resolves the promise the loop waits on, if it waits.
    wake: Option<js_sys::Function>,
    /// Frames read since start.
    pub received: u64,
    /// Frames replaced in the slot before the loop took them.
    pub dropped: u64,
    /// When each frame was read (`performance.now()`, ms), for the input
    /// rate: the same clock as the output rate, so the two compare.
    pub read_at: Window,
}

impl Default for Slot {
    fn default() -> Self {
        Self {
            frame: None,
            generation: 0,
            end: None,
            closed: false,
            wake: None,
            received: 0,
            dropped: 0,
            read_at: Window::new(WINDOW),
        }
    }
}

impl Slot {
    fn wake(&mut self) {
        if let Some(wake) = self.wake.take() {
            let _ = wake.call0(&JsValue::UNDEFINED);
        }
    }

    /// A new reader takes over (a device switch): its generation.
    pub fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// The loop is done: closes the frame left in the slot; the reader
    /// closes what it still gets.
    pub fn close(&mut self) {
        self.closed = true;
        if let Some((frame, _)) = self.frame.take() {
            close_frame(&frame);
        }
    }
}

/// The reader task: reads camera frames as fast as they come and puts
/// each in the slot, closing (and counting as dropped) the one it
/// replaces. It stops when the slot moves to a newer `generation` (a
/// device switch) or closes.
pub async fn read_frames(reader: JsValue, slot: Rc<RefCell<Slot>>, generation: u64) {
    loop {
        let chunk = js::call_async(&reader, "read", &[]).await;
        let mut slot = slot.borrow_mut();
        if slot.generation != generation {
            // Replaced: only close what this reader still got.
            if let Ok(frame) = chunk.and_then(|c| js::get(&c, "value")) {
                if !frame.is_undefined() {
                    js::close(&frame);
                }
            }
            return;
        }
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => {
                slot.end = Some(Err(error));
                slot.wake();
                return;
            }
        };
        let done = js::get(&chunk, "done").ok().and_then(|d| d.as_bool());
        let frame = js::get(&chunk, "value").unwrap_or(JsValue::UNDEFINED);
        if done == Some(true) || frame.is_undefined() {
            slot.end = Some(Ok(()));
            slot.wake();
            return;
        }
        if slot.closed {
            js::close(&frame);
            return;
        }
        hold_frame();
        let now = js::now_ms();
        slot.received += 1;
        slot.read_at.push(now);
        if let Some((older, _)) = slot.frame.replace((frame, now)) {
            close_frame(&older);
            slot.dropped += 1;
        }
        slot.wake();
    }
}

/// What the frame loop gets from the slot.
pub enum Next {
    /// A camera frame and when it was read.
    Frame(JsValue, f64),
    /// The stream ended.
    End,
    /// Reading failed.
    Failed(JsError),
}

/// Waits for the slot's next frame (or the end of the stream).
pub async fn next_frame(slot: &Rc<RefCell<Slot>>) -> Next {
    loop {
        let waiting = {
            let mut state = slot.borrow_mut();
            if let Some((frame, read_at)) = state.frame.take() {
                return Next::Frame(frame, read_at);
            }
            match &state.end {
                Some(Ok(())) => return Next::End,
                Some(Err(error)) => return Next::Failed(error.clone()),
                None => {}
            }
            let mut wake = None;
            let promise = js_sys::Promise::new(&mut |resolve, _reject| wake = Some(resolve));
            state.wake = wake;
            promise
        };
        let _ = wasm_bindgen_futures::JsFuture::from(waiting).await;
    }
}
