//! `noise-suppression`: RNNoise, Xiph's recurrent network that estimates
//! per-band gains for speech in noise, through the `nnnoiseless` crate (a
//! pure-Rust port with the original weights).
//!
//! The network works on 10 ms frames of 480 samples at 48 kHz and gives
//! each frame back one frame later (its overlap). Blocks of any length
//! are gathered into frames, and the output starts with as much silence
//! as the gathering keeps back, measured on the first block: none for
//! blocks of whole frames (10 ms in all, the browser's own blocks), 448
//! samples for 128-sample render quanta (just under 20 ms in all): a
//! block is taken whole before its output is given, so of a block of `b`
//! samples at most `480 − gcd(b, 480)` wait for a frame (a later, shorter
//! block that finds too little ready makes the output wait longer from
//! there on). At other sample rates each channel goes to 48 kHz and back
//! through [`Resampler`], which costs the top of the band a little; 10 ms
//! blocks (the browser's at 44.1 kHz too) still give a frame each, so
//! they wait for nothing but the network's frame. Each channel has a state of its own. `strength` mixes the
//! denoised signal with the input as it was, aligned to it.
//!
//! The crate's float maths goes through `std` (`log10`, its FFT's
//! twiddles), so native and wasm32 output may differ in the last bits;
//! the tests hold both to the same measured noise reduction.

use std::collections::VecDeque;

use nnnoiseless::DenoiseState;
use serde::Serialize;

use super::resample::Resampler;
use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

/// The network's rate.
const MODEL_RATE: u32 = 48_000;
/// Samples per network frame.
const FRAME: usize = DenoiseState::FRAME_SIZE;
/// The network takes samples on the scale of 16-bit integers.
const SCALE: f32 = 32_768.0;
/// The most channels denoised one by one; further channels copy the last
/// one's output (each state holds the network, ~90 KB).
const MAX_CHANNELS: usize = 8;

/// The registry description.
pub fn info() -> ProcessorInfo {
    ProcessorInfo::new(
        "noise-suppression",
        MediaKind::Audio,
        Cost::Light,
        "Removes steady background noise from speech (RNNoise). Adds 10 ms of delay in \
         blocks of 10 ms, up to 20 ms in others.",
    )
    .param(ParamSpec::float(
        "strength", "Strength", 0.0, 1.0, 0.01, 1.0,
    ))
}

/// What each block reports: the network's speech probability for the
/// last frame it finished, when it finished one.
#[derive(Debug, Serialize)]
struct Speech {
    speech_probability: f32,
}

/// One channel's path: to 48 kHz, through the network, back.
struct Channel {
    state: Box<DenoiseState<'static>>,
    /// `None` at 48 kHz.
    up: Option<Resampler>,
    down: Option<Resampler>,
    /// Input at 48 kHz waiting for a whole frame (scaled).
    gathered: Vec<f32>,
    /// The previous frame as it came in, which the network's output of
    /// this frame lines up with.
    previous: [f32; FRAME],
    /// Output at the stream's rate, ready to be taken.
    ready: VecDeque<f32>,
    /// Whether the leading silence is in `ready`.
    primed: bool,
}

impl Channel {
    fn new(rate: u32) -> Self {
        let resampled = rate != MODEL_RATE;
        let mut channel = Self {
            state: DenoiseState::new(),
            up: resampled.then(|| Resampler::new(rate, MODEL_RATE)),
            down: resampled.then(|| Resampler::new(MODEL_RATE, rate)),
            gathered: Vec::with_capacity(FRAME),
            previous: [0.0; FRAME],
            ready: VecDeque::with_capacity(4 * FRAME),
            primed: false,
        };
        // One sample of silence into the upsampler: its first 10 ms then
        // give a whole frame (it is one short otherwise), so 10 ms blocks
        // complete a frame each.
        if let Some(up) = &mut channel.up {
            up.push(0.0, |x| channel.gathered.push(x as f32 * SCALE));
        }
        channel
    }

    /// Before the first block (of `block` samples at `rate`): silence
    /// first, as much as the gathering keeps back, since a sample leaves
    /// only once the frame it is in has gone through. At 48 kHz, blocks
    /// of `block` taken whole leave at most `FRAME − gcd(block, FRAME)`
    /// samples waiting. Resampled, 10 ms blocks complete a frame each
    /// (the resampler gives 10 ms for 10 ms exactly), so they wait for
    /// nothing; other blocks may wait up to a frame, and a margin.
    fn prime(&mut self, block: usize, rate: u32) {
        if std::mem::replace(&mut self.primed, true) {
            return;
        }
        let ten_ms = block as u64 * 100 == u64::from(rate);
        let lead = match self.up {
            Some(_) if ten_ms => 0,
            Some(_) => {
                (FRAME as u64 * u64::from(rate)).div_ceil(u64::from(MODEL_RATE)) as usize + 2
            }
            None => FRAME - gcd(block, FRAME),
        };
        self.ready.extend(std::iter::repeat_n(0.0, lead));
    }

    /// Takes one input sample; returns the speech probability of a frame
    /// it completes.
    fn push(&mut self, sample: f32, strength: f32) -> Option<f32> {
        let mut probability = None;
        let mut take = |x: f64, this: &mut Self| {
            this.gathered.push(x as f32 * SCALE);
            if this.gathered.len() == FRAME {
                probability = Some(this.run_frame(strength));
            }
        };
        match self.up.take() {
            Some(mut up) => {
                up.push(f64::from(sample), |x| take(x, self));
                self.up = Some(up);
            }
            None => take(f64::from(sample), self),
        }
        probability
    }

    /// Denoises the gathered frame and queues the result.
    fn run_frame(&mut self, strength: f32) -> f32 {
        let mut output = [0.0; FRAME];
        let probability = self.state.process_frame(&mut output, &self.gathered);
        for (out, dry) in output.iter_mut().zip(&self.previous) {
            *out = (strength * *out + (1.0 - strength) * dry) / SCALE;
        }
        self.previous.copy_from_slice(&self.gathered);
        self.gathered.clear();
        match &mut self.down {
            Some(down) => {
                for &y in &output {
                    down.push(f64::from(y), |z| self.ready.push_back(z as f32));
                }
            }
            None => self.ready.extend(output),
        }
        // Bounded: resampling drift never keeps more than two frames.
        while self.ready.len() > 4 * FRAME {
            self.ready.pop_front();
        }
        probability
    }

    /// Makes sure `frames` samples are ready: a block shorter than the
    /// first, or resampling drift, may leave fewer, and then the output
    /// waits longer from here on (silence goes in first).
    fn ready_for(&mut self, frames: usize) {
        for _ in self.ready.len()..frames {
            self.ready.push_front(0.0);
        }
    }

    /// The next output sample.
    fn pop(&mut self) -> f32 {
        self.ready.pop_front().unwrap_or(0.0)
    }
}

/// The greatest common divisor (`gcd(0, n) = n`).
fn gcd(a: usize, b: usize) -> usize {
    match b {
        0 => a,
        _ => gcd(b, a % b),
    }
}

/// RNNoise on every channel; the states start again when the sample rate
/// or channel count changes.
pub struct NoiseSuppression {
    strength: f32,
    channels: Vec<Channel>,
    sample_rate: u32,
}

impl std::fmt::Debug for NoiseSuppression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoiseSuppression")
            .field("strength", &self.strength)
            .field("channels", &self.channels.len())
            .field("sample_rate", &self.sample_rate)
            .finish()
    }
}

impl Default for NoiseSuppression {
    fn default() -> Self {
        Self {
            strength: 1.0,
            channels: Vec::new(),
            sample_rate: 0,
        }
    }
}

impl Configure for NoiseSuppression {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.strength = params.float("strength")? as f32;
        Ok(())
    }
}

impl AudioProcessor for NoiseSuppression {
    fn process(
        &mut self,
        frame: &mut AudioFrame,
        results: &mut Results,
    ) -> Result<(), ProcessError> {
        let channels = usize::from(frame.channels());
        let denoised = channels.min(MAX_CHANNELS);
        if (frame.sample_rate(), denoised) != (self.sample_rate, self.channels.len()) {
            self.sample_rate = frame.sample_rate();
            self.channels = (0..denoised)
                .map(|_| Channel::new(self.sample_rate))
                .collect();
        }
        let (strength, rate) = (self.strength, self.sample_rate);
        let frames = frame.samples_per_channel();
        let samples = frame.samples_mut();
        let mut last = None;
        // Each channel takes the whole block before it gives its output,
        // so blocks of whole frames wait for nothing.
        for (c, channel) in self.channels.iter_mut().enumerate() {
            channel.prime(frames, rate);
            for i in 0..frames {
                if let Some(p) = channel.push(samples[i * channels + c], strength) {
                    last = Some(p);
                }
            }
            channel.ready_for(frames);
            for i in 0..frames {
                samples[i * channels + c] = channel.pop();
            }
        }
        if channels > denoised {
            for block in samples.chunks_exact_mut(channels) {
                let copy = block[denoised - 1];
                block[denoised..].fill(copy);
            }
        }
        if let Some(speech_probability) = last {
            results.emit(&Speech { speech_probability })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::{synth, AudioFrame, Registry};

    /// Runs `samples` (mono) through the processor with `params` in
    /// blocks of `block`, returning the output and the last result.
    fn run(rate: u32, samples: &[f32], block: usize, params: serde_json::Value) -> Vec<f32> {
        let registry = Registry::with_builtins();
        let mut pipeline = registry.audio("noise-suppression", &params).unwrap();
        let mut out = Vec::with_capacity(samples.len());
        for chunk in samples.chunks(block) {
            let mut frame = AudioFrame::new(rate, 1, chunk.to_vec(), 0).unwrap();
            pipeline.process(&mut frame).unwrap();
            out.extend_from_slice(frame.samples());
        }
        out
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len().max(1) as f64).sqrt()
    }

    #[test]
    fn at_no_strength_the_input_comes_out_a_frame_and_the_gathering_later() {
        let input = synth::noise(48_000, 1, 10_000, 0.5, 3).into_samples();
        // A frame of overlap, and what blocks of that size leave waiting
        // for a frame: nothing for whole frames.
        for (block, late) in [(480, 480), (960, 480), (128, 928), (441, 957)] {
            let out = run(48_000, &input, block, json!({"strength": 0.0}));
            assert_eq!(out.len(), input.len());
            assert!(out[..late].iter().all(|&v| v == 0.0), "block {block}");
            // Up to the last whole block: a shorter one leaves more
            // waiting, so the output gains a little more silence there.
            let whole = input.len() / block * block;
            assert_eq!(&out[late..whole], &input[..whole - late], "block {block}");
        }
    }

    #[test]
    fn at_44_1_khz_10_ms_blocks_come_out_about_10_ms_later() {
        let input = synth::clicks(44_100, 3.0, 1.0).into_samples();
        let out = run(44_100, &input, 441, json!({"strength": 0.0}));
        let onset = |x: &[f32]| {
            let peak = x.iter().fold(0f32, |m, v| m.max(v.abs()));
            x.iter().position(|v| v.abs() > 0.3 * peak).unwrap()
        };
        for second in 1..3 {
            let at = second * 44_100;
            let lag = onset(&out[at..at + 44_100]) - onset(&input[at..at + 44_100]);
            // 441 for the network's frame, a few for the resampling.
            assert!(
                (441..=446).contains(&lag),
                "click {second}: {lag} samples late"
            );
        }
    }

    #[test]
    fn other_rates_go_through_at_48_khz_and_come_back_in_step() {
        let tone = synth::sine(44_100, 1, 44_100, 440.0, 0.5).into_samples();
        let out = run(44_100, &tone, 128, json!({"strength": 0.0}));
        assert_eq!(out.len(), tone.len());
        let level = rms(&out[22_050..]) / rms(&tone[22_050..]);
        assert!((level - 1.0).abs() < 0.02, "level {level}");
    }

    #[test]
    fn each_channel_is_denoised_and_results_say_how_likely_speech_is() {
        let registry = Registry::with_builtins();
        let mut pipeline = registry.audio("noise-suppression", &json!({})).unwrap();
        let mut results = Vec::new();
        let mut last = Vec::new();
        for seed in 0..40 {
            let mut frame = synth::noise(48_000, 2, 480, 0.1, seed);
            // Silence on the right.
            frame
                .samples_mut()
                .iter_mut()
                .skip(1)
                .step_by(2)
                .for_each(|s| *s = 0.0);
            results.extend(pipeline.process(&mut frame).unwrap());
            last = frame.into_samples();
        }
        assert_eq!(results.len(), 40);
        let p = results[39]["speech_probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{p}");
        assert!(last.iter().skip(1).step_by(2).all(|&s| s == 0.0));
        assert!(last.iter().step_by(2).any(|&s| s != 0.0));
    }
}
