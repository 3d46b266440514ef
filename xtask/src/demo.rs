//! `cargo xtask demo`: the demo app served by `trunk serve`.

use std::net::{Ipv4Addr, TcpListener};

use anyhow::{bail, Context, Result};

use crate::setup;
use crate::util::{self, command};

/// The port tried first.
const DEFAULT_PORT: u16 = 8080;

/// Installs what is missing, then serves `www/` with an optimised build
/// (release profile + wasm-opt) on 127.0.0.1. Trunk only uses the local
/// tools (`--offline`): a version mismatch is an error, never a download.
pub fn run(args: &[&str]) -> Result<()> {
    let port = match args {
        [] => free_port(DEFAULT_PORT)?,
        ["--port", port] => {
            let port: u16 = port.parse().with_context(|| format!("bad port {port:?}"))?;
            if !is_free(port) {
                bail!("port {port} on 127.0.0.1 is in use; pick another with --port");
            }
            port
        }
        _ => bail!("usage: cargo xtask demo [--port N]"),
    };
    setup::web_tools()?;
    let port_text = port.to_string();
    println!();
    println!("demo: building the release wasm (the first build takes a few minutes), then serving");
    println!("demo:   http://127.0.0.1:{port}/");
    println!("demo: e.g. http://127.0.0.1:{port}/?processor=canny — Ctrl-C stops.");
    println!();
    util::run(
        command(
            "trunk",
            &[
                "serve",
                "--release",
                "--offline",
                "--address",
                "127.0.0.1",
                "--port",
                &port_text,
            ],
        )
        .env("TRUNK_OFFLINE", "true"),
    )
}

fn is_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// `first` if it is free on 127.0.0.1, else the next free one.
fn free_port(first: u16) -> Result<u16> {
    (first..first.saturating_add(100))
        .find(|&p| is_free(p))
        .with_context(|| format!("no free port on 127.0.0.1 in {first}..{}", first + 100))
}
