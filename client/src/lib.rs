//! Yew components for Framewise.
