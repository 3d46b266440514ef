//! What a server is configured with: limits, ICE servers, the address its
//! WebRTC sockets bind to. The binary fills it from the command line.

use std::net::IpAddr;
use std::time::Duration;

/// A STUN or TURN server the peer connections may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IceServer {
    /// `stun:host:port`, `turn:host:port?transport=udp`, …
    pub urls: Vec<String>,
    /// TURN user name (empty for STUN).
    pub username: String,
    /// TURN credential (empty for STUN).
    pub credential: String,
}

/// The server's settings; [`Default`] suits local development.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// Sessions at once; one more gets 503 with `Retry-After`.
    pub max_sessions: usize,
    /// A session that receives no video for this long ends.
    pub idle_timeout: Duration,
    /// How long the answer may wait for ICE candidates (a STUN server that
    /// does not answer must not stall it).
    pub ice_gather_timeout: Duration,
    /// The largest signaling request body, bytes.
    pub max_body_bytes: usize,
    /// The IP the sessions' UDP sockets bind to (its host candidate).
    pub udp_ip: IpAddr,
    /// STUN/TURN servers.
    pub ice_servers: Vec<IceServer>,
    /// The frame rate the encoder is set up for (its bitrate budget).
    pub fps: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_sessions: 8,
            idle_timeout: Duration::from_secs(30),
            ice_gather_timeout: Duration::from_secs(1),
            max_body_bytes: 64 * 1024,
            udp_ip: IpAddr::from([127, 0, 0, 1]),
            ice_servers: Vec::new(),
            fps: 30,
        }
    }
}
