//! The driver of `cargo xtask bench remote` (which builds the demo and a
//! release `framewise-server` and runs this): prints one
//! `BENCH-REMOTE {json}` line, the object of `target/bench/remote.json`,
//! after `BENCH-INFO …` lines of diagnostics.
//!
//! `bench_remote [--seconds N]`; the demo build is `$FRAMEWISE_E2E_DIST`,
//! the server `$FRAMEWISE_SERVER_BIN`, Chromium and ChromeDriver
//! `$CHROMIUM` and `$CHROMEDRIVER`.

use std::process::ExitCode;

use framewise_e2e::bench_local::DEFAULT_SECONDS;
use framewise_e2e::bench_remote::{browsers, rust_peers, settings};
use framewise_e2e::dist_dir;
use framewise_e2e::server::ServerProcess;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = match framewise_e2e::seconds_arg(&args, DEFAULT_SECONDS) {
        Ok(seconds) => seconds,
        Err(problem) => return usage(&problem),
    };
    match run(seconds) {
        Ok(report) => {
            println!("BENCH-REMOTE {report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("BENCH-ERROR {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(seconds: u64) -> std::io::Result<serde_json::Value> {
    let dist = dist_dir()?;
    let server = ServerProcess::start(&dist, &["--max-sessions", "32"])?;
    let mut report = browsers(&server, seconds)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let peers = runtime.block_on(rust_peers(&server))?;
    if let (Some(report), Some(peers)) = (report.as_object_mut(), peers.as_object()) {
        report.extend(peers.clone());
        report.insert("settings".into(), settings());
    }
    Ok(report)
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("bench_remote: {problem}\nusage: bench_remote [--seconds N]");
    ExitCode::from(2)
}
