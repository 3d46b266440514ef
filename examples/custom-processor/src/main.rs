//! A Framewise app with its own processor: `sepia` (see lib.rs) on the
//! camera, next to the raw camera, with a strength slider drawn from its
//! schema.

use framewise_example_custom::{info, NAME};
use framewise_yew::{use_params, ParamControls, Streamer};
use yew::prelude::*;

#[function_component]
fn App() -> Html {
    let params = use_params();
    // Its description only: the page carries no processing code.
    let schema = use_memo((), |()| info());
    html! {
        <>
            <h1>{ "A custom processor: sepia" }</h1>
            <Streamer processor={NAME} params={params.values.clone()} worker_url="./custom-worker_loader.js" show_input=true />
            <ParamControls info={(*schema).clone()} values={params.values} on_change={params.on_change} />
        </>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
