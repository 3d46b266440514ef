//! `cargo xtask bench audio [--seconds N]`: every built-in audio processor,
//! timed natively and in wasm32 (headless Chromium) on 10 ms blocks, and
//! run by the release demo in headless Chromium on a fake microphone of
//! clicks, locally and on a release `framewise-server` over loopback,
//! merged into `target/bench/audio.json`.
//!
//! The timings come as `BENCH-AUDIO {"processor","us_per_10ms"}` lines
//! (`benches/core.rs -- --audio` and the wasm bench's
//! `bench_audio_processors`), the browser rows as `BENCH-AUDIO-PAGE {…}`
//! lines of `framewise-e2e`'s `bench_audio` driver, the first of them the
//! baseline `none` (the microphone passed through, no AudioContext) whose
//! latency every row's `added_latency_ms` is measured against. A local
//! row's `proc_us_per_10ms` is the wasm timing (the worklet runs wasm), a
//! remote row's the native one (the server runs native code).

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use crate::bench::{
    cell, collect, demo_build, rows_json, run_echoing, seconds_only, NATIVE_BENCH, WASM_BENCH,
};
use crate::setup;
use crate::test::with_browser_runner;
use crate::util::{self, cargo};

/// Seconds each processor runs for the underrun count, unless told.
const SECONDS: u64 = 60;
/// The browser driver: a bin of `framewise-e2e`.
const DRIVER: &[&str] = &["run", "-p", "framewise-e2e", "--bin", "bench_audio", "--"];
/// The local added latency each processor is held to, in ms.
const LATENCY_TARGET_MS: f64 = 20.0;
/// The remote added latency aimed for on loopback, in ms.
const REMOTE_LATENCY_GOAL_MS: f64 = 60.0;
/// The keys of each `target/bench/audio.json` row, in order.
const KEYS: [&str; 10] = [
    "processor",
    "placement",
    "path",
    "proc_us_per_10ms",
    "proc_us_per_10ms_native",
    "added_latency_ms",
    "latency_ms",
    "underruns",
    "underrun_ms",
    "seconds",
];

/// Runs the timings and the browser driver, writes the JSON and prints the
/// table with each row against the targets.
pub fn run(args: &[&str]) -> Result<()> {
    let seconds = seconds_only(args, SECONDS, "cargo xtask bench audio [--seconds N]")?;
    setup::wasm_target()?;
    setup::wasm_bindgen()?;
    setup::native_libs()?;
    setup::browser()?;
    let dist = demo_build()?;
    println!("\n==> release build of framewise-server");
    let server = util::build_server("release")?;

    println!("\n==> native audio timings");
    let mut native_args = NATIVE_BENCH.to_vec();
    native_args.extend(["--", "--audio"]);
    let native = timings(&mut cargo(&native_args))?;
    println!("\n==> wasm audio timings (headless Chromium)");
    let mut wasm_args = WASM_BENCH.to_vec();
    wasm_args.push("bench_audio_processors");
    let mut wasm_command = cargo(&wasm_args);
    let wasm = timings(with_browser_runner(&mut wasm_command)?)?;

    println!("\n==> both placements in headless Chromium ({seconds} s per processor)");
    let chromium = setup::chromium_path().context("chromium is not installed")?;
    let chromedriver = setup::chromedriver_path().context("chromedriver is not installed")?;
    let seconds_text = seconds.to_string();
    let mut driver_args = DRIVER.to_vec();
    driver_args.extend(["--seconds", &seconds_text]);
    let mut driver = cargo(&driver_args);
    driver
        .env("FRAMEWISE_E2E_DIST", &dist)
        .env("FRAMEWISE_SERVER_BIN", &server)
        .env("CHROMIUM", chromium)
        .env("CHROMEDRIVER", chromedriver);
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    let (shown, status) = run_echoing(&mut driver, |line| {
        if let Some(json) = line.strip_prefix("BENCH-AUDIO-PAGE ") {
            pages.push(serde_json::from_str::<Value>(json).context("bad BENCH-AUDIO-PAGE line")?);
        } else if let Some(error) = line.strip_prefix("BENCH-ERROR ") {
            errors.push(error.to_owned());
        }
        Ok(())
    })?;

    let rows = merge(&pages, &native, &wasm)?;
    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("audio.json");
    std::fs::write(&path, to_json(&rows)).with_context(|| format!("writing {}", path.display()))?;
    println!("\n{}", table(&rows));
    println!("wrote {}", path.display());
    if !errors.is_empty() {
        bail!("cases not measured: {}", errors.join("; "));
    }
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs `command`, echoing its stdout, and collects its `BENCH-AUDIO`
/// timings by processor.
fn timings(command: &mut std::process::Command) -> Result<BTreeMap<String, f64>> {
    collect(command, "BENCH-AUDIO ", parse_timing)
}

/// One timing from a line (anything may precede the marker), if the line
/// carries one.
fn parse_timing(line: &str) -> Result<Option<(String, f64)>> {
    let Some((_, json)) = line.split_once("BENCH-AUDIO {") else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(&format!("{{{json}"))
        .with_context(|| format!("bad benchmark line: {line}"))?;
    match (value["processor"].as_str(), value["us_per_10ms"].as_f64()) {
        (Some(name), Some(us)) => Ok(Some((name.to_owned(), us))),
        _ => bail!("benchmark line without \"processor\" and \"us_per_10ms\": {line}"),
    }
}

/// The `audio.json` rows: one per measured processor and placement (the
/// baseline left out), its latency less the baseline's, its timings
/// joined in. A processor timed but missing from the browser rows of a
/// placement, or the other way round, is an error: every row has every
/// figure.
fn merge(
    pages: &[Value],
    native: &BTreeMap<String, f64>,
    wasm: &BTreeMap<String, f64>,
) -> Result<Vec<Value>> {
    let baseline = pages
        .iter()
        .find(|row| row["processor"] == "none")
        .and_then(|row| row["latency_ms"].as_f64())
        .context("the driver measured no baseline (processor \"none\")")?;
    let mut rows = Vec::new();
    for row in pages.iter().filter(|row| row["processor"] != "none") {
        let text = |key: &str| {
            row[key]
                .as_str()
                .with_context(|| format!("a row without {key}"))
        };
        let (name, placement) = (text("processor")?, text("placement")?);
        let latency = row["latency_ms"]
            .as_f64()
            .context("a row without a latency")?;
        let (Some(us_wasm), Some(us_native)) = (wasm.get(name), native.get(name)) else {
            bail!("no native or wasm timing for {name}");
        };
        let us_here = if placement == "remote" {
            us_native
        } else {
            us_wasm
        };
        rows.push(json!({
            "processor": name,
            "placement": placement,
            "path": row["path"],
            "proc_us_per_10ms": us_here,
            "proc_us_per_10ms_native": us_native,
            "added_latency_ms": latency - baseline,
            "latency_ms": latency,
            "underruns": row["underruns"],
            "underrun_ms": row["underrun_ms"],
            "seconds": row["seconds"],
        }));
    }
    for placement in ["local", "remote"] {
        let measured = |name: &str| {
            rows.iter()
                .any(|r| r["processor"] == name && r["placement"] == placement)
        };
        if let Some(unmeasured) = native.keys().find(|name| !measured(name)) {
            bail!("{unmeasured} was timed but not measured in the browser ({placement})");
        }
    }
    Ok(rows)
}

/// The rows as a JSON list, keys in [`KEYS`] order, one row per line.
fn to_json(rows: &[Value]) -> String {
    rows_json(rows, &KEYS)
}

/// The rows as an aligned table, each held to its placement's targets:
/// locally added latency ≤ 20 ms and no underruns, remotely added latency
/// ≤ 60 ms (the goal on loopback; concealment is reported, not held).
fn table(rows: &[Value]) -> String {
    let mut out = format!(
        "{:<14} {:>9} {:>10} {:>10} {:>9} {:>9} {:>8}  {}\n",
        "processor",
        "placement",
        "wasm µs",
        "native µs",
        "added ms",
        "lat ms",
        "underrun",
        "targets"
    );
    for row in rows {
        let added = row["added_latency_ms"].as_f64().unwrap_or(f64::INFINITY);
        let underruns = row["underruns"].as_f64().unwrap_or(f64::INFINITY);
        let verdict = if row["placement"] == "remote" {
            match added <= REMOTE_LATENCY_GOAL_MS {
                true => "met (goal)",
                false => "MISSED latency goal",
            }
        } else {
            match (added <= LATENCY_TARGET_MS, underruns == 0.0) {
                (true, true) => "met",
                (false, true) => "MISSED latency",
                (true, false) => "MISSED underruns",
                (false, false) => "MISSED both",
            }
        };
        out.push_str(&format!(
            "{:<14} {:>9} {:>10} {:>10} {:>9} {:>9} {:>8}  {}\n",
            row["processor"].as_str().unwrap_or("?"),
            row["placement"].as_str().unwrap_or("?"),
            cell(&row["proc_us_per_10ms"], 2),
            cell(&row["proc_us_per_10ms_native"], 2),
            cell(&row["added_latency_ms"], 1),
            cell(&row["latency_ms"], 1),
            cell(&row["underruns"], 0),
            verdict,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_parse_behind_any_prefix() {
        let line =
            r#"console.log div contained: BENCH-AUDIO {"processor":"gain","us_per_10ms":0.5}"#;
        assert_eq!(parse_timing(line).unwrap(), Some(("gain".to_owned(), 0.5)));
        assert_eq!(parse_timing("test foo ... ok").unwrap(), None);
        assert!(parse_timing(r#"BENCH-AUDIO {"processor":"gain"}"#).is_err());
    }

    #[test]
    fn rows_subtract_the_baseline_and_need_every_figure() {
        let row = |placement: &str, latency: f64| {
            json!({"processor": "gain", "placement": placement, "latency_ms": latency,
                   "underruns": 0.0, "underrun_ms": 0.0, "seconds": 60})
        };
        let pages = vec![
            json!({"processor": "none", "placement": "local", "latency_ms": 5.0}),
            row("local", 17.5),
            row("remote", 85.0),
        ];
        let mut native = BTreeMap::new();
        native.insert("gain".to_owned(), 0.04);
        let mut wasm = BTreeMap::new();
        let err = merge(&pages, &native, &wasm).unwrap_err().to_string();
        assert!(err.contains("gain"), "{err}");
        wasm.insert("gain".to_owned(), 0.1);
        let rows = merge(&pages, &native, &wasm).unwrap();
        assert_eq!(rows[0]["added_latency_ms"], 12.5);
        assert_eq!(rows[0]["placement"], "local");
        assert_eq!(rows[0]["proc_us_per_10ms"], 0.1);
        assert_eq!(rows[1]["added_latency_ms"], 80.0);
        assert_eq!(
            rows[1]["proc_us_per_10ms"], 0.04,
            "the server runs native code"
        );
        let shown = table(&rows);
        assert!(
            shown.contains("met") && shown.contains("MISSED latency goal"),
            "{shown}"
        );
        let parsed: Value = serde_json::from_str(&to_json(&rows)).unwrap();
        assert_eq!(parsed[1], rows[1]);
        let err = merge(&pages[..2], &native, &wasm).unwrap_err().to_string();
        assert!(err.contains("remote"), "{err}");
        native.insert("pitch".to_owned(), 300.0);
        let err = merge(&pages, &native, &wasm).unwrap_err().to_string();
        assert!(err.contains("pitch was timed"), "{err}");
        assert!(merge(&pages[1..], &BTreeMap::new(), &wasm).is_err());
    }
}
