//! `delay`: an echo — a delay line with feedback, mixed with the dry signal.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "delay",
        MediaKind::Audio,
        Cost::Light,
        "Echo: a delayed copy with feedback.",
    )
    .param(ParamSpec::float("delay_ms", "Delay", 1.0, 2000.0, 1.0, 250.0).unit("ms"))
    .param(ParamSpec::float(
        "feedback", "Feedback", 0.0, 0.95, 0.01, 0.4,
    ))
    .param(ParamSpec::float("mix", "Mix", 0.0, 1.0, 0.01, 0.5))
}

/// Per channel: `out = (1 − mix)·x + mix·d`, where `d` is the line's output
/// `delay` samples late, and the line takes `x + feedback·d`. The line is
/// cleared when the delay, sample rate or channel count changes.
#[derive(Debug)]
pub struct Delay {
    delay_ms: f64,
    feedback: f32,
    mix: f32,
    /// Interleaved delay line: `delay` slots per channel.
    line: Vec<f32>,
    delay: usize,
    channels: usize,
    sample_rate: u32,
    pos: usize,
}

impl Default for Delay {
    fn default() -> Self {
        Self {
            delay_ms: 250.0,
            feedback: 0.4,
            mix: 0.5,
            line: Vec::new(),
            delay: 0,
            channels: 0,
            sample_rate: 0,
            pos: 0,
        }
    }
}

/// Samples in `ms` milliseconds at `sample_rate`, at least one.
pub fn delay_samples(ms: f64, sample_rate: u32) -> usize {
    (libm::round(ms * f64::from(sample_rate) / 1000.0) as usize).max(1)
}

impl Configure for Delay {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.delay_ms = params.float("delay_ms")?;
        self.feedback = params.float("feedback")? as f32;
        self.mix = params.float("mix")? as f32;
        Ok(())
    }
}

impl AudioProcessor for Delay {
    fn process(&mut self, frame: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        let channels = usize::from(frame.channels());
        let delay = delay_samples(self.delay_ms, frame.sample_rate());
        if (delay, channels, frame.sample_rate()) != (self.delay, self.channels, self.sample_rate) {
            // Bounded: at most 2 s at 384 kHz in 32 channels.
            self.line = vec![0.0; delay * channels];
            (self.delay, self.channels, self.sample_rate, self.pos) =
                (delay, channels, frame.sample_rate(), 0);
        }
        let (dry, wet, feedback) = (1.0 - self.mix, self.mix, self.feedback);
        for block in frame.samples_mut().chunks_exact_mut(channels) {
            let slots = &mut self.line[self.pos * channels..(self.pos + 1) * channels];
            for (x, slot) in block.iter_mut().zip(slots) {
                let delayed = *slot;
                *slot = *x + feedback * delayed;
                *x = dry * *x + wet * delayed;
            }
            self.pos = (self.pos + 1) % self.delay;
        }
        Ok(())
    }
}
