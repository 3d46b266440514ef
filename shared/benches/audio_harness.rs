//! Per-processor audio timing shared by the native bench (`benches/core.rs
//! -- --audio`) and the browser bench (`tests/wasm_bench.rs`): every
//! registered audio processor, default params, on 10 ms blocks of mono
//! noise at 48 kHz (480 samples, the block Opus and the remote path use;
//! the worklet's 128-sample quanta cost the same per sample). Timed like
//! the video rows ([`time_per_call`]), the copy of the input subtracted,
//! reported in µs per 10 ms of sound.

use framewise::{synth, AudioFrame, MediaKind, Registry};

use crate::harness::time_per_call;

/// Samples per block: 10 ms at 48 kHz.
pub const BLOCK: usize = 480;

/// One audio timing.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioMeasurement {
    /// The registry name.
    pub processor: String,
    /// Median processing time per 10 ms block, in µs.
    pub us_per_10ms: f64,
}

impl AudioMeasurement {
    /// The line the benches print:
    /// `BENCH-AUDIO {"processor":"gain","us_per_10ms":1.234}`.
    pub fn line(&self) -> String {
        format!(
            "BENCH-AUDIO {{\"processor\":{},\"us_per_10ms\":{:.3}}}",
            serde_json::Value::from(self.processor.as_str()),
            self.us_per_10ms
        )
    }
}

/// Times every registered audio processor whose name contains `filter`,
/// calling `report` with each line (or an `ERROR …` line) as it is done.
pub fn run(
    now_ms: fn() -> f64,
    filter: &str,
    report: &mut dyn FnMut(&str),
) -> Vec<AudioMeasurement> {
    let registry = Registry::with_builtins();
    let input = synth::noise(48_000, 1, BLOCK, 0.5, 7);
    let mut block: AudioFrame = input.clone();
    let copy = time_per_call(now_ms, || block.clone_from(&input));
    let mut out = Vec::new();
    let names = registry
        .infos()
        .filter(|i| i.kind == MediaKind::Audio && i.name.contains(filter))
        .map(|i| i.name.clone())
        .collect::<Vec<_>>();
    for name in names {
        let mut pipeline = match registry.audio(&name, &serde_json::json!({})) {
            Ok(pipeline) => pipeline,
            Err(e) => {
                report(&format!("ERROR {name}: {e}"));
                continue;
            }
        };
        let mut failure = None;
        let total = time_per_call(now_ms, || {
            block.clone_from(&input);
            if let Err(e) = pipeline.process(&mut block) {
                failure = Some(e.to_string());
            }
        });
        if let Some(e) = failure {
            report(&format!("ERROR {name}: {e}"));
            continue;
        }
        let m = AudioMeasurement {
            processor: name,
            us_per_10ms: (total - copy).max(0.0) * 1000.0,
        };
        report(&m.line());
        out.push(m);
    }
    out
}
