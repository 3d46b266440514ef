//! Small helpers for apps that embed a [`Streamer`](crate::Streamer).
//!
//! [`use_params`] holds the params of a running processor: give its
//! `values` to both the `Streamer` and the
//! [`ParamControls`](crate::ParamControls), and its `on_change` to the
//! controls; a moved slider then changes the running processor.
//!
//! ```no_run
//! use framewise::Registry;
//! use framewise_yew::{use_params, ParamControls, Streamer};
//! use yew::prelude::*;
//!
//! #[function_component]
//! fn App() -> Html {
//!     let params = use_params();
//!     let info = Registry::with_builtins().info("canny").cloned();
//!     html! {
//!         <>
//!             <Streamer processor="canny" params={params.values.clone()}
//!                       worker_url="./worker_loader.js" />
//!             if let Some(info) = info {
//!                 <ParamControls {info} values={params.values.clone()}
//!                                on_change={params.on_change.clone()} />
//!             }
//!         </>
//!     }
//! }
//! ```

use std::rc::Rc;

use serde_json::{Map, Value};
use yew::prelude::*;

use crate::controls::merge;

/// What [`use_params`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct UseParams {
    /// The params so far, `{"name": value}`; missing ones take their
    /// defaults (it starts empty).
    pub values: Value,
    /// Merges a change `{"name": value}` into `values` (what
    /// [`ParamControls`](crate::ParamControls) reports).
    pub on_change: Callback<Value>,
}

/// The params as a reducer, so changes that arrive before the next render
/// all count.
#[derive(Debug, PartialEq)]
struct Merged(Value);

impl Reducible for Merged {
    type Action = Value;

    fn reduce(self: Rc<Self>, change: Value) -> Rc<Self> {
        let mut next = self.0.clone();
        merge(&mut next, &change);
        Rc::new(Self(next))
    }
}

/// A processor's live params, starting from its defaults (`{}`); see the
/// [module docs](self).
#[hook]
pub fn use_params() -> UseParams {
    let merged = use_reducer(|| Merged(Value::Object(Map::new())));
    let dispatcher = merged.dispatcher();
    UseParams {
        values: merged.0.clone(),
        on_change: Callback::from(move |change: Value| dispatcher.dispatch(change)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_accumulate() {
        let merged = Rc::new(Merged(json!({})));
        let merged = merged.reduce(json!({"threshold1": 50.0}));
        let merged = merged.reduce(json!({"threshold2": 80.0}));
        let merged = merged.reduce(json!({"threshold1": 60.0}));
        assert_eq!(merged.0, json!({"threshold1": 60.0, "threshold2": 80.0}));
    }
}
