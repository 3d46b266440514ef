//! The tutorial's processing worker: the built-in processors (canny among them).

fn main() {
    framewise_yew::worker::run(framewise::Registry::with_builtins());
}
