//! Statistics over the last frames: a bounded window of samples, its
//! percentiles, and frame rates from timestamps. Plain code (no browser
//! API, no clock: times come in as numbers), tested natively.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::protocol::WorkerStats;

/// Where the frames are processed, as [`StreamStats::runs_at`] says it.
pub const RUNS_LOCAL: &str = "local";

/// [`StreamStats::path`] when the worker reads a `MediaStreamTrackProcessor`
/// stream and writes a `MediaStreamTrackGenerator` (Chromium).
pub const PATH_TRACK: &str = "track-processor";

/// [`StreamStats::path`] on the fallback: frames grabbed from a `<video>`
/// with `requestVideoFrameCallback`, sent to the worker one at a time and
/// drawn back into a canvas whose `captureStream()` is the output.
pub const PATH_FALLBACK: &str = "fallback";

/// What the [`Streamer`](crate::Streamer) reports through `on_stats` and
/// shows in its overlay: the worker's counters plus what only the page
/// sees. Serialized flat (the worker's fields next to these).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamStats {
    /// The worker's counters and rates.
    #[serde(flatten)]
    pub worker: WorkerStats,
    /// Milliseconds from START to the page hearing of the first processed
    /// frame (camera permission and opening, worker start-up, first frame).
    pub first_frame_ms: Option<f64>,
    /// Where processing runs: [`RUNS_LOCAL`] (this browser's worker).
    pub runs_at: String,
    /// How frames reach the worker and come back: [`PATH_TRACK`] or
    /// [`PATH_FALLBACK`].
    #[serde(default)]
    pub path: String,
}

impl StreamStats {
    /// The overlay's lines, for a person.
    pub fn lines(&self) -> Vec<String> {
        let w = &self.worker;
        let mut lines = vec![
            format!(
                "{} ({}) · {}×{} · in {:.1} fps · out {:.1} fps",
                self.runs_at, self.path, w.width, w.height, w.input_fps, w.output_fps
            ),
            format!(
                "process {:.1} / {:.1} ms (p50/p95) · frame {:.1} / {:.1} ms",
                w.process_ms_p50, w.process_ms_p95, w.total_ms_p50, w.total_ms_p95
            ),
            format!(
                "{} frames · {} dropped · added latency {:.1} ms",
                w.frames, w.dropped, w.latency_ms_p50
            ),
        ];
        if let Some(ms) = self.first_frame_ms {
            lines.push(format!("first frame {ms:.0} ms after START"));
        }
        if !w.conversion.is_empty() {
            lines.push(format!("{} · {}", w.format, w.conversion));
        }
        lines
    }
}

/// How many recent frames the worker's statistics cover.
pub const WINDOW: usize = 120;

/// The last `capacity` samples (older ones fall out): a ring buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    samples: VecDeque<f64>,
    capacity: usize,
}

impl Window {
    /// An empty window keeping at most `capacity` samples (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            samples: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Adds a sample, dropping the oldest one if the window is full.
    /// Non-finite samples (NaN, ±∞) are ignored.
    pub fn push(&mut self, sample: f64) {
        if !sample.is_finite() {
            return;
        }
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(sample);
    }

    /// How many samples the window holds.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether the window holds no sample.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The `p`-th percentile (`p` in 0..=100, clamped) by the
    /// nearest-rank method: the smallest sample with at least `p`% of the
    /// samples at or below it. `None` when empty.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.samples.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 100.0) };
        let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied()
    }

    /// Events per second if the samples are the events' times in
    /// `units_per_second` units (ms: 1000, µs: 1 000 000): (n − 1) over the
    /// span from the oldest to the newest. 0 with fewer than two samples or
    /// no time between them.
    pub fn rate(&self, units_per_second: f64) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(first), Some(last)) if self.samples.len() > 1 && last > first => {
                (self.samples.len() - 1) as f64 * units_per_second / (last - first)
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_cover_only_the_last_samples() {
        let mut window = Window::new(100);
        assert_eq!(window.percentile(50.0), None);
        for v in 1..=100 {
            window.push(f64::from(v));
        }
        assert_eq!(window.percentile(50.0), Some(50.0));
        assert_eq!(window.percentile(95.0), Some(95.0));
        assert_eq!(window.percentile(0.0), Some(1.0));
        assert_eq!(window.percentile(100.0), Some(100.0));
        assert_eq!(window.percentile(250.0), Some(100.0));
        // 100 more samples of 1000 push every earlier one out.
        for _ in 0..100 {
            window.push(1000.0);
        }
        assert_eq!(window.len(), 100);
        assert_eq!(window.percentile(50.0), Some(1000.0));
        // Order of arrival does not matter; NaN is ignored.
        let mut window = Window::new(5);
        for v in [5.0, f64::NAN, 1.0, 4.0, 2.0, 3.0] {
            window.push(v);
        }
        assert_eq!(window.len(), 5);
        assert_eq!(window.percentile(50.0), Some(3.0));
        assert_eq!(window.percentile(95.0), Some(5.0));
    }

    #[test]
    fn one_sample_window_keeps_the_newest() {
        let mut window = Window::new(0);
        window.push(1.0);
        window.push(2.0);
        assert_eq!((window.len(), window.percentile(50.0)), (1, Some(2.0)));
    }

    #[test]
    fn stream_stats_serialize_flat() {
        let stats = StreamStats {
            worker: WorkerStats {
                frames: 7,
                dropped: 1,
                ..WorkerStats::default()
            },
            first_frame_ms: Some(250.0),
            runs_at: RUNS_LOCAL.into(),
            path: PATH_FALLBACK.into(),
        };
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["path"], "fallback");
        assert_eq!(json["frames"], 7);
        assert_eq!(json["first_frame_ms"], 250.0);
        assert_eq!(json["runs_at"], "local");
        assert_eq!(serde_json::from_value::<StreamStats>(json).unwrap(), stats);
        assert!(stats.lines().iter().any(|l| l.contains("1 dropped")));
    }

    #[test]
    fn rate_from_timestamps() {
        let mut window = Window::new(WINDOW);
        assert_eq!(window.rate(1e6), 0.0);
        // 30 fps in µs timestamps, 200 frames: the window keeps 120.
        for i in 0..200 {
            window.push(f64::from(i) * 1e6 / 30.0);
        }
        assert!((window.rate(1e6) - 30.0).abs() < 1e-9);
        // 20 fps in ms.
        let mut window = Window::new(10);
        for i in 0..10 {
            window.push(1000.0 + f64::from(i) * 50.0);
        }
        assert!((window.rate(1000.0) - 20.0).abs() < 1e-9);
        // All at the same time: no rate.
        let mut window = Window::new(3);
        window.push(5.0);
        window.push(5.0);
        assert_eq!(window.rate(1000.0), 0.0);
    }
}
