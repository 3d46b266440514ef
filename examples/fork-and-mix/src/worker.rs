//! The example's processing worker: the three processors its page runs.

use framewise::processors::video::{canny, grayscale, invert};
use framewise::Registry;

fn main() {
    let mut registry = Registry::new();
    let built_in = "a built-in's name and kind are valid (the core's tests check every one)";
    registry
        .register_video(canny::info(), canny::Canny::default)
        .expect(built_in);
    registry
        .register_video(invert::info(), invert::Invert::default)
        .expect(built_in);
    registry
        .register_video(grayscale::info(), grayscale::Grayscale::default)
        .expect(built_in);
    framewise_yew::worker::run(registry);
}
