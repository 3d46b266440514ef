//! The Streamer's statistics: what the worker counts plus what only the
//! page sees, and the overlay's lines. Plain code, tested natively; the
//! bounded [`Window`] behind the rates and percentiles is the core's.

use serde::{Deserialize, Serialize};

pub use framewise::window::Window;

use crate::protocol::WorkerStats;

/// Where the frames are processed, as [`StreamStats::runs_at`] says it.
pub const RUNS_LOCAL: &str = "local";

/// Where the frames are processed when a `framewise-server` does it.
pub const RUNS_REMOTE: &str = "remote";

/// [`StreamStats::path`] for remote processing: the browser's
/// `RTCPeerConnection` to the server and back.
pub const PATH_WEBRTC: &str = "webrtc";

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
    /// How frames reach the processor and come back: [`PATH_TRACK`],
    /// [`PATH_FALLBACK`] or [`PATH_WEBRTC`].
    #[serde(default)]
    pub path: String,
    /// Why processing runs where it runs (the placement, or why Auto
    /// moved it).
    #[serde(default)]
    pub reason: String,
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
        if !self.reason.is_empty() {
            lines.push(self.reason.clone());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
            reason: String::new(),
        };
        let json = serde_json::to_value(&stats).unwrap();
        assert_eq!(json["path"], "fallback");
        assert_eq!(json["frames"], 7);
        assert_eq!(json["first_frame_ms"], 250.0);
        assert_eq!(json["runs_at"], "local");
        assert_eq!(serde_json::from_value::<StreamStats>(json).unwrap(), stats);
        assert!(stats.lines().iter().any(|l| l.contains("1 dropped")));
    }
}
