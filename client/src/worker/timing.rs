//! The worker's figures: the windows behind the rates and percentiles in
//! [`WorkerStats`], and when stats are posted.

use framewise::VideoFrame;

use super::frames::Slot;
use crate::protocol::WorkerStats;
use crate::stats::{Window, WINDOW};

/// Stats are posted after the first frame and then every this many frames.
pub const STATS_EVERY: u64 = 10;

/// Whether stats go to the page after frame `frames`.
pub fn stats_due(frames: u64) -> bool {
    frames == 1 || frames.is_multiple_of(STATS_EVERY)
}

/// The windows behind the rates and percentiles in [`WorkerStats`].
pub struct Timing {
    process_ms: Window,
    total_ms: Window,
    /// `performance.now()` when each output frame was written.
    written_at: Window,
    /// From reading each camera frame to writing its output, ms.
    latency_ms: Window,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            process_ms: Window::new(WINDOW),
            total_ms: Window::new(WINDOW),
            written_at: Window::new(WINDOW),
            latency_ms: Window::new(WINDOW),
        }
    }
}

impl Timing {
    /// Records one written frame — its size, when its camera frame reached
    /// the worker (`read_at`) and the `performance.now()` times it was
    /// started, converted, processed and written — and refreshes the
    /// output rate and the percentiles.
    pub fn record(
        &mut self,
        stats: &mut WorkerStats,
        frame: &VideoFrame,
        read_at: f64,
        steps: [f64; 4],
    ) {
        let [started, converted_at, processed_at, done_at] = steps;
        stats.frames += 1;
        stats.width = frame.width();
        stats.height = frame.height();
        stats.convert_ms = converted_at - started;
        stats.process_ms = processed_at - converted_at;
        stats.total_ms = done_at - started;
        self.process_ms.push(stats.process_ms);
        self.total_ms.push(stats.total_ms);
        self.written_at.push(done_at);
        self.latency_ms.push(done_at - read_at);
        stats.latency_ms_p50 = self.latency_ms.percentile(50.0).unwrap_or(0.0);
        stats.output_fps = self.written_at.rate(1e3);
        stats.process_ms_p50 = self.process_ms.percentile(50.0).unwrap_or(0.0);
        stats.process_ms_p95 = self.process_ms.percentile(95.0).unwrap_or(0.0);
        stats.total_ms_p50 = self.total_ms.percentile(50.0).unwrap_or(0.0);
        stats.total_ms_p95 = self.total_ms.percentile(95.0).unwrap_or(0.0);
    }

    /// The input side, from the reader's slot: frames received, dropped,
    /// and the input rate.
    pub fn fill_input(&self, stats: &mut WorkerStats, slot: &Slot) {
        stats.received = slot.received;
        stats.dropped = slot.dropped;
        stats.input_fps = slot.read_at.rate(1e3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_after_the_first_frame_then_every_tenth() {
        let due: Vec<u64> = (1..=30).filter(|&n| stats_due(n)).collect();
        assert_eq!(due, [1, 10, 20, 30]);
    }
}
