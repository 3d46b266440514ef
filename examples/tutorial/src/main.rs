//! The streamlit-webrtc tutorial's app ("Receive user inputs") in Framewise:
//! Canny edges on the camera, with two sliders that change the running
//! processor's thresholds. No server: the frames are processed in a worker,
//! in WebAssembly.

use framewise::processors::video::canny;
use framewise_yew::Streamer;
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    // Canny's schema, keeping only the two threshold sliders.
    let mut sliders = canny::info();
    sliders.params.retain(|p| p.name.starts_with("threshold"));
    html! {
        <>
            <h1>{ "My first Framewise app" }</h1>
            <p>{ "Hello, world" }</p>
            <Streamer processor="canny" schema={sliders} worker_url="./tutorial-worker_loader.js" />
        </>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
