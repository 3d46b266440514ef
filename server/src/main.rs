//! `framewise-server`: serves the Framewise API (WebRTC sessions running
//! the built-in processors) and, optionally, the built demo app.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use framewise::Registry;
use framewise_server::{app, AppState, IceServer, ServerConfig};
use tracing_subscriber::EnvFilter;

/// Runs Framewise processors natively for browsers that stream their
/// camera over WebRTC (remote placement).
#[derive(Debug, Parser)]
#[command(name = "framewise-server", version)]
struct Cli {
    /// Address and port to listen on for HTTP (signaling, API, files).
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// IP the WebRTC (UDP) sockets bind to: the host candidate browsers
    /// connect to. Defaults to the listen address's IP.
    #[arg(long)]
    udp_ip: Option<IpAddr>,
    /// Serve the files in this directory (e.g. the built demo) for every
    /// path the API does not use.
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// A STUN or TURN server URL for ICE (repeatable), e.g.
    /// `stun:stun.example.org:3478`.
    #[arg(long = "ice-server")]
    ice_servers: Vec<String>,
    /// User name for the TURN servers.
    #[arg(long, default_value = "")]
    ice_username: String,
    /// Credential for the TURN servers.
    #[arg(long, default_value = "")]
    ice_credential: String,
    /// Sessions at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 8)]
    max_sessions: usize,
    /// End a session that sent no video for this many seconds.
    #[arg(long, default_value_t = 30)]
    idle_timeout_secs: u64,
    /// Longest wait for ICE candidates before answering, ms.
    #[arg(long, default_value_t = 1000)]
    ice_gather_timeout_ms: u64,
    /// Largest signaling request body, bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Log filter (`error`, `warn`, `info`, `debug`, or per module as
    /// `framewise_server=debug`); `RUST_LOG` overrides it. The default
    /// keeps the WebRTC stack's per-session chatter out.
    #[arg(long, default_value = "info,rtc=warn,rtc_ice=error,rtc_dtls=error")]
    log: String,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // One allocator arena per core, set before any thread starts: sessions
    // on the worker threads then reuse each other's freed memory, and RSS
    // stays flat as they come and go.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    framewise_vpx::limit_allocator_arenas(cores);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(serve(cli))
}

/// Logs, builds the app from `cli` and serves it until SIGINT or SIGTERM.
async fn serve(cli: Cli) -> anyhow::Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&cli.log));
    // Colours only on a terminal: logs to files and journald stay plain.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .init();
    if let Some(dir) = &cli.static_dir {
        anyhow::ensure!(
            dir.is_dir(),
            "--static-dir {} is not a directory",
            dir.display()
        );
    }
    let ice_servers = if cli.ice_servers.is_empty() {
        Vec::new()
    } else {
        vec![IceServer {
            urls: cli.ice_servers.clone(),
            username: cli.ice_username.clone(),
            credential: cli.ice_credential.clone(),
        }]
    };
    let config = ServerConfig {
        max_sessions: cli.max_sessions,
        idle_timeout: Duration::from_secs(cli.idle_timeout_secs.max(1)),
        ice_gather_timeout: Duration::from_millis(cli.ice_gather_timeout_ms),
        max_body_bytes: cli.max_body_bytes,
        udp_ip: cli.udp_ip.unwrap_or(cli.listen.ip()),
        ice_servers,
        ..ServerConfig::default()
    };
    let registry = Registry::with_builtins();
    let state = match cli.static_dir {
        Some(dir) => AppState::with_static_dir(registry, config, dir),
        None => AppState::new(registry, config),
    };
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("listening on {}", cli.listen))?;
    tracing::info!("framewise-server on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state.clone()))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("shutting down: ending every session");
    state.sessions.shutdown().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
