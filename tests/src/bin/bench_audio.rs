//! The browser driver of `cargo xtask bench audio` (which builds the demo
//! and a release server and runs this): the microphone passed through
//! (the baseline, processor `none`), then every built-in audio processor
//! locally and then on the server, in headless Chromium; one
//! `BENCH-AUDIO-PAGE {json}` line per case, `BENCH-ERROR …` for a case
//! that could not be measured (the exit status is then 1).
//!
//! `bench_audio [--seconds N]`; the demo build is `$FRAMEWISE_E2E_DIST`,
//! the server `$FRAMEWISE_SERVER_BIN`, Chromium and ChromeDriver
//! `$CHROMIUM` and `$CHROMEDRIVER`.

use std::process::ExitCode;

use framewise::{MediaKind, Registry};
use framewise_e2e::bench_audio::{measure, Placement, DEFAULT_SECONDS};
use framewise_e2e::dist_dir;
use framewise_e2e::server::ServerProcess;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = match framewise_e2e::seconds_arg(&args, DEFAULT_SECONDS) {
        Ok(seconds) => seconds,
        Err(problem) => return usage(&problem),
    };
    let dist = match dist_dir() {
        Ok(dist) => dist,
        Err(error) => {
            eprintln!("bench_audio: {error}");
            return ExitCode::FAILURE;
        }
    };
    let server = match ServerProcess::start(&dist, &[]) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("bench_audio: framewise-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    let registry = Registry::with_builtins();
    let names: Vec<String> = registry
        .infos()
        .filter(|i| i.kind == MediaKind::Audio)
        .map(|i| i.name.clone())
        .collect();
    let local = Placement::Local(&dist);
    let remote = Placement::Remote(&server);
    let cases = std::iter::once((&local, None))
        .chain(names.iter().map(|n| (&local, Some(n.as_str()))))
        .chain(names.iter().map(|n| (&remote, Some(n.as_str()))));
    let mut failed = false;
    for (placement, processor) in cases {
        match measure(placement, processor, seconds) {
            Ok(row) => println!("BENCH-AUDIO-PAGE {row}"),
            Err(error) => {
                failed = true;
                let at = match placement {
                    Placement::Local(_) => "local",
                    Placement::Remote(_) => "remote",
                };
                println!("BENCH-ERROR {} {at}: {error}", processor.unwrap_or("none"));
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("bench_audio: {problem}\nusage: bench_audio [--seconds N]");
    ExitCode::from(2)
}
