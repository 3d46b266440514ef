//! What the audio worklet posts to the page (see `worklet/processor.js`):
//! `{opened: true}`, `{results: "<FromWorker::Results as JSON>", dropped}`
//! or `{error, fatal}`.

use serde_json::Value;
use wasm_bindgen::JsValue;

use crate::js;
use crate::protocol::FromWorker;

/// One message from the worklet.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkletMessage {
    /// The processor is open; audio flows.
    Opened,
    /// Results collected since the last post, and how many were dropped
    /// before it (more than the worklet keeps between two posts).
    Results(Vec<Value>, u32),
    /// Params were rejected, or the processor failed.
    Failed {
        /// The worklet's words.
        message: String,
        /// Whether processing stopped.
        fatal: bool,
    },
}

impl WorkletMessage {
    /// Reads a posted message; `None` for anything else.
    pub fn read(data: &JsValue) -> Option<Self> {
        if let Some(message) = js::get_string(data, "error") {
            let fatal = js::get(data, "fatal").is_ok_and(|v| v.is_truthy());
            return Some(Self::Failed { message, fatal });
        }
        if let Some(json) = js::get_string(data, "results") {
            let dropped = js::get_f64(data, "dropped").unwrap_or(0.0) as u32;
            return Some(Self::Results(results(&json), dropped));
        }
        js::get(data, "opened")
            .is_ok_and(|v| v.is_truthy())
            .then_some(Self::Opened)
    }
}

/// The results in a worklet post; anything else holds none.
pub fn results(json: &str) -> Vec<Value> {
    match FromWorker::parse(json) {
        Some(FromWorker::Results { results }) => results,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_post_gives_its_results_in_order() {
        let post = json!({"type": "results", "results": [{"rms": [0.5]}, {"rms": [0.25]}]});
        assert_eq!(
            results(&post.to_string()),
            vec![json!({"rms": [0.5]}), json!({"rms": [0.25]})]
        );
    }

    #[test]
    fn a_malformed_post_holds_no_results() {
        assert!(results("not json").is_empty());
        assert!(results("[1, 2]").is_empty());
        assert!(results(r#"{"type": "results", "results": 3}"#).is_empty());
        assert!(results(r#"{"type": "stopped"}"#).is_empty());
    }
}
