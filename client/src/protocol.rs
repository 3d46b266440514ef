//! The messages between the page and the processing worker.
//!
//! Every message is a plain JS object `{ json: "<ToWorker or FromWorker as
//! JSON>" }`; the start message also carries the transferred camera
//! `readable` and, unless the worker makes its own output
//! ([`FromWorker::Output`]), the generator's `writable` stream next to
//! `json`; [`ToWorker::Source`] carries a new `readable`, and
//! [`ToWorker::Hear`] the microphone's; on the
//! fallback path ([`ToWorker::StartFrames`]) each [`ToWorker::Frame`] and
//! [`FromWorker::Processed`] carries a transferred `VideoFrame` in `frame`.
//! Keeping the payload in serde JSON makes the protocol testable natively.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the page tells the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ToWorker {
    /// Build `processor` with `params` and process the transferred streams.
    /// Without a `writable`, the worker makes a `VideoTrackGenerator` and
    /// sends its track back in [`FromWorker::Output`] (only when it said
    /// it can, in [`FromWorker::Ready`]).
    Start {
        /// Registry name of the video processor.
        processor: String,
        /// Params, `{"name": value}`; missing ones take their defaults.
        params: Value,
        /// Send-only: process for results and stats, write no frames (no
        /// `writable` comes, and no generator is made).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        send_only: bool,
    },
    /// Change the processor or its params; applied between frames.
    Configure {
        /// Registry name; a different name rebuilds the processor.
        processor: String,
        /// The complete params (`{"name": value}`).
        params: Value,
    },
    /// The fallback path (no track processor/generator on the page): build
    /// `processor` with `params` and process the frames that come one by
    /// one in [`ToWorker::Frame`] messages.
    StartFrames {
        /// Registry name of the video processor.
        processor: String,
        /// Params, `{"name": value}`; missing ones take their defaults.
        params: Value,
    },
    /// Fallback path: one camera frame, transferred in the message's
    /// `frame` field. The page sends the next one only after the
    /// [`FromWorker::Processed`] answer (latest frame wins on the page).
    Frame,
    /// Another camera was chosen: read frames from the transferred
    /// `readable` from now on (the processor, its state and the output go
    /// on).
    Source,
    /// The answer to [`FromWorker::Listen`]: the microphone, as a
    /// `MediaStreamTrackProcessor`'s transferred `readable` of
    /// `AudioData`, for the processor to hear until Stop.
    Hear,
    /// The local audio path: open the audio `processor` with `params`
    /// and process the transferred microphone `readable` (a
    /// `MediaStreamTrackProcessor`'s `AudioData`) into `writable` (an
    /// audio `MediaStreamTrackGenerator`'s). A worker runs either this or
    /// a frame loop; [`ToWorker::Configure`] then changes the audio
    /// params and [`ToWorker::Source`] brings another microphone.
    StartAudio {
        /// Registry name of the audio processor.
        processor: String,
        /// Params, `{"name": value}`; missing ones take their defaults.
        params: Value,
    },
    /// Stop reading frames and close the streams.
    Stop,
    /// Test hook: the worker panics (a wasm trap, as a panicking processor
    /// would), so tests can check that the page reports the failure and
    /// restarts the worker. Documented, always compiled, never sent by the
    /// Streamer itself.
    Crash,
}

/// Counters the worker reports every few frames. Rates and percentiles
/// cover the last [`WINDOW`](crate::stats::WINDOW) frames.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkerStats {
    /// Frames processed and written since start.
    pub frames: u64,
    /// Camera frames the worker received since start (processed, dropped
    /// or failed).
    pub received: u64,
    /// Camera frames replaced by a newer one before they could be
    /// processed (latest frame wins), since start.
    pub dropped: u64,
    /// Camera frames the worker received per second (worker clock).
    pub input_fps: f64,
    /// Processed frames written per second (worker clock).
    pub output_fps: f64,
    /// Median of the processor's own time per frame, ms.
    pub process_ms_p50: f64,
    /// 95th percentile of the processor's own time per frame, ms.
    pub process_ms_p95: f64,
    /// Median time per frame in the worker (RGBA copy, processing, output
    /// frame, write), ms.
    pub total_ms_p50: f64,
    /// 95th percentile of the time per frame in the worker, ms.
    pub total_ms_p95: f64,
    /// Frames that could not be processed (errors), since start.
    pub failed: u64,
    /// The camera frames' pixel format as the browser reports it
    /// (`I420`, `NV12`, `RGBA`, …).
    pub format: String,
    /// How frames were turned into RGBA (`copyTo RGBA`, `I420 → RGBA`, …).
    pub conversion: String,
    /// Width of the last frame.
    pub width: u32,
    /// Height of the last frame.
    pub height: u32,
    /// Milliseconds to get the last frame's RGBA bytes.
    pub convert_ms: f64,
    /// Milliseconds the processor took on the last frame.
    pub process_ms: f64,
    /// Milliseconds from reading the last frame to having written its
    /// output (conversion, processing, output frame, write).
    pub total_ms: f64,
    /// The latency processing adds: median time from a camera frame
    /// reaching the worker to its processed frame being written (waiting
    /// for the loop included), ms.
    pub latency_ms_p50: f64,
    /// `VideoFrame`s the worker holds right now (the latest camera frame
    /// waiting, the one in flight, its output): stays at most 3 when every
    /// frame is closed.
    pub open_frames: u64,
}

/// The audio loop's counters since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioCounts {
    /// Blocks processed and written.
    pub blocks: u64,
    /// Blocks whose processing and write took longer than the audio they
    /// hold: the output was not ready in time.
    pub late: u64,
    /// Blocks missing between two the loop read (the browser dropped
    /// them while the loop was behind).
    pub lost: u64,
}

impl AudioCounts {
    /// Blocks that were not ready in time or never came: the path's
    /// underruns.
    pub fn underruns(&self) -> u64 {
        self.late + self.lost
    }
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens: the page may send Start.
    Ready {
        /// The worker has `VideoTrackGenerator` (the spec's way to make a
        /// video track in a worker): the page sends no `writable`.
        #[serde(default)]
        video_track_generator: bool,
    },
    /// The output track the worker made (`VideoTrackGenerator`),
    /// transferred in the message's `track` field.
    Output,
    /// The running processor hears audio
    /// ([`ProcessorInfo::hears_audio`](framewise::ProcessorInfo::hears_audio)):
    /// the page sends the microphone in [`ToWorker::Hear`]. Sent once per
    /// frame loop.
    Listen,
    /// Periodic counters.
    Stats(WorkerStats),
    /// The audio processor of [`ToWorker::StartAudio`] is open: blocks
    /// flow.
    AudioOpened,
    /// The audio loop's counters, about once a second of audio.
    AudioCounts(AudioCounts),
    /// Results the processor emitted for one frame.
    Results {
        /// The processor's typed results, as JSON.
        results: Vec<Value>,
    },
    /// Something went wrong; `fatal` means processing stopped.
    Error {
        /// What happened, for a person.
        message: String,
        /// Whether the worker stopped processing.
        fatal: bool,
    },
    /// Fallback path: the answer to one [`ToWorker::Frame`]; the processed
    /// `VideoFrame` is transferred in the message's `frame` field (missing
    /// when that frame failed, which an [`FromWorker::Error`] reports).
    Processed,
    /// The loop ended (after Stop or the end of the stream).
    Stopped,
}

impl ToWorker {
    /// Reads a message; `None` if `text` is not one.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// As the JSON text carried in a message's `json` field.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl FromWorker {
    /// As the JSON text carried in a message's `json` field.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a message's `json` field; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let start = ToWorker::Start {
            processor: "invert".into(),
            params: json!({"a": 1}),
            send_only: false,
        };
        let text = start.to_json();
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!({"type": "start", "processor": "invert", "params": {"a": 1}})
        );
        assert_eq!(serde_json::from_str::<ToWorker>(&text).unwrap(), start);
        let stats = FromWorker::Stats(WorkerStats {
            frames: 3,
            format: "I420".into(),
            ..WorkerStats::default()
        });
        assert_eq!(FromWorker::parse(&stats.to_json()), Some(stats));
        assert_eq!(
            FromWorker::parse(r#"{"type":"ready"}"#),
            Some(FromWorker::Ready {
                video_track_generator: false
            })
        );
        assert_eq!(
            serde_json::from_str::<ToWorker>(r#"{"type":"source"}"#).unwrap(),
            ToWorker::Source
        );
        assert_eq!(FromWorker::parse("{nonsense"), None);
        assert_eq!(
            serde_json::from_str::<ToWorker>(r#"{"type":"crash"}"#).unwrap(),
            ToWorker::Crash
        );
        assert_eq!(
            FromWorker::parse(r#"{"type":"processed"}"#),
            Some(FromWorker::Processed)
        );
        let audio = ToWorker::StartAudio {
            processor: "gain".into(),
            params: json!({"gain_db": -6}),
        };
        assert_eq!(
            serde_json::from_str::<Value>(&audio.to_json()).unwrap()["type"],
            "start-audio"
        );
        let counts = FromWorker::AudioCounts(AudioCounts {
            blocks: 100,
            late: 1,
            lost: 2,
        });
        assert_eq!(FromWorker::parse(&counts.to_json()), Some(counts));
        assert_eq!(
            FromWorker::parse(r#"{"type":"audio-opened"}"#),
            Some(FromWorker::AudioOpened)
        );
    }
}
