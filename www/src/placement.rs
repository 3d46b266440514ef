//! Where the demo's Streamers process: the Local / Server / Auto switch
//! and `&placement=local|remote|auto` in the page URL.

use framewise_yew::Placement;
use yew::prelude::*;

/// Where the demo's Streamer processes frames (the server is this page's
/// origin: `cargo xtask demo` proxies `/api` to `framewise-server`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlacementChoice {
    Local,
    Remote,
    Auto,
}

impl PlacementChoice {
    const ALL: [(PlacementChoice, &'static str, &'static str); 3] = [
        (PlacementChoice::Local, "local", "Local"),
        (PlacementChoice::Remote, "remote", "Server"),
        (PlacementChoice::Auto, "auto", "Auto"),
    ];

    pub(crate) fn placement(self) -> Placement {
        match self {
            PlacementChoice::Local => Placement::Local,
            PlacementChoice::Remote => Placement::Remote { server: "".into() },
            PlacementChoice::Auto => Placement::Auto {
                server: Some("".into()),
            },
        }
    }
}

/// `&placement=local|remote|auto` from the page URL (local by default).
pub(crate) fn placement_from_url() -> PlacementChoice {
    let search = web_sys::window().and_then(|w| w.location().search().ok());
    let query = search.and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let asked = query.and_then(|q| q.get("placement"));
    PlacementChoice::ALL
        .iter()
        .find(|(_, name, _)| Some(*name) == asked.as_deref())
        .map_or(PlacementChoice::Local, |(choice, _, _)| *choice)
}

/// Local | Server | Auto (applies at the next START).
pub(crate) fn placement_switch(
    current: PlacementChoice,
    on_pick: &Callback<PlacementChoice>,
) -> Html {
    let button = |(choice, name, label): (PlacementChoice, &str, &str)| {
        let active = (current == choice).then_some("active");
        let onclick = on_pick.reform(move |_: MouseEvent| choice);
        html! {
            <button class={classes!("mode", active)} data-placement={name.to_owned()} {onclick}
                    title="Where frames are processed (applies at START)">{ label.to_owned() }</button>
        }
    };
    html! {
        <div class="modes placement" role="tablist" aria-label="Processing placement">
            { for PlacementChoice::ALL.into_iter().map(button) }
        </div>
    }
}
