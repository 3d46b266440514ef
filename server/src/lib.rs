//! The Framewise server.
