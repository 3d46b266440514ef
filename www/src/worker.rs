//! The demo's processing worker: the built-in processors, run by
//! `framewise_yew::worker` on the camera frames the page hands over.
//! trunk builds it (`data-type="worker"` in index.html) as
//! `framewise-worker.js` + `framewise-worker_bg.wasm`, started through
//! `framewise-worker_loader.js`.

fn main() {
    framewise_yew::worker::run(framewise::Registry::with_builtins());
}
