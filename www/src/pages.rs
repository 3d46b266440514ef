//! The demo's pages: the processors (the camera view and the still
//! image, [`crate::app`]), the fork ([`crate::fork`]) and the mix
//! ([`crate::mix`]), chosen by `?page=fork|mix`, with links between them
//! at the top of each.

use yew::prelude::*;

/// A page of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// Every processor on the camera (or a still image).
    Processors,
    /// One input, several processors.
    Fork,
    /// Several inputs in one grid.
    Mix,
}

impl Page {
    /// `?page=…` from the page URL: the processors unless another is named.
    pub(crate) fn from_url() -> Self {
        match query("page").as_deref() {
            Some("fork") => Page::Fork,
            Some("mix") => Page::Mix,
            _ => Page::Processors,
        }
    }

    fn link(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Page::Processors => ("./", "processors", "Processors"),
            Page::Fork => ("?page=fork", "fork", "Fork"),
            Page::Mix => ("?page=mix", "mix", "Mix"),
        }
    }
}

/// `name`'s value in the page URL, unless empty.
pub(crate) fn query(name: &str) -> Option<String> {
    let search = web_sys::window().and_then(|w| w.location().search().ok())?;
    let query = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    query.get(name).filter(|v| !v.is_empty())
}

/// Processors | Fork | Mix, `current` marked.
pub(crate) fn page_links(current: Page) -> Html {
    let link = |page: Page| {
        let (href, name, label) = page.link();
        let active = (page == current).then_some("active");
        html! { <a class={classes!("mode", active)} {href} data-page={name}>{ label }</a> }
    };
    html! {
        <nav class="modes pages" aria-label="Demo pages">
            { link(Page::Processors) }{ link(Page::Fork) }{ link(Page::Mix) }
        </nav>
    }
}

/// The page the URL names.
#[function_component]
pub(crate) fn Root() -> Html {
    match Page::from_url() {
        Page::Processors => html! { <crate::app::App /> },
        Page::Fork => html! { <crate::fork::ForkPage /> },
        Page::Mix => html! { <crate::mix::MixPage /> },
    }
}
