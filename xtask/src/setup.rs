//! Idempotent installs. Each tool is checked first and installed only when
//! missing or of the wrong version; every install says what it runs.
//!
//! Versions that matter (see `toolchain.md` in the project notes):
//! - `trunk` [`TRUNK_VERSION`]: newer releases need a newer rustc;
//! - `wasm-bindgen-cli` equal to the `wasm-bindgen` in Cargo.lock;
//! - `wasm-opt` from npm's `binaryen` [`BINARYEN_VERSION`] (Debian's is too
//!   old to read what current Rust emits);
//! - Debian's `chromium` + `chromium-driver` for browser tests, and
//!   `espeak-ng` for the speech the voice activity tests hear;
//! - Debian's `libvpx-dev` and `libopus-dev` (+ `pkg-config`), which
//!   `framewise-vpx` and `framewise-opus` link.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::util::{self, command, lockfile_version, output_of, prepend_path, which};

/// The trunk release that builds with our rustc.
pub const TRUNK_VERSION: &str = "0.21.14";
/// npm's binaryen package providing `wasm-opt` (Trunk.toml pins
/// `wasm_opt = "version_<this>"`).
pub const BINARYEN_VERSION: &str = "132";

/// Everything `demo` needs: wasm32 target, wasm-opt, wasm-bindgen, trunk.
pub fn web_tools() -> Result<()> {
    cargo_bin_on_path()?;
    wasm_target()?;
    wasm_opt()?;
    wasm_bindgen()?;
    trunk()
}

/// Makes sure `cargo install`ed tools are found.
fn cargo_bin_on_path() -> Result<()> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match home.map(|h| h.join("bin")) {
        Some(bin) if bin.is_dir() => prepend_path(&bin),
        _ => Ok(()),
    }
}

fn ok(what: &str, detail: &str) {
    println!("setup: {what} {detail} ✓");
}

fn installing(what: &str, how: &str) {
    println!("setup: installing {what}: {how}");
}

/// The `wasm32-unknown-unknown` Rust target.
pub fn wasm_target() -> Result<()> {
    const TARGET: &str = "wasm32-unknown-unknown";
    let installed = match output_of("rustup", &["target", "list", "--installed"]) {
        Some(list) => list.lines().any(|l| l.trim() == TARGET),
        None => output_of("rustc", &["--print", "target-libdir", "--target", TARGET])
            .is_some_and(|dir| PathBuf::from(dir).is_dir()),
    };
    if installed {
        ok("Rust target", TARGET);
        return Ok(());
    }
    installing("the Rust target", &format!("rustup target add {TARGET}"));
    util::run(&mut command("rustup", &["target", "add", TARGET]))
        .context("installing the wasm32 target needs rustup")
}

fn wasm_opt_ok() -> bool {
    output_of("wasm-opt", &["--version"])
        .is_some_and(|v| v.contains(&format!("version_{BINARYEN_VERSION}")))
}

/// `wasm-opt` from npm's `binaryen`.
pub fn wasm_opt() -> Result<()> {
    let pinned = trunk_pin("wasm_opt")?;
    if pinned != format!("version_{BINARYEN_VERSION}") {
        bail!("Trunk.toml pins wasm_opt = \"{pinned}\"; xtask installs version_{BINARYEN_VERSION}");
    }
    if !wasm_opt_ok() {
        npm_bin_on_path()?;
    }
    if !wasm_opt_ok() {
        let package = format!("binaryen@{BINARYEN_VERSION}.0.0");
        installing("wasm-opt", &format!("npm install -g {package}"));
        util::run(&mut command("npm", &["install", "-g", &package]))
            .context("installing wasm-opt needs Node's npm")?;
        npm_bin_on_path()?;
    }
    match output_of("wasm-opt", &["--version"]) {
        Some(v) if wasm_opt_ok() => {
            ok("wasm-opt", &v);
            Ok(())
        }
        found => bail!(
            "wasm-opt on PATH is {:?}, not binaryen {BINARYEN_VERSION}; put npm's global bin \
             directory (`npm prefix -g`/bin) before others on PATH",
            found.unwrap_or_else(|| "missing".into())
        ),
    }
}

/// Makes npm's global `wasm-opt` the one on PATH, so it wins over an older
/// one (e.g. Debian's), through a link in `target/xtask-bin` put first on
/// PATH — only `wasm-opt` moves ahead, nothing else in npm's directory.
fn npm_bin_on_path() -> Result<()> {
    let Some(prefix) = output_of("npm", &["prefix", "-g"]) else {
        return Ok(());
    };
    let prefix = PathBuf::from(prefix);
    let npm_wasm_opt = prefix.join("bin").join("wasm-opt");
    if !npm_wasm_opt.is_file() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        let shims = util::root().join("target").join("xtask-bin");
        std::fs::create_dir_all(&shims)?;
        let link = shims.join("wasm-opt");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&npm_wasm_opt, &link)
            .with_context(|| format!("linking {}", link.display()))?;
        prepend_path(&shims)
    }
    #[cfg(not(unix))]
    {
        prepend_path(&prefix.join("bin"))
    }
}

/// `wasm-bindgen` and `wasm-bindgen-test-runner`, the version in Cargo.lock.
pub fn wasm_bindgen() -> Result<()> {
    let version = lockfile_version("wasm-bindgen")?;
    let pinned = trunk_pin("wasm_bindgen")?;
    if pinned != version {
        bail!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen \
             {version}; make them equal"
        );
    }
    let has = |program: &str| {
        output_of(program, &["--version"])
            .is_some_and(|v| v.split_whitespace().any(|w| w == version))
    };
    if has("wasm-bindgen") && has("wasm-bindgen-test-runner") {
        ok("wasm-bindgen-cli", &version);
        return Ok(());
    }
    // Without --locked: its lockfile names a dependency version the
    // registry here lacks, and cargo resolves a working one.
    let args = [
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--force",
    ];
    installing(
        "wasm-bindgen-cli (matches Cargo.lock; 2-5 min)",
        &format!("cargo {}", args.join(" ")),
    );
    util::run(&mut util::cargo(&args))?;
    if !has("wasm-bindgen") {
        bail!("wasm-bindgen {version} is still not the one on PATH");
    }
    Ok(())
}

/// The value of `key = "…"` in Trunk.toml's `[tools]`.
fn trunk_pin(key: &str) -> Result<String> {
    let path = util::root().join("Trunk.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter_map(|line| line.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .with_context(|| format!("{} has no `{key} = \"…\"`", path.display()))
}

/// `trunk`, pinned.
pub fn trunk() -> Result<()> {
    let has = || output_of("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION));
    if has() {
        ok("trunk", TRUNK_VERSION);
        return Ok(());
    }
    let args = [
        "install",
        "--locked",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--force",
    ];
    installing(
        "trunk (≈13 min on 2 cores)",
        &format!("cargo {}", args.join(" ")),
    );
    util::run(&mut util::cargo(&args))?;
    if !has() {
        bail!("trunk {TRUNK_VERSION} is still not the one on PATH");
    }
    Ok(())
}

/// Chromium's path: `$CHROMIUM`, or `chromium` on PATH.
pub fn chromium_path() -> Option<PathBuf> {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| which("chromium"))
}

/// ChromeDriver's path: `$CHROMEDRIVER`, or `chromedriver` on PATH.
pub fn chromedriver_path() -> Option<PathBuf> {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| which("chromedriver"))
}

/// Debian's `chromium` and `chromium-driver`.
pub fn browser() -> Result<()> {
    if let (Some(chromium), Some(driver)) = (chromium_path(), chromedriver_path()) {
        ok(
            "chromium + chromedriver",
            &format!("({}, {})", chromium.display(), driver.display()),
        );
        return Ok(());
    }
    installing(
        "chromium + chromium-driver",
        "apt-get update; apt-get install -y chromium chromium-driver",
    );
    apt(&["update"])?;
    apt(&["install", "-y", "chromium", "chromium-driver"])?;
    match (chromium_path(), chromedriver_path()) {
        (Some(_), Some(_)) => Ok(()),
        _ => bail!("apt-get installed chromium, yet `chromium` or `chromedriver` is not on PATH"),
    }
}

/// Debian's `espeak-ng`, which renders the speech the voice activity
/// tests listen to.
pub fn speech() -> Result<()> {
    let version = || output_of("espeak-ng", &["--version"]);
    if let Some(found) = version() {
        ok("espeak-ng", found.split_whitespace().nth(3).unwrap_or(""));
        return Ok(());
    }
    installing("espeak-ng", "apt-get update; apt-get install -y espeak-ng");
    apt(&["update"])?;
    apt(&["install", "-y", "espeak-ng"])?;
    match version() {
        Some(_) => Ok(()),
        None => bail!("apt-get installed espeak-ng, yet `espeak-ng --version` fails"),
    }
}

/// Native libraries the workspace links: Debian's `libvpx-dev` (found
/// through `pkg-config`) for `framewise-vpx` and `libopus-dev` for
/// `framewise-opus`.
pub fn native_libs() -> Result<()> {
    const LIBS: [(&str, &str); 2] = [("vpx", "libvpx-dev"), ("opus", "libopus-dev")];
    let version = |module: &str| output_of("pkg-config", &["--modversion", module]);
    let missing: Vec<&str> = LIBS
        .iter()
        .filter(|(module, _)| version(module).is_none())
        .map(|&(_, package)| package)
        .collect();
    if !missing.is_empty() {
        let list = missing.join(" ");
        installing(
            &format!("{list} + pkg-config"),
            &format!("apt-get update; apt-get install -y {list} pkg-config"),
        );
        apt(&["update"])?;
        let mut args = vec!["install", "-y"];
        args.extend(&missing);
        args.push("pkg-config");
        apt(&args)?;
    }
    for (module, package) in LIBS {
        match version(module) {
            Some(found) => ok(package, &found),
            None => {
                bail!("apt-get installed {package}, yet `pkg-config --modversion {module}` fails")
            }
        }
    }
    Ok(())
}

/// Runs `apt-get args…` as root (through `sudo -n` when not root), without
/// standard input, waiting while another process holds the dpkg/apt lock.
fn apt(args: &[&str]) -> Result<()> {
    const ATTEMPTS: u32 = 40;
    const PAUSE: Duration = Duration::from_secs(15);
    let root = output_of("id", &["-u"]).is_some_and(|id| id == "0");
    let mut full: Vec<&str> = vec!["-o", "DPkg::Lock::Timeout=300"];
    full.extend_from_slice(args);
    for attempt in 1..=ATTEMPTS {
        let mut cmd = if root {
            command("apt-get", &full)
        } else {
            let mut with_sudo = vec!["-n", "apt-get"];
            with_sudo.extend_from_slice(&full);
            command("sudo", &with_sudo)
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped());
        println!("$ {}", util::display(&cmd));
        let output = cmd
            .output()
            .context("could not run apt-get (a Debian-like system is assumed)")?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        eprint!("{stderr}");
        if output.status.success() {
            return Ok(());
        }
        let locked = stderr.contains("lock");
        if !locked || attempt == ATTEMPTS {
            bail!("apt-get {} failed ({})", args.join(" "), output.status);
        }
        println!(
            "setup: another process holds the apt/dpkg lock; waiting {} s (attempt {attempt}/{ATTEMPTS})",
            PAUSE.as_secs()
        );
        std::thread::sleep(PAUSE);
    }
    Ok(())
}
