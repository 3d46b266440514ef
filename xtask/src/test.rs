//! `cargo xtask test`: every check, in order, stopping at the first failure.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::bundle;
use crate::setup;
use crate::util::{self, cargo, command, secs};

/// Crates built for the browser, checked by clippy for wasm32 too.
const WASM_CRATES: [&str; 7] = [
    "framewise",
    "framewise-yew",
    "framewise-www",
    "framewise-example-tutorial",
    "framewise-example-custom",
    "framewise-example-audio-gain",
    "framewise-example-fork-and-mix",
];

type Step = (&'static str, Box<dyn FnOnce() -> Result<()>>);

/// Runs the steps, timing each; prints a summary either way.
pub fn run() -> Result<()> {
    let steps: Vec<Step> = vec![
        (
            "setup (tools, libvpx + libopus, Chromium, espeak-ng)",
            Box::new(setup_all),
        ),
        (
            "cargo fmt --check",
            Box::new(|| run_cargo(&["fmt", "--all", "--check"])),
        ),
        ("clippy (native)", Box::new(clippy_native)),
        ("clippy (wasm32)", Box::new(clippy_wasm)),
        ("native tests", Box::new(native_tests)),
        (
            "doctests",
            Box::new(|| run_cargo(&["test", "--workspace", "--doc"])),
        ),
        ("wasm tests (headless Chromium)", Box::new(wasm_tests)),
        (
            "demo + examples end to end (headless Chromium)",
            Box::new(demo_end_to_end),
        ),
    ];
    let total = steps.len();
    let started = Instant::now();
    let mut done: Vec<(&str, Duration)> = Vec::new();
    for (name, step) in steps {
        println!("\n==> {name}");
        let t = Instant::now();
        let outcome = step();
        let took = t.elapsed();
        if let Err(error) = outcome {
            summary(&done, started.elapsed());
            println!("steps: {} passed, 1 failed", done.len());
            bail!("step \"{name}\" failed after {}: {error:#}", secs(took));
        }
        println!("<== {name}: ok in {}", secs(took));
        done.push((name, took));
    }
    summary(&done, started.elapsed());
    println!("steps: {total} passed, 0 failed");
    Ok(())
}

fn summary(done: &[(&str, Duration)], total: Duration) {
    println!("\nxtask test timings:");
    for (name, took) in done {
        println!("  {name:<40} {:>9}", secs(*took));
    }
    println!("  {:<40} {:>9}", "total", secs(total));
}

fn run_cargo(args: &[&str]) -> Result<()> {
    util::run(&mut cargo(args))
}

fn setup_all() -> Result<()> {
    setup::web_tools()?;
    setup::native_libs()?;
    setup::browser()?;
    setup::speech()
}

fn clippy_native() -> Result<()> {
    run_cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])
}

/// Clippy for wasm32 on the browser crates, and on the client without
/// its default features.
fn clippy_wasm() -> Result<()> {
    let mut args = vec!["clippy"];
    for krate in WASM_CRATES {
        args.extend(["-p", krate]);
    }
    args.extend([
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    run_cargo(&args)?;
    // The client as an app without audio builds it (the tutorial).
    run_cargo(&[
        "clippy",
        "-p",
        "framewise-yew",
        "--no-default-features",
        "--target",
        "wasm32-unknown-unknown",
        "--lib",
        "--",
        "-D",
        "warnings",
    ])
}

fn has_nextest() -> bool {
    util::output_of("cargo", &["nextest", "--version"]).is_some()
}

fn native_tests() -> Result<()> {
    if has_nextest() {
        run_cargo(&["nextest", "run", "--workspace"])
    } else {
        println!("cargo-nextest is not installed; using cargo test");
        run_cargo(&["test", "--workspace", "--all-targets"])
    }
}

/// Chromium flags the wasm tests add to wasm-bindgen-test-runner's own
/// (headless, no sandbox): no GPU, a fake camera and microphone allowed
/// without a prompt, no background services, and no host name resolved
/// but localhost, so nothing leaves the machine (the same as
/// `framewise_e2e::CHROMIUM_FLAGS`).
const WASM_TEST_CHROMIUM_FLAGS: [&str; 9] = [
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

/// Points cargo's wasm32 runner at wasm-bindgen-test-runner, which drives
/// headless Chromium through ChromeDriver with the capabilities in
/// `target/wasm-test-webdriver.json` ([`WASM_TEST_CHROMIUM_FLAGS`]).
pub fn with_browser_runner(command: &mut Command) -> Result<&mut Command> {
    let driver = setup::chromedriver_path().context("chromedriver is not installed")?;
    let capabilities = util::root().join("target").join("wasm-test-webdriver.json");
    let json = serde_json::json!({"goog:chromeOptions": {"args": WASM_TEST_CHROMIUM_FLAGS}});
    std::fs::create_dir_all(capabilities.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&capabilities, json.to_string())
        .with_context(|| format!("writing {}", capabilities.display()))?;
    Ok(command
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", capabilities)
        .env("CHROMEDRIVER", driver))
}

/// The core's wasm tests, and the client's browser tests (its unit tests
/// are native: they run with the native tests).
fn wasm_tests() -> Result<()> {
    let mut core = cargo(&[
        "test",
        "-p",
        "framewise",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    util::run(with_browser_runner(&mut core)?)?;
    let mut client = cargo(&[
        "test",
        "-p",
        "framewise-yew",
        "--target",
        "wasm32-unknown-unknown",
        "--test",
        "browser_errors",
    ]);
    util::run(with_browser_runner(&mut client)?)
}

/// The example apps in `examples/`, each a trunk app: (directory, worker
/// bin). The end-to-end step builds each into `target/e2e-examples/DIR`.
pub const EXAMPLES: [(&str, &str); 4] = [
    ("tutorial", "tutorial-worker"),
    ("custom-processor", "custom-worker"),
    ("audio-gain", "audio-gain-worker"),
    ("fork-and-mix", "fork-and-mix-worker"),
];

/// `trunk build --release --offline` of `index` (relative to the root)
/// into `dist`.
pub fn trunk_build(index: Option<&str>, dist: &Path) -> Result<()> {
    let dist_text = dist.to_string_lossy().into_owned();
    // The target first: `--offline` takes an optional value.
    let mut args = vec!["build"];
    args.extend(index);
    args.extend(["--release", "--offline", "--dist", &dist_text]);
    util::run(command("trunk", &args).env("TRUNK_OFFLINE", "true"))
}

/// Builds the demo as `cargo xtask demo` serves it, every example and
/// `framewise-server`, then runs the end-to-end tests in `tests/` (crate
/// `framewise-e2e`) against those builds.
fn demo_end_to_end() -> Result<()> {
    let target = util::root().join("target");
    let dist = target.join("e2e-dist");
    trunk_build(None, &dist)?;
    let mut sizes = bundle::check_dist(&dist, "framewise-worker", "demo")?;
    let examples = target.join("e2e-examples");
    for (name, worker) in EXAMPLES {
        let example_dist = examples.join(name);
        trunk_build(Some(&format!("examples/{name}/index.html")), &example_dist)?;
        sizes.extend(bundle::check_dist(&example_dist, worker, name)?);
    }
    bundle::write_json(&sizes)?;
    // The remote-placement tests run the server's debug build (the native
    // tests built its dependencies already).
    let server = util::build_server("dev")?;
    let chromium = setup::chromium_path().context("chromium is not installed")?;
    let chromedriver = setup::chromedriver_path().context("chromedriver is not installed")?;
    // The e2e tests are #[ignore]d (they need this build and Chromium).
    // nextest over the whole workspace reuses the native-tests build.
    let mut e2e = if has_nextest() {
        cargo(&[
            "nextest",
            "run",
            "--workspace",
            "--run-ignored",
            "only",
            "-E",
            "package(framewise-e2e)",
        ])
    } else {
        cargo(&["test", "-p", "framewise-e2e", "--", "--ignored"])
    };
    e2e.env("FRAMEWISE_E2E_DIST", &dist)
        .env("FRAMEWISE_E2E_EXAMPLES", &examples)
        .env("FRAMEWISE_SERVER_BIN", &server)
        .env("CHROMIUM", chromium)
        .env("CHROMEDRIVER", chromedriver);
    util::run(&mut e2e)
}
