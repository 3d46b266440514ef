//! The processing worker: the built-ins and this example's `sepia`.

fn main() {
    framewise_yew::worker::run(framewise_example_custom::registry());
}
