//! Per-processor timing shared by the native bench (`benches/core.rs`) and
//! the browser bench (`tests/wasm_bench.rs`): every registered video
//! processor, default params, on `synth::textured_frame` at 640×480 and
//! 1280×720, and the I420 ↔ RGBA conversions that the codec paths run
//! around a processor (rows [`TO_RGBA`] and [`TO_I420`]).
//!
//! Each call gets a fresh copy of the input (`clone_from`, which reuses the
//! allocation), so content-dependent processors such as `canny` always see
//! the same picture. Clocks may be coarse (a browser without cross-origin
//! isolation rounds `performance.now()` to 0.1 ms), so calls are timed in
//! batches of at least [`BATCH_MS`]; the cost of the copy alone is timed
//! the same way (once per size) and subtracted. The result is the median
//! over [`BATCHES`] batches, in ms per frame. Each measurement first warms
//! up for [`WARMUP_MS`]: a browser runs new wasm code in a baseline tier
//! and swaps in optimised code only after a while.

use std::hint::black_box;

use framewise::{synth, ColorRange, I420Frame, MediaKind, Registry, VideoFrame};

/// The row of `I420Frame::to_rgba` (limited range).
pub const TO_RGBA: &str = "convert-i420-to-rgba";
/// The row of `I420Frame::from_rgba` (limited range).
pub const TO_I420: &str = "convert-rgba-to-i420";

/// The sizes measured.
pub const SIZES: [(u32, u32); 2] = [(640, 480), (1280, 720)];
/// Shortest timed batch, in ms.
pub const BATCH_MS: f64 = 60.0;
/// Timed batches per measurement; the median is reported.
pub const BATCHES: usize = 5;
/// Warm-up time before timing, in ms.
pub const WARMUP_MS: f64 = 100.0;

/// One timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The registry name.
    pub processor: String,
    /// Frame width.
    pub width: u32,
    /// Frame height.
    pub height: u32,
    /// Median processing time per frame, in ms.
    pub ms: f64,
}

impl Measurement {
    /// The line the benches print:
    /// `BENCH {"processor":"canny","width":640,"height":480,"ms":1.234}`.
    pub fn line(&self) -> String {
        format!(
            "BENCH {{\"processor\":{},\"width\":{},\"height\":{},\"ms\":{:.3}}}",
            serde_json::Value::from(self.processor.as_str()),
            self.width,
            self.height,
            self.ms
        )
    }
}

/// Median of a few numbers (0 for none).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Times `step` (one call = one frame): warms up, sizes batches to at
/// least [`BATCH_MS`], and returns the median ms per call.
pub fn time_per_call(now_ms: fn() -> f64, mut step: impl FnMut()) -> f64 {
    let start = now_ms();
    let mut calls = 0u32;
    while calls < 3 || now_ms() - start < WARMUP_MS {
        step();
        calls += 1;
    }
    let per_call = ((now_ms() - start) / f64::from(calls)).max(1e-4);
    let batch = ((BATCH_MS / per_call).ceil() as u32).clamp(1, 1_000_000);
    let samples = (0..BATCHES)
        .map(|_| {
            let t0 = now_ms();
            for _ in 0..batch {
                step();
            }
            (now_ms() - t0) / f64::from(batch)
        })
        .collect();
    median(samples)
}

/// The cost of copying a `width`×`height` frame over another, in ms.
pub fn copy_ms(width: u32, height: u32, now_ms: fn() -> f64) -> f64 {
    let input = synth::textured_frame(width, height, 7);
    let mut frame = input.clone();
    time_per_call(now_ms, || frame.clone_from(&input))
}

/// Times one processor (default params) at one size on the textured
/// frame; `copy_ms` (from [`copy_ms`]) is subtracted.
pub fn measure(
    registry: &Registry,
    name: &str,
    width: u32,
    height: u32,
    copy_ms: f64,
    now_ms: fn() -> f64,
) -> Result<Measurement, String> {
    let mut pipeline = registry
        .video(name, &serde_json::json!({}))
        .map_err(|e| e.to_string())?;
    let input = synth::textured_frame(width, height, 7);
    let mut frame: VideoFrame = input.clone();
    let mut failure = None;
    let total = time_per_call(now_ms, || {
        frame.clone_from(&input);
        if let Err(e) = pipeline.process(&mut frame) {
            failure = Some(e.to_string());
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(Measurement {
        processor: name.to_owned(),
        width,
        height,
        ms: (total - copy_ms).max(0.0),
    })
}

/// Times every registered video processor whose name contains `filter`
/// (all for an empty filter) at every size in [`SIZES`], calling `report`
/// with each [`Measurement::line`] (or an `ERROR …` line) as it is done.
pub fn run(now_ms: fn() -> f64, filter: &str, report: &mut dyn FnMut(&str)) -> Vec<Measurement> {
    let registry = Registry::with_builtins();
    let names: Vec<String> = registry
        .infos()
        .filter(|i| i.kind == MediaKind::Video && i.name.contains(filter))
        .map(|i| i.name.clone())
        .collect();
    let copies: Vec<f64> = SIZES.iter().map(|&(w, h)| copy_ms(w, h, now_ms)).collect();
    let mut out = Vec::new();
    for &(w, h) in &SIZES {
        for m in conversions(w, h, filter, now_ms) {
            report(&m.line());
            out.push(m);
        }
    }
    for name in &names {
        for (&(w, h), &copy) in SIZES.iter().zip(&copies) {
            match measure(&registry, name, w, h, copy, now_ms) {
                Ok(m) => {
                    report(&m.line());
                    out.push(m);
                }
                Err(e) => report(&format!("ERROR {name} {w}x{h}: {e}")),
            }
        }
    }
    out
}

/// Times the conversions whose row name contains `filter` at one size on
/// the textured frame (the result's allocation included, as the codec
/// paths pay it).
pub fn conversions(width: u32, height: u32, filter: &str, now_ms: fn() -> f64) -> Vec<Measurement> {
    let rgba = synth::textured_frame(width, height, 7);
    let yuv = I420Frame::from_rgba(&rgba, ColorRange::Limited);
    let mut out = Vec::new();
    let mut time = |name: &str, step: &mut dyn FnMut()| {
        if name.contains(filter) {
            out.push(Measurement {
                processor: name.to_owned(),
                width,
                height,
                ms: time_per_call(now_ms, step),
            });
        }
    };
    time(TO_RGBA, &mut || {
        black_box(black_box(&yuv).to_rgba(ColorRange::Limited));
    });
    time(TO_I420, &mut || {
        black_box(I420Frame::from_rgba(black_box(&rgba), ColorRange::Limited));
    });
    out
}
