//! `stress`: a stand-in for a heavy model whose cost is a param. It
//! inverts the picture `passes` times, so an even count gives the input
//! back and an odd count its negative, while the time per frame grows with
//! `passes`. Use it to see Auto placement move to a server.

use super::invert::Invert;
use crate::{
    Configure, Cost, MediaKind, ParamError, ParamSpec, Params, ProcessError, ProcessorInfo,
    Results, VideoFrame, VideoProcessor,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "stress",
        MediaKind::Video,
        Cost::Moderate,
        "Load test: inverts the picture `passes` times (even: unchanged, odd: negative); \
         the time per frame grows with passes.",
    )
    .param(ParamSpec::int("passes", "Passes", 1, 2000, 1, 1))
}

/// Inverts R, G and B `passes` times; alpha is kept.
#[derive(Debug, Default)]
pub struct Stress {
    passes: u32,
}

impl Configure for Stress {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.passes = params.int("passes")?.clamp(1, 2000) as u32;
        Ok(())
    }
}

impl VideoProcessor for Stress {
    fn process(
        &mut self,
        frame: &mut VideoFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        for _ in 0..self.passes {
            Invert.process(frame, results)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Registry;
    use serde_json::json;

    #[test]
    fn odd_passes_invert_and_even_passes_restore() {
        let registry = Registry::with_builtins();
        let input = VideoFrame::filled(2, 2, [10, 200, 30, 255], 0).unwrap();
        for (passes, expected) in [(1, [245, 55, 225, 255]), (4, [10, 200, 30, 255])] {
            let mut stress = registry
                .video("stress", &json!({ "passes": passes }))
                .unwrap();
            let mut frame = input.clone();
            stress.process(&mut frame).unwrap();
            assert_eq!(frame.pixel(1, 1), Some(expected));
        }
    }
}
