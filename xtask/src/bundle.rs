//! The built apps' wasm sizes: each app's page and worker `.wasm`, raw
//! and gzipped (`gzip -9`, as a server would send them), printed and
//! written to `target/bench/bundle.json` as a list of
//! `{ "app", "part": "page" | "worker", "bytes", "bytes_gz" }`.

use std::path::Path;
use std::process::Stdio;

use anyhow::{bail, Context, Result};

use crate::util::{self, command};

/// One wasm file of a built app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The app (`demo`, `tutorial`, …).
    pub app: String,
    /// `page` or `worker`.
    pub part: &'static str,
    /// Its size.
    pub bytes: u64,
    /// Its size after `gzip -9`.
    pub bytes_gz: u64,
}

/// Checks that `dist` holds an index.html, the page's .wasm and the
/// worker's `WORKER_bg.wasm` + `WORKER_loader.js` (unhashed: the page
/// names them at runtime), prints their sizes and returns them.
pub fn check_dist(dist: &Path, worker: &str, app: &str) -> Result<Vec<Part>> {
    let index = dist.join("index.html");
    if !index.is_file() {
        bail!("trunk build left no {}", index.display());
    }
    let wasm = std::fs::read_dir(dist)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.extension().is_some_and(|x| x == "wasm"))
        .collect::<Vec<_>>();
    let worker_wasm = format!("{worker}_bg.wasm");
    let loader = format!("{worker}_loader.js");
    let is_worker = |path: &Path| path.file_name().is_some_and(|n| *n == *worker_wasm);
    if wasm.len() != 2 || !wasm.iter().any(|p| is_worker(p)) || !dist.join(&loader).is_file() {
        bail!(
            "expected the page's .wasm and the worker's {worker_wasm} + {loader} in {}, \
             found {wasm:?}",
            dist.display()
        );
    }
    let mut parts = Vec::new();
    for path in &wasm {
        let part = Part {
            app: app.to_owned(),
            part: if is_worker(path) { "worker" } else { "page" },
            bytes: std::fs::metadata(path)?.len(),
            bytes_gz: gzipped_size(path)?,
        };
        println!(
            "{app} build: {} ({}) = {} KiB, {} KiB gzipped",
            path.file_name().unwrap_or_default().to_string_lossy(),
            part.part,
            part.bytes / 1024,
            part.bytes_gz / 1024
        );
        parts.push(part);
    }
    parts.sort_by_key(|p| p.part);
    Ok(parts)
}

/// The size of `gzip -9 -c path`.
fn gzipped_size(path: &Path) -> Result<u64> {
    let path_text = path.to_string_lossy().into_owned();
    let output = command("gzip", &["-9", "-c", &path_text])
        .stderr(Stdio::inherit())
        .output()
        .context("running gzip (Debian's gzip package)")?;
    if !output.status.success() {
        bail!("gzip -9 -c {path_text} failed: {}", output.status);
    }
    Ok(output.stdout.len() as u64)
}

/// Writes `parts` to `target/bench/bundle.json`.
pub fn write_json(parts: &[Part]) -> Result<()> {
    let rows: Vec<_> = parts
        .iter()
        .map(|p| {
            serde_json::json!({
                "app": p.app, "part": p.part, "bytes": p.bytes, "bytes_gz": p.bytes_gz,
            })
        })
        .collect();
    let dir = util::root().join("target").join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("bundle.json");
    let text = serde_json::to_string_pretty(&rows)?;
    std::fs::write(&path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
