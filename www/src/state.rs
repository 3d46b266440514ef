//! The page's state as a [`Reducible`]: which processor is chosen, its
//! param values, the input image's seed and the last run's report. Pure,
//! so it is tested natively.

use std::rc::Rc;

use serde_json::Value;
use yew::Reducible;

/// The demo page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    /// The chosen processor's name (maybe unknown, if it came from the URL).
    pub selected: String,
    /// The param values the user set, `{"name": value}`; the rest are
    /// defaults.
    pub params: Value,
    /// Seed of the generated input image.
    pub seed: u64,
    /// What the last run did, if one finished.
    pub report: Option<Report>,
}

/// The outcome of running the chosen processor on the input image.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The processor that ran.
    pub processor: String,
    /// Milliseconds per frame (mean over `runs`), processing only.
    pub ms: f64,
    /// How many frames were timed.
    pub runs: u32,
    /// The results the last frame emitted.
    pub results: Vec<Value>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// What can happen on the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Choose a processor; its params start at their defaults.
    Select(String),
    /// The user changed some params (`{"name": value}`).
    Change(Value),
    /// A new input image.
    Reseed,
    /// A run finished.
    Finished(Report),
}

impl Demo {
    /// The initial state.
    pub fn new(selected: String, seed: u64) -> Self {
        Self {
            selected,
            params: Value::Object(Default::default()),
            seed,
            report: None,
        }
    }
}

impl Reducible for Demo {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Select(name) => {
                if name == self.selected {
                    return self;
                }
                next = Demo::new(name, self.seed);
            }
            Action::Change(change) => framewise_yew::controls::merge(&mut next.params, &change),
            Action::Reseed => next.seed = self.seed.wrapping_add(1),
            Action::Finished(report) => next.report = Some(report),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reduce(state: Demo, action: Action) -> Demo {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn changes_accumulate_and_a_new_processor_starts_from_defaults() {
        let state = Demo::new("blur".into(), 1);
        let state = reduce(state, Action::Change(json!({"sigma": 2.0})));
        let state = reduce(state, Action::Change(json!({"sigma": 3.0, "x": 1})));
        assert_eq!(state.params, json!({"sigma": 3.0, "x": 1}));
        let same = reduce(state.clone(), Action::Select("blur".into()));
        assert_eq!(same.params, state.params);
        let other = reduce(state, Action::Select("canny".into()));
        assert_eq!(other.selected, "canny");
        assert_eq!(other.params, json!({}));
        assert_eq!(other.seed, 1);
    }

    #[test]
    fn reseed_keeps_the_processor_and_params() {
        let state = reduce(
            Demo::new("invert".into(), 1),
            Action::Change(json!({"a": 1})),
        );
        let state = reduce(state, Action::Reseed);
        assert_eq!((state.seed, state.params), (2, json!({"a": 1})));
    }
}
