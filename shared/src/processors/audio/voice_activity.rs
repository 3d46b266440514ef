//! `voice-activity`: which parts of the sound are speech, by earshot's
//! neural voice activity detector (a small network over spectral
//! features, pure Rust, `libm` for its maths so every target gives the
//! same scores); the sound is unchanged.
//!
//! The channels are mixed to mono and resampled to 16 kHz, the
//! detector's rate; every 16 ms frame (256 samples there) it scores how
//! likely speech is. A frame at or above `threshold` is speech; a segment
//! starts at its first speech frame and ends once `hangover_ms` pass
//! without one. Every frame gives a result — the time, the score, whether
//! someone speaks — and the frame that closes a segment carries it, with
//! its start and end, when it lasted `min_speech_ms` or more. Times are in
//! ms of sound since the processor started. The detector's features
//! settle over its first [`SETTLE_FRAMES`] frames (sound that starts out
//! of nothing, such as steady noise, scored as speech there): no segment
//! starts before.

use earshot::Detector;
use serde::Serialize;

use super::resample::Resampler;
use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "voice-activity",
        MediaKind::Audio,
        Cost::Light,
        "Detects speech (a neural voice activity detector): segments with start and end; the \
         sound is unchanged.",
    )
    .param(ParamSpec::float(
        "threshold",
        "Threshold",
        0.05,
        0.95,
        0.05,
        0.5,
    ))
    .param(ParamSpec::float("hangover_ms", "Hangover", 0.0, 1000.0, 16.0, 240.0).unit("ms"))
    .param(ParamSpec::float("min_speech_ms", "Shortest", 0.0, 1000.0, 16.0, 96.0).unit("ms"))
}

/// The detector's sample rate.
pub const DETECTOR_RATE: u32 = 16_000;
/// Samples in one detector frame (16 ms).
pub const FRAME_SAMPLES: usize = 256;
/// One frame's length in ms.
pub const FRAME_MS: f64 = 16.0;
/// Frames the detector settles over after a start (320 ms).
pub const SETTLE_FRAMES: u64 = 20;

/// A stretch of speech, in ms of sound since the processor started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Segment {
    /// Where the first speech frame starts.
    pub start_ms: f64,
    /// Where the last speech frame ends.
    pub end_ms: f64,
}

/// The result emitted for every 16 ms frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Voice {
    /// The end of the frame, in ms since the processor started.
    pub at_ms: f64,
    /// How likely the frame is speech, 0–1.
    pub score: f32,
    /// Whether a segment is open (speech, or within the hangover after).
    pub speaking: bool,
    /// The segment that this frame closed, if any.
    pub segment: Option<Segment>,
}

/// Finds speech; see the [module docs](self).
pub struct VoiceActivity {
    threshold: f32,
    hangover_frames: u64,
    min_speech_frames: u64,
    detector: Box<Detector>,
    resampler: Option<Resampler>,
    frame: Vec<f32>,
    /// Frames scored so far.
    frames: u64,
    /// The open segment: (first speech frame, last speech frame).
    open: Option<(u64, u64)>,
}

impl std::fmt::Debug for VoiceActivity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceActivity")
            .field("frames", &self.frames)
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}

impl Default for VoiceActivity {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            hangover_frames: 15,
            min_speech_frames: 6,
            detector: Detector::default_boxed(),
            resampler: None,
            frame: Vec::with_capacity(FRAME_SAMPLES),
            frames: 0,
            open: None,
        }
    }
}

/// Whole frames in `ms`.
fn frames_in(ms: f64) -> u64 {
    libm::round(ms / FRAME_MS) as u64
}

impl VoiceActivity {
    /// Scores the full frame and emits its result.
    fn score_frame(&mut self, results: &mut Results) -> Result<(), ProcessError> {
        let score = self.detector.predict_f32(&self.frame).clamp(0.0, 1.0);
        self.frame.clear();
        let index = self.frames;
        self.frames += 1;
        let mut closed = None;
        if score >= self.threshold && index >= SETTLE_FRAMES {
            let start = self.open.map_or(index, |(start, _)| start);
            self.open = Some((start, index));
        } else if let Some((start, last)) = self.open {
            if index - last >= self.hangover_frames.max(1) {
                self.open = None;
                if last + 1 - start >= self.min_speech_frames {
                    closed = Some(Segment {
                        start_ms: start as f64 * FRAME_MS,
                        end_ms: (last + 1) as f64 * FRAME_MS,
                    });
                }
            }
        }
        results.emit(&Voice {
            at_ms: self.frames as f64 * FRAME_MS,
            score,
            speaking: self.open.is_some(),
            segment: closed,
        })
    }
}

impl Configure for VoiceActivity {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.threshold = params.float("threshold")? as f32;
        self.hangover_frames = frames_in(params.float("hangover_ms")?);
        self.min_speech_frames = frames_in(params.float("min_speech_ms")?);
        Ok(())
    }
}

impl AudioProcessor for VoiceActivity {
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        let rate = frame.sample_rate();
        if self.resampler.as_ref().map(Resampler::from_rate) != Some(rate) {
            // Another rate is another stream: start afresh.
            self.resampler = Some(Resampler::new(rate, DETECTOR_RATE));
            self.frame.clear();
            self.detector.reset();
            (self.frames, self.open) = (0, None);
        }
        let channels = usize::from(frame.channels());
        let mut resampler = self
            .resampler
            .take()
            .unwrap_or_else(|| Resampler::new(rate, DETECTOR_RATE));
        let mut outcome = Ok(());
        for block in frame.samples().chunks_exact(channels) {
            resampler.push(super::mono(block), |x| {
                self.frame.push(x.clamp(-1.0, 1.0) as f32);
                if self.frame.len() == FRAME_SAMPLES && outcome.is_ok() {
                    outcome = self.score_frame(results);
                }
            });
        }
        self.resampler = Some(resampler);
        outcome
    }
}
