//! `cargo xtask demo`: the demo app served by `trunk serve`, with
//! `framewise-server` next to it for remote processing.

use std::net::{Ipv4Addr, TcpListener};

use anyhow::{bail, Context, Result};

use crate::setup;
use crate::test::EXAMPLES;
use crate::util::{self, command};

/// The port tried first.
const DEFAULT_PORT: u16 = 8080;

/// Where the demo's `framewise-server` listens: `Trunk.toml` proxies
/// `/api` there.
const SERVER_ADDRESS: &str = "127.0.0.1:8081";

/// The server process, killed when the demo ends.
struct ServerProcess(std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds and starts `framewise-server` on [`SERVER_ADDRESS`] for the
/// demo's Server and Auto placements.
fn start_server() -> Result<ServerProcess> {
    if std::net::TcpListener::bind(SERVER_ADDRESS).is_err() {
        bail!(
            "{SERVER_ADDRESS} is in use: the demo runs framewise-server there (Trunk.toml \
             proxies /api to it); stop what uses it"
        );
    }
    println!("demo: building framewise-server (release; the first build takes several minutes)");
    let bin = util::build_server("release")?;
    let child = std::process::Command::new(&bin)
        .args(["--listen", SERVER_ADDRESS])
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    println!("demo: framewise-server on http://{SERVER_ADDRESS} (proxied at /api)");
    Ok(ServerProcess(child))
}

/// Installs what is missing, then serves `www/` (or with `--example NAME`
/// the app in `examples/NAME/`) with an optimised build (release profile +
/// wasm-opt) on 127.0.0.1. Trunk only uses the local tools (`--offline`):
/// a version mismatch is an error, never a download.
pub fn run(args: &[&str]) -> Result<()> {
    let mut port = None;
    let mut example = None;
    let mut rest = args;
    loop {
        match rest {
            [] => break,
            ["--port", value, tail @ ..] => {
                let value: u16 = value
                    .parse()
                    .with_context(|| format!("bad port {value:?}"))?;
                if !is_free(value) {
                    bail!("port {value} on 127.0.0.1 is in use; pick another with --port");
                }
                port = Some(value);
                rest = tail;
            }
            ["--example", name, tail @ ..] => {
                if !EXAMPLES.iter().any(|(known, _)| known == name) {
                    let known: Vec<&str> = EXAMPLES.iter().map(|(known, _)| *known).collect();
                    bail!("no example {name:?}; the examples are {}", known.join(", "));
                }
                example = Some(*name);
                rest = tail;
            }
            _ => bail!("usage: cargo xtask demo [--example NAME] [--port N]"),
        }
    }
    let port = match port {
        Some(port) => port,
        None => free_port(DEFAULT_PORT)?,
    };
    setup::web_tools()?;
    setup::native_libs()?;
    let port_text = port.to_string();
    let mut trunk_args = vec![
        "serve",
        "--release",
        "--offline",
        "--address",
        "127.0.0.1",
        "--port",
        &port_text,
    ];
    // An example is built next to, never over, the demo's www/dist.
    let (index, dist, watch);
    if let Some(name) = example {
        index = format!("examples/{name}/index.html");
        dist = format!("target/examples/{name}");
        watch = format!("examples/{name}");
        trunk_args.extend([index.as_str(), "--dist", &dist, "--watch", &watch]);
    }
    // The demo's Server / Auto placements talk to it; examples run local.
    let _server = match example {
        None => Some(start_server()?),
        Some(_) => None,
    };
    println!();
    println!("demo: building the release wasm (the first build takes a few minutes), then serving");
    println!("demo:   http://127.0.0.1:{port}/");
    if example.is_none() {
        println!("demo: e.g. http://127.0.0.1:{port}/?processor=canny — Ctrl-C stops.");
    } else {
        println!("demo: Ctrl-C stops.");
    }
    println!();
    util::run(command("trunk", &trunk_args).env("TRUNK_OFFLINE", "true"))
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
