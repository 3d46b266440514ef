//! `cargo xtask bench modes [--seconds N]`: the release demo's fork and
//! mix pages in headless Chromium on the fake camera, measured at the
//! display by the `bench_modes` driver of `framewise-e2e` (one
//! `BENCH {row}` line per scenario), written to `target/bench/modes.json`
//! and printed against the targets (`fork2` ≥ 28 fps, `mix4` ≥ 25 fps on
//! the slowest output).

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::bench::{cell, demo_build, parse_row, rows_json, run_echoing, seconds_only};
use crate::setup;
use crate::util::{self, cargo};

/// Seconds each scenario is measured for, unless told.
const SECONDS: u64 = 20;
/// The browser driver: a bin of `framewise-e2e`.
const DRIVER: &[&str] = &["run", "-p", "framewise-e2e", "--bin", "bench_modes", "--"];
/// The keys of each row, in order.
const KEYS: [&str; 4] = [
    "scenario",
    "output_fps_min",
    "latency_ms_p50",
    "server_cpu_pct",
];
/// Scenarios with a target for `output_fps_min`.
const TARGETS: [(&str, f64); 2] = [("fork2", 28.0), ("mix4", 25.0)];

/// Builds the demo, runs the driver, writes `target/bench/modes.json`
/// and prints the table.
pub fn run(args: &[&str]) -> Result<()> {
    let seconds = seconds_only(args, SECONDS, "cargo xtask bench modes [--seconds N]")?;
    let dist = demo_build()?;
    println!("\n==> fork and mix pages in headless Chromium ({seconds} s per scenario)");
    let chromium = setup::chromium_path().context("chromium is not installed")?;
    let chromedriver = setup::chromedriver_path().context("chromedriver is not installed")?;
    let seconds_text = seconds.to_string();
    let mut args = DRIVER.to_vec();
    args.extend(["--seconds", &seconds_text]);
    let mut driver = cargo(&args);
    driver
        .env("FRAMEWISE_E2E_DIST", &dist)
        .env("CHROMIUM", chromium)
        .env("CHROMEDRIVER", chromedriver);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let (shown, status) = run_echoing(&mut driver, |line| {
        if let Some(error) = line.strip_prefix("BENCH-ERROR ") {
            errors.push(error.to_owned());
        } else if let Some(row) = parse_row(line, &KEYS)? {
            rows.push(row);
        }
        Ok(())
    })?;
    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("modes.json");
    std::fs::write(&path, rows_json(&rows, &KEYS))
        .with_context(|| format!("writing {}", path.display()))?;
    println!("\n{}", table(&rows));
    println!("wrote {}", path.display());
    if !errors.is_empty() {
        bail!("scenarios not measured: {}", errors.join("; "));
    }
    if !status.success() || rows.is_empty() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// The rows as a table, each with its target and whether it is met.
fn table(rows: &[Value]) -> String {
    let mut out = format!(
        "{:<10} {:>14} {:>14} {:>14}   target\n",
        "scenario", "out fps (min)", "latency p50", "server cpu %"
    );
    for row in rows {
        let name = row["scenario"].as_str().unwrap_or("?");
        let target = TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, t)| t);
        let verdict = match (target, row["output_fps_min"].as_f64()) {
            (Some(t), Some(fps)) if fps >= t => format!("≥ {t}: met"),
            (Some(t), _) => format!("≥ {t}: MISSED"),
            (None, _) => String::new(),
        };
        out += &format!(
            "{name:<10} {:>14} {:>14} {:>14}   {verdict}\n",
            cell(&row["output_fps_min"], 1),
            cell(&row["latency_ms_p50"], 1),
            cell(&row["server_cpu_pct"], 1),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_need_exactly_the_keys() {
        let good = r#"BENCH {"scenario":"fork2","output_fps_min":29.5,"latency_ms_p50":12.0,"server_cpu_pct":null}"#;
        let row = parse_row(good, &KEYS).unwrap().unwrap();
        assert_eq!(row["scenario"], "fork2");
        assert!(table(&[row]).contains("met"));
        assert!(parse_row("BENCH-INFO x", &KEYS).unwrap().is_none());
        assert!(parse_row(r#"BENCH {"scenario":"fork2"}"#, &KEYS).is_err());
        let slow = r#"BENCH {"scenario":"mix4","output_fps_min":20,"latency_ms_p50":null,"server_cpu_pct":null}"#;
        assert!(table(&[parse_row(slow, &KEYS).unwrap().unwrap()]).contains("MISSED"));
    }
}
