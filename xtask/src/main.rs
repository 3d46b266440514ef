//! `cargo xtask`: set-up and tasks for Framewise.
//!
//! Every task installs what it needs first (idempotently, printing what it
//! installs), so a fresh machine needs nothing but Rust, Node and apt:
//!
//! - `cargo xtask demo [--example NAME] [--port N]` — build the demo app
//!   (or an app in `examples/`; release wasm, `wasm-opt`) and serve it with
//!   `trunk serve` on 127.0.0.1;
//! - `cargo xtask test` — formatting, clippy (native and wasm32), native
//!   tests, doctests, wasm tests in headless Chromium and the end-to-end
//!   check of the demo and examples (their wasm sizes, raw and gzipped,
//!   written to `target/bench/bundle.json`);
//! - `cargo xtask bench core` — native and wasm timings of every video
//!   processor and of the I420 ↔ RGBA conversions, written to
//!   `target/bench/core.json`;
//! - `cargo xtask bench local [--seconds N] [--processors a,b]` — the
//!   release demo in headless Chromium on the fake camera, every video
//!   processor at 640×480 and 1280×720, measured at the display, written
//!   to `target/bench/local.json`;
//! - `cargo xtask bench remote [--seconds N]` — the release demo against a
//!   release `framewise-server` on 127.0.0.1, written to
//!   `target/bench/remote.json`;
//! - `cargo xtask bench audio [--seconds N]` — every audio processor timed
//!   natively and in wasm, and run by the release demo on a fake
//!   microphone, locally and on a release `framewise-server`, written to
//!   `target/bench/audio.json`;
//! - `cargo xtask bench modes [--seconds N]` — the demo's fork and mix
//!   pages, slowest output fps and latency, written to
//!   `target/bench/modes.json`;
//! - `cargo xtask setup [--browser]` — only the installs.

mod bench;
mod bench_audio;
mod bench_modes;
mod bundle;
mod demo;
mod setup;
mod test;
mod util;

use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  demo [--example NAME] [--port N]
                    install what is missing, then serve the demo app (or
                    examples/NAME: tutorial, custom-processor, audio-gain,
                    fork-and-mix;
                    release wasm, wasm-opt) with trunk on
                    http://127.0.0.1:N (default 8080, or the next free port)
  test              install what is missing (Chromium too), then run every
                    check: fmt, clippy native + wasm32, native tests, doctests,
                    wasm tests in headless Chromium, end-to-end demo and
                    examples check
  bench core        native and wasm (headless Chromium) ms/frame of every video
                    processor; writes target/bench/core.json
  bench local [--seconds N] [--processors a,b]
                    the release demo on the fake camera in headless Chromium:
                    fps, dropped frames, latency and first frame at the display
                    for every video processor at 640x480 and 1280x720 (N s per
                    case, default 20, after a 2 s warm-up); writes
                    target/bench/local.json
  bench remote [--seconds N]
                    the release demo against a release framewise-server on
                    127.0.0.1: first frame, latency, fps, server CPU and memory
                    per stream, concurrent streams (browsers and Rust peers),
                    memory growth over 50 sessions; writes
                    target/bench/remote.json
  bench audio [--seconds N]
                    every audio processor: native and wasm us per 10 ms block,
                    and the release demo on a fake microphone of clicks in
                    headless Chromium, locally and on a release server:
                    added latency against the raw microphone and underruns
                    over N s (default 60); writes target/bench/audio.json
  bench modes [--seconds N]
                    the release demo's fork and mix pages on the fake camera in
                    headless Chromium: fork2, fork4 (Canny on every branch) and
                    mix4, slowest output fps and latency at the display (N s
                    each, default 20); writes target/bench/modes.json
  setup [--browser] only install the tools (wasm32 target, trunk, wasm-bindgen,
                    wasm-opt, libvpx-dev, libopus-dev; with --browser also
                    chromium + chromium-driver and espeak-ng, the tests'
                    speech)
  help              this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["demo", rest @ ..] => demo::run(rest),
        ["test"] => test::run(),
        ["bench", "core"] => bench::core(),
        ["bench", "local", rest @ ..] => bench::local(rest),
        ["bench", "remote", rest @ ..] => bench::remote(rest),
        ["bench", "audio", rest @ ..] => bench_audio::run(rest),
        ["bench", "modes", rest @ ..] => bench_modes::run(rest),
        ["setup"] => setup::web_tools().and_then(|()| setup::native_libs()),
        ["setup", "--browser"] => setup::web_tools()
            .and_then(|()| setup::native_libs())
            .and_then(|()| setup::browser())
            .and_then(|()| setup::speech()),
        [] | ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("unknown command: {}\n", args.join(" "));
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
