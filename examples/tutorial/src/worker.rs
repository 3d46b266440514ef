//! The tutorial's processing worker. It registers only the processor the
//! page runs, so the other built-ins stay out of its wasm; an app that
//! offers them all runs `Registry::with_builtins()` instead.

use framewise::processors::video::canny;
use framewise::Registry;

fn main() {
    let mut registry = Registry::new();
    registry
        .register_video(canny::info(), canny::Canny::default)
        .expect("canny's name and kind are valid (the core's tests check every built-in)");
    framewise_yew::worker::run(registry);
}
