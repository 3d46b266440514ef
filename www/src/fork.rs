//! The fork page (`?page=fork`): one source read by several Streamers
//! side by side, each with its own processor and controls, the camera
//! opened once ([`SharedSource`]). Every branch runs in its own worker
//! and takes the newest frame, so a slow branch never holds up a fast
//! one; stopping one leaves the others running.
//!
//! `&branches=canny,invert` (1 to [`MAX_BRANCHES`] video processors;
//! default [`DEFAULT_BRANCHES`]), `&source=camera|screen|pattern|file`
//! ([`crate::streams`]), `&width=W&height=H`, `&input=0` (no raw view
//! beside the first branch) and `&autostart=1` as on the camera view. Publishes `data-fork-branches` (the processors, comma
//! separated), and per branch `i` (its Streamer's id is `fork-i`)
//! `data-fork-i-state` and `data-fork-i-stats`.

use framewise::{MediaKind, ProcessorInfo};
use framewise_yew::{SharedSource, StreamStats, Streamer, StreamerState, VideoSource};
use yew::prelude::*;

use crate::app::{camera_size_from_url, flag_from_url, publish, WORKER_URL};
use crate::catalog::Catalog;
use crate::pages::{page_links, query, Page};
use crate::streams::{source_from_url, source_switch};

/// Most branches the page shows.
pub(crate) const MAX_BRANCHES: usize = 4;
/// The branches unless the URL names others.
const DEFAULT_BRANCHES: [&str; 2] = ["canny", "invert"];

/// The page.
#[function_component]
pub fn ForkPage() -> Html {
    let catalog = use_memo((), |()| Catalog::builtins());
    let branches = use_state(|| branches_from_url(&catalog));
    let source_choice = use_state(source_from_url);
    let (width, height) = *use_memo((), |()| camera_size_from_url());
    let shared = use_memo(
        ((*source_choice).clone(), width, height),
        |(choice, w, h)| SharedSource::new(choice.source(*w, *h)),
    );
    let playing = use_state(|| (query("autostart").as_deref() == Some("1")).then_some(true));
    let show_input = flag_from_url("input") != Some(false);
    use_effect_with((*branches).clone(), |branches| {
        publish(&[("forkBranches", branches.join(","))]);
    });

    let videos: Vec<ProcessorInfo> = catalog
        .infos()
        .filter(|info| info.kind == MediaKind::Video && !info.hears_audio)
        .cloned()
        .collect();
    let on_source = {
        let (source_choice, playing) = (source_choice.clone(), playing.clone());
        Callback::from(move |choice| {
            playing.set(Some(false));
            source_choice.set(choice);
        })
    };
    let set_playing = |on: bool| {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(Some(on)))
    };
    let edit = |change: fn(&mut Vec<String>)| {
        let branches = branches.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*branches).clone();
            change(&mut next);
            branches.set(next);
        })
    };
    let add = edit(|b| {
        if b.len() < MAX_BRANCHES {
            b.push(b.last().cloned().unwrap_or_else(|| "invert".into()));
        }
    });
    let remove = edit(|b| {
        if b.len() > 1 {
            b.pop();
        }
    });
    let tiles = branches.iter().enumerate().map(|(index, name)| {
        let on_pick = {
            let branches = branches.clone();
            Callback::from(move |event: Event| {
                let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
                let mut next = (*branches).clone();
                next[index] = select.value();
                branches.set(next);
            })
        };
        let options = videos.iter().map(|info| {
            let selected = info.name == *name;
            html! { <option value={info.name.clone()} {selected}>{ info.name.clone() }</option> }
        });
        let on_state = Callback::from(move |state: StreamerState| {
            publish(&[(&format!("fork{index}State"), state.name().to_owned())]);
        });
        let on_stats = Callback::from(move |stats: StreamStats| {
            let json = serde_json::to_string(&stats).unwrap_or_default();
            publish(&[(&format!("fork{index}Stats"), json)]);
        });
        html! {
            <section class="card branch" key={index}>
                <label class="branch-processor">
                    { format!("Branch {} · ", index + 1) }
                    <select onchange={on_pick} aria-label={format!("Processor of branch {}", index + 1)}>
                        { for options }
                    </select>
                </label>
                <Streamer id={format!("fork-{index}")} processor={name.clone()}
                    schema={catalog.info(name).cloned()}
                    source={VideoSource::Shared((*shared).clone())}
                    playing={*playing} worker_url={WORKER_URL} width={width} height={height}
                    show_input={index == 0 && show_input} show_devices={index == 0} show_record=false
                    {on_state} {on_stats} />
            </section>
        }
    });
    html! {
        <div class="app">
            <header class="top">
                <div class="brand"><span class="logo" aria-hidden="true"></span>{ "Framewise" }</div>
                <p class="tagline">{ "One input, several processors side by side: the camera is opened once." }</p>
            </header>
            <main class="content page">
                <section class="card">
                    { page_links(Page::Fork) }
                    <div class="camera-options">
                        { source_switch(&source_choice, &on_source) }
                        <button class="start-all" onclick={set_playing(true)}>{ "START ALL" }</button>
                        <button class="ghost stop-all" onclick={set_playing(false)}>{ "STOP ALL" }</button>
                        <button class="ghost add-branch" onclick={add}
                            disabled={branches.len() >= MAX_BRANCHES}>{ "+ Branch" }</button>
                        <button class="ghost remove-branch" onclick={remove}
                            disabled={branches.len() <= 1}>{ "− Branch" }</button>
                    </div>
                </section>
                <div class="branches">{ for tiles }</div>
            </main>
        </div>
    }
}

/// `&branches=a,b` from the page URL: the known video processors named,
/// at most [`MAX_BRANCHES`]; [`DEFAULT_BRANCHES`] when none is.
fn branches_from_url(catalog: &Catalog) -> Vec<String> {
    let named = query("branches").unwrap_or_default();
    let known = |name: &&str| {
        catalog
            .info(name)
            .is_some_and(|info| info.kind == MediaKind::Video)
    };
    let branches: Vec<String> = named
        .split(',')
        .map(str::trim)
        .filter(known)
        .take(MAX_BRANCHES)
        .map(str::to_owned)
        .collect();
    match branches.is_empty() {
        true => DEFAULT_BRANCHES.map(str::to_owned).to_vec(),
        false => branches,
    }
}
