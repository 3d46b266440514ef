//! Small helpers: the repository root, running commands, reading versions.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// The repository root (the workspace directory), whatever the current
/// directory or `CARGO_TARGET_DIR` is.
pub fn root() -> PathBuf {
    // `cargo run` names the manifest's folder at run time; the build-time
    // one can be another checkout's when checkouts share a target dir.
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    xtask
        .parent()
        .map_or_else(|| xtask.clone(), Path::to_path_buf)
}

/// Where cargo puts what it builds: `$CARGO_TARGET_DIR` or `target/`.
pub fn cargo_target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Builds `framewise-server` with `profile` (`dev` or `release`) and
/// returns the binary's path. The dev build selects what the workspace's
/// tests select (`--workspace --tests`), so the features match and it
/// reuses the test build instead of building the WebRTC stack again.
pub fn build_server(profile: &str) -> Result<PathBuf> {
    let mut args = vec!["build", "--profile", profile, "--bin", "framewise-server"];
    if profile == "dev" {
        args.extend(["--workspace", "--tests"]);
    } else {
        args.extend(["-p", "framewise-server"]);
    }
    run(&mut cargo(&args))?;
    let dir = if profile == "dev" { "debug" } else { profile };
    let bin = cargo_target_dir().join(dir).join("framewise-server");
    if !bin.is_file() {
        bail!(
            "cargo built framewise-server, yet {} is missing",
            bin.display()
        );
    }
    Ok(bin)
}

/// `program args…`, run from the repository root.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    command
}

/// `cargo args…` with the cargo that runs this xtask.
pub fn cargo(args: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command(&cargo, args)
}

/// How a command is shown in logs: `program arg arg`, env vars first.
pub fn display(command: &Command) -> String {
    let mut parts: Vec<String> = command
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, v?.to_str()?)))
        .collect();
    let program = command.get_program().to_string_lossy();
    parts.push(
        Path::new(program.as_ref())
            .file_name()
            .map_or(program.to_string(), |n| n.to_string_lossy().into_owned()),
    );
    parts.extend(command.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// Runs a command with inherited stdio, printing it first; a non-zero exit
/// is an error naming the command.
pub fn run(command: &mut Command) -> Result<()> {
    let shown = display(command);
    println!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{shown}` (is it installed and on PATH?)"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// The trimmed stdout (and stderr) of `program args…` when it runs and
/// succeeds; `None` when it is missing or fails.
pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Some(text.trim().to_owned())
}

/// Where `program` is on PATH, if anywhere.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Puts `dir` first on this process's PATH (children inherit it), moving
/// it to the front if it is already on it.
pub fn prepend_path(dir: &Path) -> Result<()> {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&current)
        .filter(|d| d != dir)
        .collect();
    dirs.insert(0, dir.to_path_buf());
    let joined = std::env::join_paths(dirs).context("joining PATH")?;
    // Single-threaded here: xtask sets PATH before it starts any thread.
    std::env::set_var("PATH", joined);
    Ok(())
}

/// The version of `package` recorded in the workspace's Cargo.lock (the
/// first one, if several are).
pub fn lockfile_version(package: &str) -> Result<String> {
    let path = root().join("Cargo.lock");
    let lock =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'));
            if let Some(version) = version {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("{package} is not in {}", path.display())
}

/// Seconds with one decimal, for timings.
pub fn secs(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}
