//! Helpers shared by the native and wasm test suites: the reference cases
//! and the hash that summarises each output.

use framewise::{synth, Registry};
use serde_json::{json, Value};

/// Processors whose float maths goes through `std` (the platform's
/// `log10`…), so that wasm32 may differ from native in the last bits:
/// wasm holds them to [`noise_reduction_db`] instead of to the hashes.
#[allow(dead_code)] // the wasm suite's; the native one checks every hash
pub const NOT_BIT_IDENTICAL: [&str; 1] = ["noise-suppression"];

/// How much `noise-suppression` lowers 3 s of steady noise (white through
/// a one-pole low-pass at 2 kHz, 48 kHz), dB, after its first second.
pub fn noise_reduction_db(registry: &Registry) -> f64 {
    let white = synth::noise(48_000, 1, 48_000 * 3, 0.2, 5).into_samples();
    let k = 1.0 - libm::exp(-2.0 * core::f64::consts::PI * 2_000.0 / 48_000.0);
    let mut state = 0.0f64;
    let input: Vec<f32> = white
        .iter()
        .map(|&x| {
            state += k * (f64::from(x) - state);
            state as f32
        })
        .collect();
    let mut pipeline = registry
        .audio("noise-suppression", &json!({}))
        .expect("noise-suppression is built in");
    let mut output = Vec::with_capacity(input.len());
    for chunk in input.chunks(128) {
        let mut frame = framewise::AudioFrame::new(48_000, 1, chunk.to_vec(), 0).expect("a block");
        pipeline.process(&mut frame).expect("denoising");
        output.extend_from_slice(frame.samples());
    }
    let rms = |x: &[f32]| {
        libm::sqrt(x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64)
    };
    20.0 * libm::log10(rms(&input[48_000..]) / rms(&output[48_000..]))
}

/// [`noise_reduction_db`] as the native build measures it.
pub const NOISE_REDUCTION_DB: f64 = 26.670;

/// FNV-1a, 64 bits: small, and the same on every target.
pub fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One reference case: a processor, its params and the input size.
pub struct Case {
    pub processor: String,
    pub params: Value,
    pub width: u32,
    pub height: u32,
}

impl Case {
    /// The case's key in the reference file.
    pub fn key(&self) -> String {
        format!(
            "{} {} {}x{}",
            self.processor, self.params, self.width, self.height
        )
    }
}

/// Every built-in processor at its defaults on two sizes (one odd), plus
/// the params that switch to another code path.
pub fn cases(registry: &Registry) -> Vec<Case> {
    let variants = [
        ("canny", json!({"l2_gradient": true})),
        ("canny", json!({"color_mode": "max-channel"})),
        (
            "canny",
            json!({"blur_sigma": 1.2, "threshold1": 40, "threshold2": 90}),
        ),
        ("blur", json!({"sigma": 3.7})),
        ("flip", json!({"axis": "vertical"})),
        (
            "brightness-contrast",
            json!({"brightness": 40, "contrast": 1.7}),
        ),
        ("pixelate", json!({"block_size": 7})),
        (
            "delay",
            json!({"delay_ms": 3.0, "feedback": 0.7, "mix": 0.3}),
        ),
        ("gain", json!({"gain_db": -7.5})),
        ("highpass", json!({"cutoff_hz": 5000, "q": 2.0})),
        // Short enough a window that the few samples give a spectrum.
        ("spectrum", json!({"fft_size": "1024", "updates": 30})),
    ];
    let mut cases = Vec::new();
    for info in registry.infos() {
        let params = std::iter::once(json!({})).chain(
            variants
                .iter()
                .filter(|(n, _)| *n == info.name)
                .map(|(_, p)| p.clone()),
        );
        for params in params {
            for (width, height) in [(97, 61), (160, 120)] {
                cases.push(Case {
                    processor: info.name.clone(),
                    params: params.clone(),
                    width,
                    height,
                });
            }
        }
    }
    cases
}

/// Runs a case over three consecutive inputs (so state such as motion or an
/// echo line is exercised) and hashes every output and result.
pub fn run_case(registry: &Registry, case: &Case) -> Result<u64, String> {
    let mut hash = FNV_OFFSET;
    if let Ok(mut pipeline) = registry.video(&case.processor, &case.params) {
        for seed in 1..=3 {
            // What a processor that hears audio draws (the others ignore it).
            pipeline.hear(&synth::noise(48_000, 1, 4_800, 0.5, seed));
            let mut frame = synth::textured_frame(case.width, case.height, seed);
            let results = pipeline.process(&mut frame).map_err(|e| e.to_string())?;
            hash = fnv1a(frame.data(), hash);
            hash = fnv1a(Value::from(results).to_string().as_bytes(), hash);
        }
        return Ok(hash);
    }
    let mut pipeline = registry
        .audio(&case.processor, &case.params)
        .map_err(|e| e.to_string())?;
    let channels = if case.width.is_multiple_of(2) { 2 } else { 1 };
    let rate = case.width * 300;
    for seed in 1..=3 {
        let mut frame = synth::noise(rate, channels, case.height as usize * 8, 0.5, seed);
        let results = pipeline.process(&mut frame).map_err(|e| e.to_string())?;
        for s in frame.samples() {
            hash = fnv1a(&s.to_bits().to_le_bytes(), hash);
        }
        hash = fnv1a(Value::from(results).to_string().as_bytes(), hash);
    }
    Ok(hash)
}

/// The committed reference file: `key<TAB>hash` lines.
pub const REFERENCE: &str = include_str!("../reference/outputs.tsv");

/// The expected hash for a key, from the reference file.
pub fn expected(key: &str) -> Option<u64> {
    REFERENCE.lines().find_map(|line| {
        let (k, hash) = line.rsplit_once('\t')?;
        (k == key)
            .then(|| u64::from_str_radix(hash, 16).ok())
            .flatten()
    })
}
