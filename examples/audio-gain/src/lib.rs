//! `volume`: this example's own audio processor (the seed's gain example),
//! and the registry the page (for its schema) and the worker share.
//!
//! ```
//! use framewise::AudioFrame;
//! use serde_json::json;
//!
//! let registry = framewise_example_audio_gain::registry();
//! let mut pipeline = registry.audio("volume", &json!({"gain_db": -6.0206}))?;
//! let mut block = AudioFrame::new(48_000, 1, vec![0.5, -0.5], 0)?;
//! pipeline.process(&mut block)?;
//! assert!((block.samples()[0] - 0.25).abs() < 1e-4);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use framewise::processors::video::passthrough;
use framewise::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Registry, Results,
};

/// The processor's registry name.
pub const NAME: &str = "volume";

/// Its description and param schema.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(NAME, MediaKind::Audio, Cost::Light, "Louder or quieter.")
        .param(ParamSpec::float("gain_db", "Gain", -30.0, 12.0, 0.5, 0.0).unit("dB"))
}

/// `volume`, and `passthrough` for the camera: only what the page runs, so
/// the worker's wasm stays small.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry
        .register_video(passthrough::info(), passthrough::Passthrough::default)
        .and_then(|()| registry.register_audio(info(), Volume::default))
        .expect("the names and defaults are valid (tested)");
    registry
}

/// Multiplies every sample by `10^(gain_db / 20)`.
#[derive(Debug, Default)]
pub struct Volume {
    factor: f32,
}

impl Configure for Volume {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.factor = 10f64.powf(params.float("gain_db")? / 20.0) as f32;
        Ok(())
    }
}

impl AudioProcessor for Volume {
    fn process(&mut self, block: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        block
            .samples_mut()
            .iter_mut()
            .for_each(|s| *s *= self.factor);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_volume_and_passthrough() {
        let registry = registry();
        let names: Vec<&str> = registry.infos().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["passthrough", NAME]);
    }

    #[test]
    fn zero_db_changes_nothing_and_minus_20_db_is_a_tenth() {
        let registry = registry();
        for (db, factor) in [(0.0, 1.0), (-20.0, 0.1)] {
            let mut pipeline = registry
                .audio(NAME, &serde_json::json!({ "gain_db": db }))
                .unwrap();
            let mut block = AudioFrame::new(48_000, 2, vec![0.5, -0.25], 0).unwrap();
            pipeline.process(&mut block).unwrap();
            assert!((block.samples()[0] - 0.5 * factor).abs() < 1e-6);
            assert!((block.samples()[1] + 0.25 * factor).abs() < 1e-6);
        }
    }
}
