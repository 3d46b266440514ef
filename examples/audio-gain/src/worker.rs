//! The worker: this example's registry. The page's audio worklet runs the
//! same wasm, with the same registry.

fn main() {
    framewise_yew::worker::run(framewise_example_audio_gain::registry());
}
