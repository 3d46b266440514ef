//! `lowpass` and `highpass`: second-order (biquad) filters after Robert
//! Bristow-Johnson's Audio EQ Cookbook.

use crate::{
    AudioFrame, AudioProcessor, Configure, Cost, MediaKind, ParamError, ParamSpec, Params,
    ProcessError, ProcessorInfo, Results,
};

fn filter_info(name: &str, description: &str, default_hz: f64) -> ProcessorInfo {
    ProcessorInfo::new(name, MediaKind::Audio, Cost::Light, description)
        .param(ParamSpec::float("cutoff_hz", "Cutoff", 20.0, 20_000.0, 1.0, default_hz).unit("Hz"))
        .param(ParamSpec::float(
            "q",
            "Q",
            0.1,
            10.0,
            0.01,
            core::f64::consts::FRAC_1_SQRT_2,
        ))
}

/// The registry description of `lowpass`.
pub fn lowpass_info() -> ProcessorInfo {
    filter_info(
        "lowpass",
        "Low-pass filter: keeps what is below the cutoff.",
        1_000.0,
    )
}

/// The registry description of `highpass`.
pub fn highpass_info() -> ProcessorInfo {
    filter_info(
        "highpass",
        "High-pass filter: keeps what is above the cutoff.",
        300.0,
    )
}

/// Which side of the cutoff passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Below the cutoff passes.
    LowPass,
    /// Above the cutoff passes.
    HighPass,
}

/// Normalised biquad coefficients `[b0, b1, b2, a1, a2]` (a0 = 1).
pub fn coefficients(response: Response, cutoff_hz: f64, q: f64, sample_rate: u32) -> [f64; 5] {
    let rate = f64::from(sample_rate);
    // Above Nyquist the cookbook formulas fold over; keep the cutoff below it.
    let cutoff = cutoff_hz.min(rate * 0.45).max(rate * 1e-5);
    let w0 = 2.0 * core::f64::consts::PI * cutoff / rate;
    let (sin, cos) = (libm::sin(w0), libm::cos(w0));
    let alpha = sin / (2.0 * q.max(1e-3));
    let a0 = 1.0 + alpha;
    let (b0, b1) = match response {
        Response::LowPass => ((1.0 - cos) / 2.0, 1.0 - cos),
        Response::HighPass => ((1.0 + cos) / 2.0, -(1.0 + cos)),
    };
    [
        b0 / a0,
        b1 / a0,
        b0 / a0,
        -2.0 * cos / a0,
        (1.0 - alpha) / a0,
    ]
}

/// A biquad filter on every channel (transposed direct form II, f64 state).
/// State is cleared when the sample rate or channel count changes.
#[derive(Debug)]
pub struct Biquad {
    response: Response,
    cutoff_hz: f64,
    q: f64,
    coefficients: [f64; 5],
    sample_rate: u32,
    /// Two state values per channel.
    state: Vec<[f64; 2]>,
}

impl Biquad {
    fn new(response: Response, cutoff_hz: f64) -> Self {
        Self {
            response,
            cutoff_hz,
            q: core::f64::consts::FRAC_1_SQRT_2,
            coefficients: [1.0, 0.0, 0.0, 0.0, 0.0],
            sample_rate: 0,
            state: Vec::new(),
        }
    }

    /// A low-pass filter at 1 kHz until configured.
    pub fn lowpass() -> Self {
        Self::new(Response::LowPass, 1_000.0)
    }

    /// A high-pass filter at 300 Hz until configured.
    pub fn highpass() -> Self {
        Self::new(Response::HighPass, 300.0)
    }
}

impl Configure for Biquad {
    fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
        self.cutoff_hz = params.float("cutoff_hz")?;
        self.q = params.float("q")?;
        // Recomputed at the next frame, when the sample rate is known.
        self.sample_rate = 0;
        Ok(())
    }
}

impl AudioProcessor for Biquad {
    fn process(&mut self, frame: &mut AudioFrame, _: &mut Results) -> Result<(), ProcessError> {
        let channels = usize::from(frame.channels());
        if frame.sample_rate() != self.sample_rate || self.state.len() != channels {
            if self.state.len() != channels {
                self.state = vec![[0.0; 2]; channels];
            }
            self.sample_rate = frame.sample_rate();
            self.coefficients =
                coefficients(self.response, self.cutoff_hz, self.q, self.sample_rate);
        }
        let [b0, b1, b2, a1, a2] = self.coefficients;
        for block in frame.samples_mut().chunks_exact_mut(channels) {
            for (x, s) in block.iter_mut().zip(&mut self.state) {
                let input = f64::from(*x);
                let output = b0 * input + s[0];
                s[0] = b1 * input - a1 * output + s[1];
                s[1] = b2 * input - a2 * output;
                *x = output as f32;
            }
        }
        Ok(())
    }
}
