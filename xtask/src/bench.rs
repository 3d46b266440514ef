//! `cargo xtask bench core`: ms per frame of every video processor, native
//! and wasm32 (headless Chromium), merged into `target/bench/core.json`.
//!
//! Both benchmarks print one line per measurement (anything may precede
//! the marker): `BENCH {"processor":"canny","width":640,"height":480,"ms":1.234}`.
//!
//! `cargo xtask bench local [--seconds N] [--processors a,b]`: the release
//! demo in camera mode in headless Chromium, every video processor at
//! 640×480 and 1280×720, measured at the display by the `bench_local`
//! driver of `framewise-e2e` (one `BENCH {row}` line per case), written to
//! `target/bench/local.json`.
//!
//! `cargo xtask bench remote [--seconds N]`: the release demo served by a
//! release `framewise-server`, remote placement in headless Chromium and
//! Rust WebRTC peers, all on 127.0.0.1, measured by the `bench_remote`
//! driver (one `BENCH-REMOTE {object}` line), written to
//! `target/bench/remote.json`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, ExitStatus, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::bundle::check_dist;
use crate::setup;
use crate::test::{trunk_build, with_browser_runner};
use crate::util::{self, cargo};

/// The native benchmark (release profile, `harness = false`).
pub(crate) const NATIVE_BENCH: &[&str] = &["bench", "-p", "framewise", "--bench", "core"];
/// The wasm benchmark: an ignored wasm-bindgen test run in headless Chromium.
pub(crate) const WASM_BENCH: &[&str] = &[
    "test",
    "-p",
    "framewise",
    "--release",
    "--target",
    "wasm32-unknown-unknown",
    "--test",
    "wasm_bench",
    "--",
    "--include-ignored",
    "--nocapture",
];
/// The marker before each measurement's JSON.
const MARKER: &str = "BENCH ";

/// (processor, width, height)
type Key = (String, u64, u64);

/// Runs both benchmarks, writes the JSON and prints the table.
pub fn core() -> Result<()> {
    setup::wasm_target()?;
    setup::wasm_bindgen()?;
    setup::native_libs()?;
    setup::browser()?;

    println!("\n==> native benchmark");
    let native = measure(&mut cargo(NATIVE_BENCH))?;
    println!("\n==> wasm benchmark (headless Chromium)");
    let mut wasm_args = WASM_BENCH.to_vec();
    wasm_args.push("bench_video_processors");
    let mut wasm_command = cargo(&wasm_args);
    let wasm = measure(with_browser_runner(&mut wasm_command)?)?;

    let rows = merge(&native, &wasm)?;
    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("core.json");
    let text = to_json(&rows);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;

    println!("\n{}", table(&rows));
    println!("wrote {}", path.display());
    Ok(())
}

/// Runs `command`, echoing each line of its stdout and handing it to
/// `on_line`; returns how the command was shown and how it exited.
pub(crate) fn run_echoing(
    command: &mut Command,
    mut on_line: impl FnMut(&str) -> Result<()>,
) -> Result<(String, ExitStatus)> {
    let shown = util::display(command);
    println!("$ {shown}");
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start `{shown}`"))?;
    let stdout = child.stdout.take().context("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        on_line(&line)?;
    }
    let status = child.wait()?;
    Ok((shown, status))
}

/// The remote benchmark's driver (release: its peers encode and decode).
const REMOTE_DRIVER: &[&str] = &[
    "run",
    "--release",
    "-p",
    "framewise-e2e",
    "--bin",
    "bench_remote",
    "--",
];

/// The remote figures and the targets they are held to: `(key, target,
/// at most)`.
const REMOTE_TARGETS: [(&str, f64, bool); 11] = [
    ("first_frame_ms", 500.0, true),
    ("first_frame_ms_cold", f64::INFINITY, true),
    ("latency_ms_p50", 67.0, true),
    ("latency_ms_p95", 100.0, true),
    ("output_fps", 28.0, false),
    ("output_fps_with_input_view", f64::INFINITY, false),
    ("server_cpu_pct_per_stream", 25.0, true),
    ("server_rss_mb_per_stream", 50.0, true),
    ("max_streams_25fps", 2.0, false),
    ("max_streams_25fps_rust_peers", 6.0, false),
    ("rss_growth_pct_after_50_sessions", 10.0, true),
];

/// Builds the demo and a release server, runs the remote driver, writes
/// `target/bench/remote.json` and prints each figure against its target.
pub fn remote(args: &[&str]) -> Result<()> {
    let seconds = seconds_only(
        args,
        LOCAL_SECONDS,
        "cargo xtask bench remote [--seconds N]",
    )?;
    let dist = demo_build()?;
    println!("\n==> release build of framewise-server");
    let server = util::build_server("release")?;

    println!("\n==> remote placement on 127.0.0.1 ({seconds} s windows)");
    let chromium = setup::chromium_path().context("chromium is not installed")?;
    let chromedriver = setup::chromedriver_path().context("chromedriver is not installed")?;
    let seconds_text = seconds.to_string();
    let mut args = REMOTE_DRIVER.to_vec();
    args.extend(["--seconds", &seconds_text]);
    let mut driver = cargo(&args);
    driver
        .env("FRAMEWISE_E2E_DIST", &dist)
        .env("FRAMEWISE_SERVER_BIN", &server)
        .env("CHROMIUM", chromium)
        .env("CHROMEDRIVER", chromedriver);
    let mut report = None;
    let mut errors = Vec::new();
    let (shown, status) = run_echoing(&mut driver, |line| {
        if let Some(json) = line.strip_prefix("BENCH-REMOTE ") {
            report = Some(serde_json::from_str::<Value>(json).context("bad BENCH-REMOTE line")?);
        } else if let Some(error) = line.strip_prefix("BENCH-ERROR ") {
            errors.push(error.to_owned());
        }
        Ok(())
    })?;
    let Some(report) = report else {
        bail!(
            "`{shown}` ({status}) printed no report: {}",
            errors.join("; ")
        );
    };
    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("remote.json");
    let text = serde_json::to_string_pretty(&report)?;
    std::fs::write(&path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    println!();
    for (key, target, at_most) in REMOTE_TARGETS {
        let value = report[key].as_f64();
        let verdict = match value {
            _ if target.is_infinite() => "",
            Some(v) if (at_most && v <= target) || (!at_most && v >= target) => "met",
            Some(_) => "MISSED",
            None => "not measured",
        };
        let bound = if target.is_infinite() {
            String::new()
        } else {
            format!("{} {target}", if at_most { "≤" } else { "≥" })
        };
        let shown = value.map_or_else(|| "null".into(), |v| format!("{v:.1}"));
        println!("{key:<36} {shown:>8}   {bound:<10} {verdict}");
    }
    println!("settings: {}", report["settings"]);
    println!("wrote {}", path.display());
    Ok(())
}

/// Installs what the browser benchmarks need and makes the release demo
/// build they measure (`target/bench-dist`).
pub(crate) fn demo_build() -> Result<std::path::PathBuf> {
    setup::web_tools()?;
    setup::native_libs()?;
    setup::browser()?;
    let dist = util::root().join("target").join("bench-dist");
    println!("\n==> release build of the demo");
    trunk_build(None, &dist)?;
    check_dist(&dist, "framewise-worker", "demo")?;
    Ok(dist)
}

/// Runs `command`, echoing its stdout, and collects its BENCH lines.
fn measure(command: &mut Command) -> Result<BTreeMap<Key, f64>> {
    collect(command, MARKER, parse_line)
}

/// Runs `command`, echoing its stdout, and collects what `parse` reads
/// from its lines; the command must succeed and print at least one
/// `{marker}{…}` line.
pub(crate) fn collect<K: Ord>(
    command: &mut Command,
    marker: &str,
    parse: impl Fn(&str) -> Result<Option<(K, f64)>>,
) -> Result<BTreeMap<K, f64>> {
    let mut found = BTreeMap::new();
    let (shown, status) = run_echoing(command, |line| {
        if let Some((key, value)) = parse(line)? {
            found.insert(key, value);
        }
        Ok(())
    })?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    if found.is_empty() {
        bail!("`{shown}` printed no `{marker}{{…}}` lines");
    }
    Ok(found)
}

/// One measurement from a line, if the line carries one.
fn parse_line(line: &str) -> Result<Option<(Key, f64)>> {
    let Some(at) = line.find(MARKER) else {
        return Ok(None);
    };
    let json = line[at + MARKER.len()..].trim();
    let value: Value =
        serde_json::from_str(json).with_context(|| format!("bad benchmark line: {line}"))?;
    let field = |name: &str| {
        value
            .get(name)
            .with_context(|| format!("benchmark line lacks \"{name}\": {line}"))
    };
    let processor = field("processor")?
        .as_str()
        .context("\"processor\" is not a string")?;
    let width = field("width")?
        .as_u64()
        .context("\"width\" is not a whole number")?;
    let height = field("height")?
        .as_u64()
        .context("\"height\" is not a whole number")?;
    let ms = field("ms")?.as_f64().context("\"ms\" is not a number")?;
    Ok(Some(((processor.to_owned(), width, height), ms)))
}

/// One processor at one size.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    processor: String,
    width: u64,
    height: u64,
    native_ms: f64,
    wasm_ms: f64,
}

/// One row per measurement; a case measured on one side only is an error.
fn merge(native: &BTreeMap<Key, f64>, wasm: &BTreeMap<Key, f64>) -> Result<Vec<Row>> {
    let only = |a: &BTreeMap<Key, f64>, b: &BTreeMap<Key, f64>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .map(|(p, w, h)| format!("{p} {w}x{h}"))
            .collect::<Vec<_>>()
    };
    let (no_wasm, no_native) = (only(native, wasm), only(wasm, native));
    if !no_wasm.is_empty() || !no_native.is_empty() {
        bail!(
            "benchmarks disagree: no wasm number for [{}], no native number for [{}]",
            no_wasm.join(", "),
            no_native.join(", ")
        );
    }
    Ok(native
        .iter()
        .filter_map(|(key, &native_ms)| {
            let (processor, width, height) = key.clone();
            let wasm_ms = *wasm.get(key)?;
            Some(Row {
                processor,
                width,
                height,
                native_ms,
                wasm_ms,
            })
        })
        .collect())
}

/// The rows as a JSON list, keys in a fixed order, one row per line.
fn to_json(rows: &[Row]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "  {{\"processor\": {}, \"width\": {}, \"height\": {}, \"native_ms\": {}, \"wasm_ms\": {}}}",
                Value::from(r.processor.as_str()),
                r.width,
                r.height,
                Value::from(r.native_ms),
                Value::from(r.wasm_ms),
            )
        })
        .collect();
    format!("[\n{}\n]\n", lines.join(",\n"))
}

/// The rows as an aligned text table with the wasm/native ratio.
fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:<20} {:>10} {:>11} {:>11} {:>11}\n",
        "processor", "size", "native ms", "wasm ms", "wasm/native"
    );
    for row in rows {
        let ratio = if row.native_ms > 0.0 && row.wasm_ms > 0.0 {
            format!("{:.2}", row.wasm_ms / row.native_ms)
        } else {
            "-".to_owned()
        };
        let size = format!("{}x{}", row.width, row.height);
        out.push_str(&format!(
            "{:<20} {:>10} {:>11.3} {:>11.3} {:>11}\n",
            row.processor, size, row.native_ms, row.wasm_ms, ratio
        ));
    }
    out
}

/// The keys of each `target/bench/local.json` row, in order.
const LOCAL_KEYS: [&str; 10] = [
    "processor",
    "width",
    "height",
    "input_fps",
    "output_fps",
    "proc_ms_p50",
    "proc_ms_p95",
    "dropped_pct",
    "latency_ms_p50",
    "first_frame_ms",
];
/// The measuring window in seconds unless `--seconds` says otherwise (the
/// issue asks for at least 20; `framewise_e2e::bench_local` adds a 2 s
/// warm-up).
const LOCAL_SECONDS: u64 = 20;
/// The browser driver: a bin of `framewise-e2e`.
const LOCAL_DRIVER: &[&str] = &["run", "-p", "framewise-e2e", "--bin", "bench_local", "--"];

/// `cargo xtask bench local [--seconds N] [--processors a,b]`: builds the
/// release demo as the end-to-end step does (into `target/bench-dist`),
/// runs the driver, writes `target/bench/local.json` and prints the table.
pub fn local(args: &[&str]) -> Result<()> {
    let mut seconds = LOCAL_SECONDS;
    let mut processors: Option<&str> = None;
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        match (arg, rest.next()) {
            ("--seconds", Some(n)) => seconds = parse_seconds(n)?,
            ("--processors", Some(list)) => processors = Some(list),
            _ => bail!("usage: cargo xtask bench local [--seconds N] [--processors a,b]"),
        }
    }
    let dist = demo_build()?;

    println!("\n==> the demo in headless Chromium ({seconds} s per case after a 2 s warm-up)");
    let chromium = setup::chromium_path().context("chromium is not installed")?;
    let chromedriver = setup::chromedriver_path().context("chromedriver is not installed")?;
    let seconds_text = seconds.to_string();
    let mut args = LOCAL_DRIVER.to_vec();
    args.extend(["--seconds", &seconds_text]);
    if let Some(list) = processors {
        args.extend(["--processors", list]);
    }
    let mut driver = cargo(&args);
    driver
        .env("FRAMEWISE_E2E_DIST", &dist)
        .env("CHROMIUM", chromium)
        .env("CHROMEDRIVER", chromedriver);
    let (rows, failure) = measure_local(&mut driver)?;

    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("local.json");
    std::fs::write(&path, local_json(&rows))
        .with_context(|| format!("writing {}", path.display()))?;
    println!("\n{}", local_table(&rows));
    println!("wrote {}", path.display());
    match failure {
        Some(failure) => bail!("{failure}"),
        None => Ok(()),
    }
}

/// Runs the driver, echoing its stdout, and collects its rows; a failed
/// run still returns the rows it printed, with why it failed.
fn measure_local(command: &mut Command) -> Result<(Vec<Value>, Option<String>)> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let (shown, status) = run_echoing(command, |line| {
        if let Some(error) = line.strip_prefix("BENCH-ERROR ") {
            errors.push(error.to_owned());
        } else if let Some(row) = parse_local(line)? {
            rows.push(row);
        }
        Ok(())
    })?;
    let failure = if !errors.is_empty() {
        Some(format!("cases not measured: {}", errors.join("; ")))
    } else if !status.success() {
        Some(format!("`{shown}` failed ({status})"))
    } else if rows.is_empty() {
        Some(format!("`{shown}` printed no `{MARKER}{{…}}` lines"))
    } else {
        None
    };
    Ok((rows, failure))
}

/// One row from a `BENCH {…}` line of the driver: an object with exactly
/// [`LOCAL_KEYS`], each a number or null (processor: a string).
fn parse_local(line: &str) -> Result<Option<Value>> {
    parse_row(line, &LOCAL_KEYS)
}

/// One row from a `BENCH {…}` line: an object with exactly `keys`, the
/// first a string and the others numbers or null; `None` for other lines.
pub(crate) fn parse_row(line: &str, keys: &[&str]) -> Result<Option<Value>> {
    let Some(json) = line.strip_prefix(MARKER) else {
        return Ok(None);
    };
    let value: Value =
        serde_json::from_str(json).with_context(|| format!("bad benchmark line: {line}"))?;
    let object = value
        .as_object()
        .context("a benchmark row is not an object")?;
    let keys_match = object.len() == keys.len() && keys.iter().all(|k| object.contains_key(*k));
    if !keys_match {
        bail!("benchmark row without exactly the keys {keys:?}: {line}");
    }
    if !value[keys[0]].is_string() {
        bail!("\"{}\" is not a string: {line}", keys[0]);
    }
    if let Some(bad) = keys[1..]
        .iter()
        .find(|k| !(value[**k].is_number() || value[**k].is_null()))
    {
        bail!("\"{bad}\" is neither a number nor null: {line}");
    }
    Ok(Some(value))
}

/// `--seconds N` as a whole number above 0.
fn parse_seconds(n: &str) -> Result<u64> {
    n.parse()
        .ok()
        .filter(|&n: &u64| n > 0)
        .with_context(|| format!("--seconds wants a whole number above 0, not {n}"))
}

/// The seconds of a command whose only option is `--seconds N`
/// (`default` without it); anything else is `usage`.
pub(crate) fn seconds_only(args: &[&str], default: u64, usage: &str) -> Result<u64> {
    match args {
        [] => Ok(default),
        ["--seconds", n] => parse_seconds(n),
        _ => bail!("usage: {usage}"),
    }
}

/// A table cell: the number with `decimals`, `-` for null.
pub(crate) fn cell(value: &Value, decimals: usize) -> String {
    value
        .as_f64()
        .map_or_else(|| "-".to_owned(), |n| format!("{n:.decimals$}"))
}

/// The rows as a JSON list, keys in [`LOCAL_KEYS`] order, one row per line.
fn local_json(rows: &[Value]) -> String {
    rows_json(rows, &LOCAL_KEYS)
}

/// `rows` as a JSON list, one row per line with `keys` in that order.
pub(crate) fn rows_json(rows: &[Value], keys: &[&str]) -> String {
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let fields: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", Value::from(*k), row[*k]))
                .collect();
            format!("  {{{}}}", fields.join(", "))
        })
        .collect();
    if lines.is_empty() {
        return "[]\n".to_owned();
    }
    format!("[\n{}\n]\n", lines.join(",\n"))
}

/// The rows as an aligned text table (`-` for null).
fn local_table(rows: &[Value]) -> String {
    let mut out = format!(
        "{:<20} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
        "processor",
        "size",
        "in fps",
        "out fps",
        "proc p50",
        "proc p95",
        "dropped%",
        "lat p50",
        "first ms"
    );
    for row in rows {
        let size = format!("{}x{}", row["width"], row["height"]);
        out.push_str(&format!(
            "{:<20} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
            row["processor"].as_str().unwrap_or("?"),
            size,
            cell(&row["input_fps"], 1),
            cell(&row["output_fps"], 1),
            cell(&row["proc_ms_p50"], 2),
            cell(&row["proc_ms_p95"], 2),
            cell(&row["dropped_pct"], 1),
            cell(&row["latency_ms_p50"], 1),
            cell(&row["first_frame_ms"], 0),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_and_without_a_prefix_parse() {
        let line = r#"BENCH {"processor":"canny","width":640,"height":480,"ms":1.5}"#;
        let key = ("canny".to_owned(), 640, 480);
        assert_eq!(parse_line(line).unwrap(), Some((key.clone(), 1.5)));
        let prefixed = format!("console.log div contained: {line}");
        assert_eq!(parse_line(&prefixed).unwrap(), Some((key, 1.5)));
        assert_eq!(parse_line("test foo ... ok").unwrap(), None);
        assert!(parse_line(r#"BENCH {"processor":"canny"}"#).is_err());
    }

    #[test]
    fn a_missing_wasm_number_is_an_error() {
        let mut native = BTreeMap::new();
        native.insert(("invert".to_owned(), 640, 480), 0.1);
        native.insert(("canny".to_owned(), 640, 480), 1.0);
        let mut wasm = BTreeMap::new();
        wasm.insert(("invert".to_owned(), 640, 480), 0.2);
        let err = merge(&native, &wasm).unwrap_err().to_string();
        assert!(err.contains("no wasm number for [canny 640x480]"), "{err}");
        wasm.insert(("canny".to_owned(), 640, 480), 2.0);
        let rows = merge(&native, &wasm).unwrap();
        assert_eq!(
            (rows[0].processor.as_str(), rows[0].wasm_ms),
            ("canny", 2.0)
        );
        assert!(table(&rows).contains("2.00"));
        let json: Value = serde_json::from_str(&to_json(&rows)).unwrap();
        assert_eq!(json[1]["processor"], "invert");
        assert_eq!(json[1]["native_ms"], 0.1);
        assert_eq!(json.as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn local_rows_need_exactly_the_keys() {
        let line = r#"BENCH {"processor":"invert","width":640,"height":480,"input_fps":30.0,"output_fps":29.9,"proc_ms_p50":0.4,"proc_ms_p95":0.9,"dropped_pct":0.5,"latency_ms_p50":33.33,"first_frame_ms":null}"#;
        let row = parse_local(line).unwrap().unwrap();
        assert_eq!(parse_local("BENCH-INFO invert 640x480: …").unwrap(), None);
        assert!(parse_local(r#"BENCH {"processor":"invert","width":640}"#).is_err());
        let extra = line.replace("\"width\"", "\"extra\":1,\"width\"");
        assert!(parse_local(&extra).is_err());
        let text = local_json(std::slice::from_ref(&row));
        assert!(text.starts_with("[\n  {\"processor\": \"invert\", \"width\": 640"));
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json[0], row);
        let table = local_table(&[row]);
        assert!(
            table.contains("640x480") && table.contains("29.9"),
            "{table}"
        );
        assert_eq!(local_json(&[]), "[]\n");
    }
}
