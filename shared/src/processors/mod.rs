//! The built-in processors, one module each, and their registration.
//!
//! Each module has a `info()` with its registry name, description, cost and
//! param schema, and a processor type that implements
//! [`VideoProcessor`](crate::VideoProcessor) or
//! [`AudioProcessor`](crate::AudioProcessor). Every algorithm of our own
//! is plain integer or `libm` float code, so native and wasm32 builds give
//! bit-identical output; `noise-suppression` (through `std` maths) is held
//! to measured figures instead.

pub mod audio;
pub mod video;

use crate::registry::Registry;

impl Registry {
    /// A registry with every built-in processor. An app that needs only a
    /// few registers them one by one on [`Registry::new`], which keeps the
    /// others out of its wasm bundle.
    pub fn with_builtins() -> Self {
        let mut registry = Self::new();
        register_builtins(&mut registry);
        registry
    }
}

/// Registers every built-in processor. Names are unique by construction,
/// so a failure here is a bug in this crate and is skipped, not a panic.
fn register_builtins(registry: &mut Registry) {
    use video::*;
    let video_results = [
        registry.register_video(passthrough::info(), passthrough::Passthrough::default),
        registry.register_video(grayscale::info(), grayscale::Grayscale::default),
        registry.register_video(invert::info(), invert::Invert::default),
        registry.register_video(canny::info(), canny::Canny::default),
        registry.register_video(blur::info(), blur::Blur::default),
        registry.register_video(edge_overlay::info(), edge_overlay::EdgeOverlay::default),
        registry.register_video(pixelate::info(), pixelate::Pixelate::default),
        registry.register_video(cartoon::info(), cartoon::Cartoon::default),
        registry.register_video(
            brightness_contrast::info(),
            brightness_contrast::BrightnessContrast::default,
        ),
        registry.register_video(flip::flip_info(), flip::Flip::default),
        registry.register_video(flip::rotate_info(), flip::Rotate180::default),
        registry.register_video(frame_stats::info(), frame_stats::FrameStats::default),
        registry.register_video(spectrogram::info(), spectrogram::Spectrogram::default),
        registry.register_video(stress::info(), stress::Stress::default),
    ];
    use audio::*;
    let audio_results = [
        registry.register_audio(gain::info(), gain::Gain::default),
        registry.register_audio(delay::info(), delay::Delay::default),
        registry.register_audio(biquad::lowpass_info(), biquad::Biquad::lowpass),
        registry.register_audio(biquad::highpass_info(), biquad::Biquad::highpass),
        registry.register_audio(level_meter::info(), level_meter::LevelMeter::default),
        registry.register_audio(pitch::info(), pitch::PitchMeter::default),
        registry.register_audio(
            voice_activity::info(),
            voice_activity::VoiceActivity::default,
        ),
        registry.register_audio(spectrum::info(), spectrum::SpectrumMeter::default),
        registry.register_audio(
            noise_suppression::info(),
            noise_suppression::NoiseSuppression::default,
        ),
    ];
    debug_assert!(video_results
        .iter()
        .chain(&audio_results)
        .all(Result::is_ok));
}
