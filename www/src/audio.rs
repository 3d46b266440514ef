//! The demo's live audio view: the camera and microphone in a
//! [`Streamer`] whose audio processor is the chosen one (the video passes
//! through; the Camera box off, `&camera=0`, makes it audio only), its
//! params driven by the page's controls, its latest result shown, the
//! live waveform and spectrum of the microphone and the output, a box to
//! hear the output (`monitor`), and the placement switch (on the server
//! the microphone goes there as Opus and comes back processed).
//!
//! For the end-to-end tests the page publishes the latest result as
//! `data-audio-result` (JSON) and how many arrived as
//! `data-audio-results`.

use framewise::ProcessorInfo;
use framewise_yew::{StreamStats, Streamer, StreamerState};
use serde_json::Value;
use yew::prelude::*;

use crate::app::{flag_from_url, publish, results_card, WORKER_URL};
use crate::placement::{placement_switch, PlacementChoice};

/// Props of [`AudioLive`].
#[derive(Properties, PartialEq, Clone)]
pub struct AudioLiveProps {
    /// The chosen audio processor.
    pub info: ProcessorInfo,
    /// Its params, from the page's controls.
    pub params: Value,
    /// Start or stop without a click (`&autostart=1`).
    pub playing: Option<bool>,
    /// Where it runs (applies at START).
    pub placement: PlacementChoice,
    /// The placement switch was used.
    pub on_placement: Callback<PlacementChoice>,
    /// The Streamer's state changes.
    pub on_state: Callback<StreamerState>,
    /// The Streamer's stats.
    pub on_stats: Callback<StreamStats>,
}

/// The live audio view.
#[function_component]
pub fn AudioLive(props: &AudioLiveProps) -> Html {
    let monitor = use_state(|| false);
    let camera = use_state(|| flag_from_url("camera") != Some(false));
    let last_result = use_state(|| None::<Value>);
    // (results so far, when the card was last drawn)
    let seen = use_mut_ref(|| (0u64, f64::NEG_INFINITY));
    let on_result = {
        let last_result = last_result.clone();
        Callback::from(move |result: Value| {
            let mut seen = seen.borrow_mut();
            seen.0 += 1;
            publish(&[
                ("audioResult", result.to_string()),
                ("audioResults", seen.0.to_string()),
            ]);
            // A meter emits a result per render quantum (hundreds a
            // second): the card is redrawn at most ten times a second.
            let now = crate::app::now();
            if now - seen.1 >= 100.0 {
                seen.1 = now;
                last_result.set(Some(result));
            }
        })
    };
    let on_monitor = {
        let monitor = monitor.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            monitor.set(input.checked());
        })
    };
    let on_camera = {
        let camera = camera.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            camera.set(input.checked());
        })
    };
    html! {
        <>
            <section class="card">
                <div class="camera-options">
                    { placement_switch(props.placement, &props.on_placement) }
                    <label class="audio-toggle">
                        <input type="checkbox" checked={*monitor} onchange={on_monitor} />
                        { " Hear the processed microphone (use headphones: speakers would echo)" }
                    </label>
                    <label class="audio-toggle">
                        <input type="checkbox" checked={*camera} onchange={on_camera} />
                        { " Camera (off: audio only, at the next START)" }
                    </label>
                </div>
                <Streamer camera={*camera} audio=true monitor={*monitor}
                    placement={props.placement.placement()}
                    audio_processor={props.info.name.clone()} audio_params={props.params.clone()}
                    worker_url={WORKER_URL} playing={props.playing} show_input=false
                    show_audio_plots=true
                    on_state={props.on_state.clone()} on_stats={props.on_stats.clone()}
                    {on_result} />
            </section>
            { results_card((*last_result).iter().cloned().collect()) }
        </>
    }
}
