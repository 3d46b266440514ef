//! The streamlit-webrtc tutorial's app ("Receive user inputs") in Framewise:
//! Canny edges on the camera, with two sliders that change the running
//! processor's thresholds. No server: the frames are processed in a worker,
//! in WebAssembly.

use framewise::processors::video::canny;
use framewise_yew::{use_params, ParamControls, Streamer};
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let params = use_params();
    let mut sliders = canny::info();
    sliders.params.retain(|p| p.name.starts_with("threshold"));
    html! {
        <>
            <h1>{ "My first Framewise app" }</h1>
            <p>{ "Hello, world" }</p>
            <Streamer processor="canny" params={params.values.clone()} worker_url="./tutorial-worker_loader.js" />
            <ParamControls info={sliders} values={params.values} on_change={params.on_change} />
        </>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
