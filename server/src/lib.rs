//! # framewise-server — the same processors, natively, behind WebRTC
//!
//! The remote placement of Framewise: a browser that cannot keep up
//! streams its camera to this server over WebRTC; the server runs the very
//! same processors from the [`framewise`] core natively (built by name from
//! a [`Registry`] with JSON params) and streams the result back.
//!
//! [`app`] is the whole HTTP side as an axum [`Router`] (testable without a
//! port); the `framewise-server` binary serves it with a command line. A
//! binary of your own should, like it, call
//! `framewise_vpx::limit_allocator_arenas` with the core count before its
//! runtime starts, or glibc spreads freed session memory over many arenas
//! and RSS climbs as sessions come and go.
//!
//! ```no_run
//! use framewise::Registry;
//! use framewise_server::{app, AppState, ServerConfig};
//!
//! # async fn serve() -> std::io::Result<()> {
//! let state = AppState::new(Registry::with_builtins(), ServerConfig::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8081").await?;
//! axum::serve(listener, app(state.clone())).await?;
//! # Ok(()) }
//! ```
//!
//! - [`api`]: the HTTP routes and their JSON errors;
//! - [`sessions`]: the bounded session table and the task tracker;
//! - [`session`]: one session's peer connection and tasks (webrtc-rs);
//! - [`media`]: the media path as plain synchronous code (VP8 RTP frames,
//!   the latest-frame slot, decode → process → encode);
//! - [`codecs`]: VP8 and Opus as both ends offer them, and outgoing
//!   tracks;
//! - [`keyframe_requests`]: lets the browser's PLI/FIR reach the session;
//! - [`peer`]: a Rust WebRTC peer standing in for a browser (tests,
//!   load benchmark);
//! - [`config`]: the settings.

pub mod api;
pub mod codecs;
pub mod config;
pub mod gathering;
pub mod keyframe_requests;
pub mod media;
pub mod peer;
pub mod session;
pub mod sessions;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use framewise::Registry;

pub use config::{IceServer, ServerConfig};
pub use sessions::Sessions;

/// Locks a std mutex whose data stays valid even if a holder panicked
/// (every mutex here guards plain data).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What every request handler shares: the processors, the settings, the
/// sessions.
pub struct AppState {
    /// The processors sessions may run (the built-ins and the app's own).
    pub registry: Registry,
    /// The settings.
    pub config: ServerConfig,
    /// The live sessions.
    pub sessions: Arc<Sessions>,
    /// A directory of static files served for every other path (the built
    /// demo app), if any.
    pub static_dir: Option<PathBuf>,
}

impl AppState {
    /// State for `registry` with `config`, serving no static files.
    pub fn new(registry: Registry, config: ServerConfig) -> Arc<Self> {
        let sessions = Sessions::new(config.max_sessions);
        Arc::new(Self {
            registry,
            config,
            sessions,
            static_dir: None,
        })
    }

    /// As [`AppState::new`], also serving the files in `dir`.
    pub fn with_static_dir(registry: Registry, config: ServerConfig, dir: PathBuf) -> Arc<Self> {
        let sessions = Sessions::new(config.max_sessions);
        Arc::new(Self {
            registry,
            config,
            sessions,
            static_dir: Some(dir),
        })
    }
}

/// The server's HTTP side: the API and, if configured, the static files.
pub fn app(state: Arc<AppState>) -> Router {
    let router = api::routes();
    let router = match &state.static_dir {
        Some(dir) => router.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => router,
    };
    router.with_state(state)
}
