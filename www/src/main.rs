//! The Framewise demo app.
fn main() {}
