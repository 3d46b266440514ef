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
use crate::ProcessorInfo;

impl Registry {
    /// A registry with every built-in processor. An app that needs only a
    /// few registers them one by one on [`Registry::new`], which keeps the
    /// others out of its wasm bundle.
    pub fn with_builtins() -> Self {
        let mut registry = Self::with_builtin_video();
        register_audio_builtins(&mut registry);
        registry
    }

    /// A registry with every built-in video processor and no audio one:
    /// for a page that runs video itself and leaves audio to the worklet
    /// (the audio processors' code and model weights stay out of it;
    /// [`builtin_audio_infos`] describes them).
    pub fn with_builtin_video() -> Self {
        let mut registry = Self::new();
        register_video_builtins(&mut registry);
        registry
    }
}

/// Every built-in audio processor's description, without its code: what
/// a page that only lists them or draws their controls needs.
pub fn builtin_audio_infos() -> Vec<ProcessorInfo> {
    use audio::*;
    vec![
        gain::info(),
        delay::info(),
        biquad::lowpass_info(),
        biquad::highpass_info(),
        level_meter::info(),
        pitch::info(),
        voice_activity::info(),
        spectrum::info(),
        noise_suppression::info(),
    ]
}

/// Registers every built-in video processor. Names are unique by
/// construction, so a failure here is a bug in this crate and is skipped,
/// not a panic.
fn register_video_builtins(registry: &mut Registry) {
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
    debug_assert!(video_results.iter().all(Result::is_ok));
}

/// Registers every built-in audio processor (see
/// [`register_video_builtins`]).
fn register_audio_builtins(registry: &mut Registry) {
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
    debug_assert!(audio_results.iter().all(Result::is_ok));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaKind;

    #[test]
    fn the_audio_descriptions_are_the_registered_audio_processors() {
        let registry = Registry::with_builtins();
        let mut registered: Vec<&ProcessorInfo> = registry
            .infos()
            .filter(|info| info.kind == MediaKind::Audio)
            .collect();
        let mut described = builtin_audio_infos();
        registered.sort_by(|a, b| a.name.cmp(&b.name));
        described.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(registered, described.iter().collect::<Vec<_>>());
        let video = Registry::with_builtin_video();
        assert!(video.infos().all(|info| info.kind == MediaKind::Video));
        assert_eq!(
            video.infos().count() + described.len(),
            registry.infos().count()
        );
    }
}
