//! The processor traits, their descriptions, and the results they emit.

use serde::Serialize;
use serde_json::Value;

use crate::frame::{AudioFrame, FrameError, VideoFrame};
use crate::params::{ParamError, ParamSpec, Params};

/// Takes validated params. Called with every param set before the first
/// frame, and again between frames whenever params change — never during
/// a frame, so a processor never sees half an update.
pub trait Configure {
    /// Applies a complete, validated param set. The default ignores them,
    /// for processors without params.
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        let _ = params;
        Ok(())
    }
}

/// Processes video, one RGBA frame at a time, in place.
///
/// The frame size may change between calls (a camera switch does that):
/// a processor keeps any per-size state keyed on the size it saw last.
///
/// ```
/// use framewise::{Configure, ProcessError, Results, VideoFrame, VideoProcessor};
///
/// /// Sets every pixel's red channel to zero.
/// struct NoRed;
///
/// impl Configure for NoRed {}
///
/// impl VideoProcessor for NoRed {
///     fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
///         frame.data_mut().chunks_exact_mut(4).for_each(|p| p[0] = 0);
///         Ok(())
///     }
/// }
/// ```
pub trait VideoProcessor: Configure + Send {
    /// Processes one frame in place; may replace it (e.g. with another size).
    fn process(
        &mut self,
        frame: &mut VideoFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError>;

    /// Takes the sound heard since the last frame, one block at a time,
    /// before the next [`process`](Self::process). Only a processor whose
    /// info says it [hears audio](ProcessorInfo::hears_audio) is given
    /// any (an audio visualiser draws it); the default ignores it.
    fn hear(&mut self, audio: &AudioFrame) {
        let _ = audio;
    }
}

/// Processes audio, one block of interleaved samples at a time, in place.
///
/// The sample rate and channel count may change between calls.
pub trait AudioProcessor: Configure + Send {
    /// Processes one block in place.
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError>;
}

/// A processor failed on one frame.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcessError {
    /// The processor built or received an invalid frame.
    #[error("bad frame: {0}")]
    Frame(#[from] FrameError),
    /// A result could not be turned into JSON.
    #[error("result could not be serialised: {0}")]
    Result(String),
    /// The processor's own error.
    #[error("{0}")]
    Failed(String),
}

/// The typed results a processor emits for one frame (detections, levels,
/// statistics), kept as JSON so they can cross a worker boundary or a
/// DataChannel unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    items: Vec<Value>,
}

/// Most results one frame may carry; more are an error, not a growing list.
pub const MAX_RESULTS_PER_FRAME: usize = 64;

impl Results {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one result.
    pub fn emit<T: Serialize>(&mut self, result: &T) -> Result<(), ProcessError> {
        if self.items.len() >= MAX_RESULTS_PER_FRAME {
            return Err(ProcessError::Result(format!(
                "more than {MAX_RESULTS_PER_FRAME} results in one frame"
            )));
        }
        let value =
            serde_json::to_value(result).map_err(|e| ProcessError::Result(e.to_string()))?;
        self.items.push(value);
        Ok(())
    }

    /// The results emitted so far.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// Whether nothing was emitted.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes the results out, leaving the list empty.
    pub fn take(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.items)
    }
}

/// What a processor costs per frame, so a placement can choose local or
/// remote before measuring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    /// Well under a millisecond at 640×480.
    Light,
    /// A few milliseconds at 640×480.
    Moderate,
    /// Likely to miss a 30 fps budget on a slow device.
    Heavy,
}

/// Whether a processor takes video or audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    /// Video frames.
    Video,
    /// Audio blocks.
    Audio,
}

/// A processor's description: its registry name, what it does, what it
/// costs, and its param schema.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessorInfo {
    /// Stable lowercase name, e.g. `"canny"`.
    pub name: String,
    /// One line for people.
    pub description: String,
    /// Video or audio.
    pub kind: MediaKind,
    /// Cost hint.
    pub cost: Cost,
    /// The params, in display order.
    pub params: Vec<ParamSpec>,
    /// A video processor that draws the microphone's sound: the places
    /// that run it pass the audio to [`VideoProcessor::hear`].
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hears_audio: bool,
}

impl ProcessorInfo {
    /// A description with no params yet.
    pub fn new(name: &str, kind: MediaKind, cost: Cost, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            kind,
            cost,
            params: Vec::new(),
            hears_audio: false,
        }
    }

    /// Marks a video processor that hears the microphone
    /// ([`VideoProcessor::hear`]).
    pub fn hears_audio(mut self) -> Self {
        self.hears_audio = true;
        self
    }

    /// Adds a param to the schema.
    pub fn param(mut self, spec: ParamSpec) -> Self {
        self.params.push(spec);
        self
    }
}
