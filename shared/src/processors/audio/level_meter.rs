//! `level-meter`: RMS and peak level per channel, emitted as results; the
//! audio is left unchanged.

use serde::Serialize;

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "level-meter",
        MediaKind::Audio,
        Cost::Light,
        "Measures RMS and peak levels; the sound is unchanged.",
    )
}

/// Quietest level reported, in dBFS (silence reports this, not −∞).
pub const FLOOR_DBFS: f32 = -120.0;

/// The result emitted for every block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Levels {
    /// Root mean square per channel, 0–1 for full-scale input.
    pub rms: Vec<f32>,
    /// Largest absolute sample per channel.
    pub peak: Vec<f32>,
    /// `rms` in dBFS, floored at [`FLOOR_DBFS`].
    pub rms_dbfs: Vec<f32>,
    /// `peak` in dBFS, floored at [`FLOOR_DBFS`].
    pub peak_dbfs: Vec<f32>,
}

/// An amplitude in dBFS, floored at [`FLOOR_DBFS`].
pub fn to_dbfs(amplitude: f32) -> f32 {
    if amplitude <= 0.0 {
        return FLOOR_DBFS;
    }
    ((20.0 * libm::log10(f64::from(amplitude))) as f32).max(FLOOR_DBFS)
}

/// Emits a [`Levels`] for every block.
#[derive(Debug, Default)]
pub struct LevelMeter;

impl Configure for LevelMeter {}

impl AudioProcessor for LevelMeter {
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        let channels = usize::from(frame.channels());
        let mut squares = vec![0f64; channels];
        let mut peak = vec![0f32; channels];
        for block in frame.samples().chunks_exact(channels) {
            for (c, &x) in block.iter().enumerate() {
                squares[c] += f64::from(x) * f64::from(x);
                peak[c] = peak[c].max(x.abs());
            }
        }
        let n = frame.samples_per_channel() as f64;
        let rms: Vec<f32> = squares.iter().map(|s| libm::sqrt(s / n) as f32).collect();
        results.emit(&Levels {
            rms_dbfs: rms.iter().map(|&r| to_dbfs(r)).collect(),
            peak_dbfs: peak.iter().map(|&p| to_dbfs(p)).collect(),
            rms,
            peak,
        })
    }
}
