//! Browser benchmark: the same timings as `benches/core.rs`, in headless
//! Chromium, printed as `BENCH {json}` lines. Ignored by default; run with
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//! CHROMEDRIVER=/usr/bin/chromedriver \
//! cargo test -p framewise --release --target wasm32-unknown-unknown \
//!   --test wasm_bench -- --include-ignored --nocapture
//! ```
//!
//! (`--nocapture` makes the runner print the browser console, where the
//! lines go.) `FRAMEWISE_BENCH_FILTER=canny` at build time measures only
//! processors whose name contains it.
#![cfg(target_arch = "wasm32")]

#[path = "../benches/audio_harness.rs"]
mod audio_harness;
#[path = "../benches/harness.rs"]
mod harness;

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// `performance.now()` in a window or a worker, else `Date.now()`.
fn now_ms() -> f64 {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        return p.now();
    }
    js_sys::Date::now()
}

#[wasm_bindgen_test]
#[ignore = "a benchmark, not a test: run with --include-ignored"]
fn bench_video_processors() {
    let filter = option_env!("FRAMEWISE_BENCH_FILTER").unwrap_or("");
    let results = harness::run(now_ms, filter, &mut |line| console_log!("{line}"));
    assert!(!results.is_empty());
}

#[wasm_bindgen_test]
#[ignore = "a benchmark, not a test: run with --include-ignored"]
fn bench_audio_processors() {
    let filter = option_env!("FRAMEWISE_BENCH_FILTER").unwrap_or("");
    let results = audio_harness::run(now_ms, filter, &mut |line| console_log!("{line}"));
    assert!(!results.is_empty());
}
