//! One camera, three views: Canny and invert side by side on one capture
//! (a fork), and the camera beside a test pattern in a grid, in gray (a
//! mix). The camera is opened once for all three; each view runs in its
//! own worker and takes the newest frame, so none waits for another.

use framewise_yew::{Generator, Mix, SharedSource, Streamer, VideoSource};
use yew::prelude::*;

const WORKER: &str = "./fork-and-mix-worker_loader.js";

#[function_component]
fn App() -> Html {
    let camera = use_memo((), |()| SharedSource::new(VideoSource::Camera));
    let playing = use_state(|| None::<bool>);
    let on = *playing == Some(true);
    let toggle = Callback::from(move |_| playing.set(Some(!on)));
    let shared = VideoSource::Shared((*camera).clone());
    let pattern = VideoSource::Generated(Generator::test_pattern(320, 240, 30.0));
    let wall = VideoSource::Mix(Mix::grid(vec![shared.clone(), pattern]));
    html! {
        <>
            <h1>{ "One camera, three views" }</h1>
            <button class="start-all" onclick={toggle}>{ if on { "STOP ALL" } else { "START ALL" } }</button>
            <div style="display: flex; gap: 1rem">
                <Streamer id="edges" processor="canny" source={shared.clone()} playing={on} worker_url={WORKER} />
                <Streamer id="inverted" processor="invert" source={shared} playing={on} worker_url={WORKER} />
            </div>
            <Streamer id="wall" processor="grayscale" source={wall} playing={on} worker_url={WORKER} />
        </>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
