//! `gain`: louder or quieter by a number of decibels.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "gain",
        MediaKind::Audio,
        Cost::Light,
        "Louder or quieter, in decibels.",
    )
    .param(ParamSpec::float("gain_db", "Gain", -60.0, 24.0, 0.5, 0.0).unit("dB"))
}

/// The amplitude factor for a gain in decibels: `10^(dB / 20)`.
pub fn db_to_factor(db: f64) -> f32 {
    libm::pow(10.0, db / 20.0) as f32
}

/// Multiplies every sample by `10^(gain_db / 20)`. Samples are not
/// clipped: the browser's output clips at ±1.
#[derive(Debug)]
pub struct Gain {
    factor: f32,
}

impl Default for Gain {
    fn default() -> Self {
        Self { factor: 1.0 }
    }
}

impl Configure for Gain {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.factor = db_to_factor(params.float("gain_db")?);
        Ok(())
    }
}

impl AudioProcessor for Gain {
    fn process(&mut self, frame: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        frame
            .samples_mut()
            .iter_mut()
            .for_each(|s| *s *= self.factor);
        Ok(())
    }
}
