//! The browser driver of `cargo xtask bench local` (which builds the demo
//! and runs this): every built-in video processor at each of
//! [`SIZES`](framewise_e2e::bench_local::SIZES) in headless Chromium, one
//! `BENCH {json}` line per case (the row of `target/bench/local.json`),
//! one `BENCH-INFO …` line of diagnostics, `BENCH-ERROR …` for a case that
//! could not be measured (the exit status is then 1).
//!
//! `bench_local [--seconds N] [--processors a,b,…]`; the demo build is
//! `$FRAMEWISE_E2E_DIST`, Chromium and ChromeDriver `$CHROMIUM` and
//! `$CHROMEDRIVER`.

use std::process::ExitCode;

use framewise::{MediaKind, Registry};
use framewise_e2e::bench_local::{measure, DEFAULT_SECONDS, SIZES};
use framewise_e2e::dist_dir;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seconds = DEFAULT_SECONDS;
    let mut only: Option<Vec<String>> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match (arg.as_str(), rest.next()) {
            ("--seconds", Some(n)) => match n.parse::<u64>() {
                Ok(n) if n > 0 => seconds = n,
                _ => return usage(&format!("--seconds wants a whole number above 0, not {n}")),
            },
            ("--processors", Some(list)) => {
                only = Some(list.split(',').map(str::trim).map(str::to_owned).collect());
            }
            _ => return usage(&format!("unexpected argument {arg}")),
        }
    }
    let registry = Registry::with_builtins();
    let mut names: Vec<String> = registry
        .infos()
        .filter(|i| i.kind == MediaKind::Video)
        .map(|i| i.name.clone())
        .collect();
    if let Some(only) = &only {
        if let Some(unknown) = only.iter().find(|n| !names.contains(n)) {
            return usage(&format!("no built-in video processor named {unknown}"));
        }
        names.retain(|n| only.contains(n));
    }
    let dist = match dist_dir() {
        Ok(dist) => dist,
        Err(error) => {
            eprintln!("bench_local: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut failed = 0;
    for size in SIZES {
        for name in &names {
            match measure(&dist, name, size, seconds) {
                Ok((row, info)) => {
                    println!("BENCH {}", row.to_json());
                    println!("BENCH-INFO {info}");
                }
                Err(error) => {
                    failed += 1;
                    println!("BENCH-ERROR {name} {}x{}: {error}", size.0, size.1);
                }
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("bench_local: {problem}\nusage: bench_local [--seconds N] [--processors a,b,…]");
    ExitCode::from(2)
}
