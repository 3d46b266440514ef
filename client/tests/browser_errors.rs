//! Every boundary to the browser keeps the browser's error name: a
//! throwing method, a throwing constructor, a rejected promise, a worker
//! that cannot start and a camera that cannot open (headless Chromium
//! through wasm-bindgen-test-runner, with its fake camera).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use framewise_yew::js::{self, JsError};
use framewise_yew::streamer::capture::{Capture, CaptureError, CaptureRequest};
use framewise_yew::streamer::worker_link::{WorkerError, WorkerLink};
use framewise_yew::streamer::DeviceKind;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_throwing_method_keeps_its_name() {
    let json = js::get(&js_sys::global(), "JSON").expect("JSON exists");
    let error =
        js::call(&json, "parse", &[JsValue::from_str("{")]).expect_err("malformed JSON throws");
    assert_eq!(error.name(), Some("SyntaxError"), "{error:?}");
    assert!(
        error.to_string().starts_with("parse: SyntaxError: "),
        "{error}"
    );
}

#[wasm_bindgen_test]
fn a_throwing_constructor_keeps_its_name() {
    // A VideoFrame needs a source.
    let error = js::construct("VideoFrame", &[]).expect_err("a VideoFrame needs a source");
    assert_eq!(error.name(), Some("TypeError"), "{error:?}");
    assert!(
        error.to_string().starts_with("new VideoFrame: TypeError"),
        "{error}"
    );
}

#[wasm_bindgen_test]
fn a_missing_global_says_which() {
    let error = js::construct("NoSuchConstructor", &[]).expect_err("no such global");
    assert_eq!(error, JsError::Missing("NoSuchConstructor".into()));
    assert_eq!(error.name(), None);
}

#[wasm_bindgen_test]
async fn a_rejected_promise_keeps_its_name() {
    let abort = js::construct(
        "DOMException",
        &[
            JsValue::from_str("stopped"),
            JsValue::from_str("AbortError"),
        ],
    )
    .expect("a DOMException");
    let error = js::wait("reading", js_sys::Promise::reject(&abort))
        .await
        .expect_err("the promise was rejected");
    assert_eq!(
        error,
        JsError::Threw {
            call: "reading".into(),
            name: Some("AbortError".into()),
            message: "stopped".into(),
        }
    );
    assert_eq!(error.detail(), "AbortError: stopped");
}

#[wasm_bindgen_test]
fn a_worker_that_cannot_start_keeps_its_name() {
    let error = match WorkerLink::spawn("http://[", Rc::new(|_| {})) {
        Ok(_) => panic!("a worker started on a malformed URL"),
        Err(error) => error,
    };
    let WorkerError::Spawn { url, source } = &error else {
        panic!("expected a spawn error, got {error:?}");
    };
    assert_eq!(url, "http://[");
    // Chromium rejects the URL before it fetches anything.
    assert_eq!(source.name(), Some("TypeError"), "{source:?}");
    assert!(
        error.to_string().contains("TypeError"),
        "the message names the browser's error: {error}"
    );
}

#[wasm_bindgen_test]
async fn a_camera_that_cannot_open_keeps_its_name() {
    let request = CaptureRequest {
        width: 320,
        height: 240,
        frame_rate: 30.0,
        facing_mode: None,
        video: true,
        audio: false,
        raw_audio: false,
    };
    // A switch asks for the device exactly; this one does not exist.
    let result = Capture::open_device(&request, DeviceKind::Camera, Some("no-such-camera")).await;
    let error = match result {
        Ok(_) => panic!("a camera that does not exist opened"),
        Err(error) => error,
    };
    let CaptureError::Refused(source) = &error else {
        panic!("expected getUserMedia to refuse, got {error:?}");
    };
    assert_eq!(source.name(), Some("OverconstrainedError"), "{source:?}");
    assert!(
        error.to_string().starts_with("getUserMedia failed: "),
        "{error}"
    );
}

#[wasm_bindgen_test]
async fn asking_for_neither_camera_nor_microphone_is_a_clear_error() {
    let request = CaptureRequest {
        width: 320,
        height: 240,
        frame_rate: 30.0,
        facing_mode: None,
        video: false,
        audio: false,
        raw_audio: false,
    };
    let error = match Capture::open(&request, None, None).await {
        Ok(_) => panic!("a capture of nothing opened"),
        Err(error) => error,
    };
    assert_eq!(error, CaptureError::NothingAsked);
    assert!(error.to_string().contains("`camera`, `audio`"), "{error}");
}
