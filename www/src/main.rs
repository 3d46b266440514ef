//! The Framewise demo app: every built-in processor with its controls,
//! on the camera or a generated image, and the fork and mix pages
//! ([`pages`]), all in WebAssembly. `cargo xtask demo` builds it with
//! trunk and serves it.

mod app;
mod audio;
mod audio_picker;
mod catalog;
mod fork;
mod mix;
mod pages;
mod placement;
mod recordings;
mod state;
mod streams;

fn main() {
    yew::Renderer::<pages::Root>::new().render();
}
