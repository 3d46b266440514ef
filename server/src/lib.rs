//! # framewise-server — the same processors, natively, behind WebRTC
//!
//! The remote placement of Framewise: a browser that cannot keep up
//! streams its camera and microphone to this server over WebRTC; the
//! server runs the very same processors from the [`framewise`] core
//! natively (built by name from a [`framewise::Registry`] with JSON params)
//! and streams the result back.
//!
//! Nothing is implemented here yet: signaling, sessions and the media
//! pipeline come with the remote-placement work. This crate exists so the
//! workspace has its final shape and `server -> shared` stays the only
//! dependency.
