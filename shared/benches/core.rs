//! Native per-processor benchmark: `cargo bench -p framewise --bench core
//! [-- NAME-FILTER]`. Prints one `BENCH {json}` line per video processor
//! and size; with `--audio`, one `BENCH-AUDIO {json}` line per audio
//! processor instead.

// A benchmark needs a clock; the crate's clippy.toml bans one in the core.
#![allow(clippy::disallowed_methods)]

#[path = "audio_harness.rs"]
mod audio_harness;
#[path = "harness.rs"]
mod harness;

use std::sync::OnceLock;
use std::time::Instant;

fn now_ms() -> f64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // then there is nothing to check. Any other argument filters by name.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("benchmarks run with `cargo bench -p framewise --bench core`");
        return;
    }
    let audio = args.iter().any(|a| a == "--audio");
    let filter = args
        .into_iter()
        .find(|a| !a.starts_with("--"))
        .unwrap_or_default();
    if audio {
        audio_harness::run(now_ms, &filter, &mut |line| println!("{line}"));
    } else {
        harness::run(now_ms, &filter, &mut |line| println!("{line}"));
    }
}
