//! The browser driver of `cargo xtask bench modes` (which builds the demo
//! and runs this): every scenario of
//! [`scenarios`](framewise_e2e::bench_modes::scenarios) in headless
//! Chromium, one `BENCH {json}` line per scenario (the row of
//! `target/bench/modes.json`), one `BENCH-INFO …` line of diagnostics,
//! `BENCH-ERROR …` for one that could not be measured (the exit status is
//! then 1).
//!
//! `bench_modes [--seconds N]`; the demo build is `$FRAMEWISE_E2E_DIST`,
//! Chromium and ChromeDriver `$CHROMIUM` and `$CHROMEDRIVER`.

use std::process::ExitCode;

use framewise_e2e::bench_modes::{measure, scenarios, DEFAULT_SECONDS};
use framewise_e2e::{dist_dir, seconds_arg};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = match seconds_arg(&args, DEFAULT_SECONDS) {
        Ok(seconds) => seconds,
        Err(problem) => {
            eprintln!("bench_modes: {problem}\nusage: bench_modes [--seconds N]");
            return ExitCode::from(2);
        }
    };
    let dist = match dist_dir() {
        Ok(dist) => dist,
        Err(error) => {
            eprintln!("bench_modes: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for scenario in scenarios() {
        match measure(&dist, &scenario, seconds) {
            Ok((row, info)) => {
                println!("BENCH {row}");
                println!("BENCH-INFO {info}");
            }
            Err(error) => {
                failed += 1;
                println!("BENCH-ERROR {}: {error}", scenario.name);
            }
        }
    }
    match failed {
        0 => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
