//! `sepia`: this example's own processor, its description (the page draws
//! its controls from it) and the registry the worker runs it from.
//!
//! ```
//! use framewise::VideoFrame;
//! use serde_json::json;
//!
//! let mut pipeline = framewise_example_custom::registry().video("sepia", &json!({}))?;
//! let mut frame = VideoFrame::filled(1, 1, [100, 100, 100, 255], 0)?;
//! pipeline.process(&mut frame)?;
//! assert_eq!(frame.pixel(0, 0), Some([135, 120, 93, 255]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use framewise::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Registry, Results, VideoFrame, VideoProcessor,
};

/// The processor's registry name.
pub const NAME: &str = "sepia";

/// Its description and param schema.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(NAME, MediaKind::Video, Cost::Light, "Old-photo sepia tone.")
        .param(ParamSpec::int("strength", "Strength", 0, 100, 1, 100).unit("%"))
}

/// The built-in processors and `sepia`.
pub fn registry() -> Registry {
    let mut registry = Registry::with_builtins();
    registry
        .register_video(info(), Sepia::default)
        .expect("sepia's name and defaults are valid (tested)");
    registry
}

/// One pixel: the classic sepia matrix, mixed with the original by
/// `strength` percent (0–100), in integers so every target agrees.
pub fn sepia([r, g, b]: [u8; 3], strength: u32) -> [u8; 3] {
    let (r, g, b) = (u32::from(r), u32::from(g), u32::from(b));
    let tone = [
        (393 * r + 769 * g + 189 * b) / 1000,
        (349 * r + 686 * g + 168 * b) / 1000,
        (272 * r + 534 * g + 131 * b) / 1000,
    ];
    let s = strength.min(100);
    let mix = |c: u32, t: u32| ((c * (100 - s) + t.min(255) * s + 50) / 100) as u8;
    [mix(r, tone[0]), mix(g, tone[1]), mix(b, tone[2])]
}

/// Applies [`sepia`] to every pixel; alpha is kept.
#[derive(Debug, Default)]
pub struct Sepia {
    /// Percent, set by [`Configure`] before the first frame.
    strength: u32,
}

impl Configure for Sepia {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.strength = params.int("strength")?.clamp(0, 100) as u32;
        Ok(())
    }
}

impl VideoProcessor for Sepia {
    fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
        for p in frame.data_mut().chunks_exact_mut(4) {
            let [r, g, b] = sepia([p[0], p[1], p[2]], self.strength);
            (p[0], p[1], p[2]) = (r, g, b);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registers_next_to_the_builtins() {
        let registry = registry();
        assert!(registry.info("canny").is_some());
        assert_eq!(registry.info(NAME), Some(&info()));
    }

    #[test]
    fn strength_mixes_with_the_original() {
        assert_eq!(sepia([10, 200, 30], 0), [10, 200, 30]);
        assert_eq!(sepia([255, 255, 255], 100), [255, 255, 238]);
        assert_eq!(sepia([0, 0, 0], 100), [0, 0, 0]);
        // Full strength: R ≥ G ≥ B, whatever the input.
        for rgb in [[0, 0, 255], [255, 0, 0], [0, 255, 0], [17, 99, 201]] {
            let [r, g, b] = sepia(rgb, 100);
            assert!(r >= g && g >= b, "{rgb:?} → {:?}", [r, g, b]);
        }
    }

    #[test]
    fn params_reach_the_running_processor() -> Result<(), Box<dyn std::error::Error>> {
        let mut pipeline = registry().video(NAME, &json!({"strength": 0}))?;
        let mut frame = VideoFrame::filled(2, 1, [40, 80, 120, 7], 0)?;
        pipeline.process(&mut frame)?;
        assert_eq!(frame.pixel(1, 0), Some([40, 80, 120, 7]));
        pipeline.set_params(&json!({"strength": 50}))?;
        pipeline.process(&mut frame)?;
        let [r, g, b] = sepia([40, 80, 120], 50);
        assert_eq!(frame.pixel(0, 0), Some([r, g, b, 7]));
        assert!(pipeline.set_params(&json!({"strength": 101})).is_err());
        Ok(())
    }
}
