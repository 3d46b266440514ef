//! The Framewise demo app: every built-in processor with its controls,
//! run in WebAssembly on a generated image. `cargo xtask demo` builds it
//! with trunk and serves it.

mod app;
mod audio;
mod audio_picker;
mod catalog;
mod placement;
mod recordings;
mod state;
mod streams;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
