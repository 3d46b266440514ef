//! The seed's audio gain example: the microphone through this app's own
//! `volume` processor (lib.rs), with a gain slider drawn from its schema.
//! The output `<video>`'s controls unmute it (use headphones).

use framewise_example_audio_gain::{info, NAME};
use framewise_yew::{Streamer, VideoAttributes};
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let video = VideoAttributes {
        controls: true,
        ..VideoAttributes::default()
    };
    html! {
        <>
            <h1>{ "Audio gain" }</h1>
            <Streamer processor="passthrough" audio=true audio_processor={NAME} audio_schema={info()}
                      worker_url="./audio-gain-worker_loader.js" {video} />
        </>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
