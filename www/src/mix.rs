//! The mix page (`?page=mix`): several inputs in one grid ([`Mix`]),
//! processed by one processor. The inputs are the camera (opened once
//! however many tiles show it), the moving test pattern, solid colours
//! and video files the visitor picks.
//!
//! `&inputs=camera,pattern,ff0000` (1 to [`MAX_INPUTS`]; a colour as six
//! hex digits; default [`DEFAULT_INPUTS`]), `&processor=NAME` (default
//! `passthrough`), `&width=W&height=H` (the grid's size, default
//! 640×480), `&input=0` (no raw view of the grid) and `&autostart=1`. Publishes `data-mix-inputs` and, as the
//! camera view does, `data-camera-state`, `data-camera-error` and
//! `data-camera-stats`.

use framewise::{MediaKind, VideoFrame};
use framewise_yew::{FileSource, Generator, Mix, SharedSource, Streamer, VideoSource};
use yew::prelude::*;

use crate::app::{
    camera_size_from_url, flag_from_url, publish, publish_camera_state, publish_camera_stats,
    WORKER_URL,
};
use crate::catalog::Catalog;
use crate::pages::{page_links, query, Page};

/// Most inputs the page mixes.
const MAX_INPUTS: usize = 9;
/// The inputs unless the URL names others.
const DEFAULT_INPUTS: &str = "camera,pattern";
/// The test pattern's size and rate in a mix.
const PATTERN: (u32, u32, f64) = (320, 240, 30.0);
/// A solid colour's size and rate.
const COLOUR: (u32, u32, f64) = (160, 120, 10.0);
/// The colours "+ Colour" goes through.
const PALETTE: [u32; 4] = [0xff3b30, 0x34c759, 0x007aff, 0xffcc00];

/// One input of the page's mix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    Camera,
    Pattern,
    /// `0xRRGGBB`.
    Colour(u32),
    /// An object URL of a file picked.
    File(String),
}

impl Input {
    /// `camera`, `pattern` or six hex digits.
    fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "camera" => Some(Input::Camera),
            "pattern" => Some(Input::Pattern),
            hex if hex.len() == 6 => u32::from_str_radix(hex, 16).ok().map(Input::Colour),
            _ => None,
        }
    }

    fn name(&self) -> String {
        match self {
            Input::Camera => "camera".into(),
            Input::Pattern => "pattern".into(),
            Input::Colour(rgb) => format!("{rgb:06x}"),
            Input::File(_) => "file".into(),
        }
    }

    /// The source; every camera tile reads `camera`.
    fn source(&self, camera: &SharedSource) -> VideoSource {
        match self {
            Input::Camera => VideoSource::Shared(camera.clone()),
            Input::Pattern => {
                let (w, h, fps) = PATTERN;
                VideoSource::Generated(Generator::test_pattern(w, h, fps))
            }
            Input::Colour(rgb) => {
                let (w, h, fps) = COLOUR;
                let [_, r, g, b] = rgb.to_be_bytes();
                VideoSource::Generated(Generator::new(fps, move |index| {
                    let rgba = [r, g, b, 255].repeat((w * h) as usize);
                    let micros = (index as f64 * 1e6 / fps) as i64;
                    VideoFrame::from_rgba(w, h, rgba, micros).expect("a frame of its own size")
                }))
            }
            Input::File(url) => VideoSource::File(FileSource::new(url.clone())),
        }
    }
}

/// A change to the list of inputs.
type Edit = dyn Fn(&mut Vec<Input>);

/// The page.
#[function_component]
pub fn MixPage() -> Html {
    let catalog = use_memo((), |()| Catalog::builtins());
    let inputs = use_state(inputs_from_url);
    let processor = use_state(|| {
        query("processor")
            .filter(|name| {
                catalog
                    .info(name)
                    .is_some_and(|i| i.kind == MediaKind::Video)
            })
            .unwrap_or_else(|| "passthrough".into())
    });
    let (width, height) = *use_memo((), |()| camera_size_from_url());
    let camera = use_memo((), |()| SharedSource::new(VideoSource::Camera));
    let mix = use_memo((*inputs).clone(), |inputs| Mix {
        width,
        height,
        ..Mix::grid(inputs.iter().map(|input| input.source(&camera)).collect())
    });
    let playing = (query("autostart").as_deref() == Some("1")).then_some(true);
    use_effect_with((*inputs).clone(), |inputs| {
        let names: Vec<String> = inputs.iter().map(Input::name).collect();
        publish(&[("mixInputs", names.join(","))]);
    });

    let edit = |change: Box<Edit>| {
        let inputs = inputs.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*inputs).clone();
            change(&mut next);
            next.truncate(MAX_INPUTS);
            inputs.set(next);
        })
    };
    let colours = inputs
        .iter()
        .filter(|i| matches!(i, Input::Colour(_)))
        .count();
    let colour = Input::Colour(PALETTE[colours % PALETTE.len()]);
    let add_camera = edit(Box::new(|i| i.push(Input::Camera)));
    let add_pattern = edit(Box::new(|i| i.push(Input::Pattern)));
    let add_colour = edit(Box::new(move |i| i.push(colour.clone())));
    let remove = edit(Box::new(|i| {
        if i.len() > 1 {
            i.pop();
        }
    }));
    let on_file = {
        let inputs = inputs.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let file = input.files().and_then(|files| files.get(0));
            let url = file.and_then(|f| web_sys::Url::create_object_url_with_blob(&f).ok());
            if let (Some(url), true) = (url, inputs.len() < MAX_INPUTS) {
                let mut next = (*inputs).clone();
                next.push(Input::File(url));
                inputs.set(next);
            }
        })
    };
    let on_pick = {
        let processor = processor.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            processor.set(select.value());
        })
    };
    let options = catalog
        .infos()
        .filter(|info| info.kind == MediaKind::Video && !info.hears_audio)
        .map(|info| {
            let selected = info.name == *processor;
            html! { <option value={info.name.clone()} {selected}>{ info.name.clone() }</option> }
        });
    let on_state = Callback::from(publish_camera_state);
    let on_stats = Callback::from(publish_camera_stats);
    let full = inputs.len() >= MAX_INPUTS;
    let listed: Vec<String> = inputs.iter().map(Input::name).collect();
    html! {
        <div class="app">
            <header class="top">
                <div class="brand"><span class="logo" aria-hidden="true"></span>{ "Framewise" }</div>
                <p class="tagline">{ "Several inputs in one grid, processed as one video." }</p>
            </header>
            <main class="content page">
                <section class="card">
                    { page_links(Page::Mix) }
                    <div class="camera-options">
                        <button class="ghost add-camera" onclick={add_camera} disabled={full}>{ "+ Camera" }</button>
                        <button class="ghost add-pattern" onclick={add_pattern} disabled={full}>{ "+ Test pattern" }</button>
                        <button class="ghost add-colour" onclick={add_colour} disabled={full}>{ "+ Colour" }</button>
                        <label class="ghost add-file" title="Play a video file in a tile">
                            { "+ File…" }
                            <input type="file" accept="video/*" hidden=true onchange={on_file} disabled={full} />
                        </label>
                        <button class="ghost remove-input" onclick={remove}
                            disabled={inputs.len() <= 1}>{ "− Input" }</button>
                        <label class="branch-processor">
                            { "Processor · " }
                            <select onchange={on_pick} aria-label="Processor of the mix">{ for options }</select>
                        </label>
                    </div>
                    <p class="hint">{ format!("Inputs: {} (changes apply at the next START)", listed.join(", ")) }</p>
                    <Streamer id="mix" processor={(*processor).clone()}
                        schema={catalog.info(&processor).cloned()}
                        source={VideoSource::Mix((*mix).clone())} {playing}
                        worker_url={WORKER_URL} show_input={flag_from_url("input") != Some(false)} show_devices=false
                        {on_state} {on_stats} />
                </section>
            </main>
        </div>
    }
}

/// `&inputs=…` from the page URL: the ones that parse, at most
/// [`MAX_INPUTS`]; [`DEFAULT_INPUTS`] when none does.
fn inputs_from_url() -> Vec<Input> {
    let parse = |text: &str| -> Vec<Input> {
        text.split(',')
            .filter_map(Input::parse)
            .take(MAX_INPUTS)
            .collect()
    };
    let named = parse(&query("inputs").unwrap_or_default());
    match named.is_empty() {
        true => parse(DEFAULT_INPUTS),
        false => named,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_parse_from_names_and_colours() {
        assert_eq!(Input::parse("camera"), Some(Input::Camera));
        assert_eq!(Input::parse(" pattern"), Some(Input::Pattern));
        assert_eq!(Input::parse("ff8000"), Some(Input::Colour(0xff8000)));
        assert_eq!(Input::parse("fff"), None);
        assert_eq!(Input::parse("zzzzzz"), None);
        assert_eq!(Input::Colour(0x00ff00).name(), "00ff00");
    }
}
