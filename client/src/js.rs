//! The boundary to the browser: properties, methods and constructors
//! looked up by name with `js_sys::Reflect` (for the APIs web-sys only
//! binds behind `web_sys_unstable_apis`: MediaStreamTrackProcessor and
//! Generator, WebCodecs `VideoFrame`), and every JS exception turned into
//! a [`JsError`] here, once, keeping the browser's error name.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What went wrong in a call to the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsError {
    /// A call threw or its promise rejected.
    #[error("{call}: {}", detail(.name.as_deref(), .message))]
    Threw {
        /// What was called (`getUserMedia`, `new VideoFrame`, `reading x`).
        call: String,
        /// The exception's `name` (`NotAllowedError`, `TypeError`, …).
        name: Option<String>,
        /// The exception's `message`, or its text.
        message: String,
    },
    /// A global this code needs does not exist here.
    #[error(
        "this browser has no {0} here (Framewise's camera pipeline needs Chromium 94 or newer)"
    )]
    Missing(String),
    /// A value is not what the API promises.
    #[error("{what} is not {expected}")]
    Unexpected {
        /// The value (`allocationSize`, `createOffer's result`).
        what: String,
        /// What it should be (`a number`, `a promise`).
        expected: &'static str,
    },
}

impl JsError {
    /// The exception `error` thrown by `call`, with its name and message.
    pub fn threw(call: impl Into<String>, error: &JsValue) -> Self {
        let (name, message) = parts(error);
        JsError::Threw {
            call: call.into(),
            name,
            message,
        }
    }

    /// `what` is not `expected`.
    pub fn unexpected(what: impl Into<String>, expected: &'static str) -> Self {
        JsError::Unexpected {
            what: what.into(),
            expected,
        }
    }

    /// The browser's error name (`NotAllowedError`, …), if it threw one.
    pub fn name(&self) -> Option<&str> {
        match self {
            JsError::Threw { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    /// The browser's own words: `Name: message` for an exception (without
    /// what was called), else the whole error.
    pub fn detail(&self) -> String {
        match self {
            JsError::Threw { name, message, .. } => detail(name.as_deref(), message),
            other => other.to_string(),
        }
    }
}

/// `Name: message`, or whichever of the two there is.
fn detail(name: Option<&str>, message: &str) -> String {
    match (name.filter(|n| !n.is_empty()), message.is_empty()) {
        (Some(name), false) => format!("{name}: {message}"),
        (Some(name), true) => name.to_owned(),
        (None, _) => message.to_owned(),
    }
}

/// An exception's `name` and `message` (a thrown string is the message).
fn parts(error: &JsValue) -> (Option<String>, String) {
    if let Some(text) = error.as_string() {
        return (None, text);
    }
    let field = |name: &str| {
        Reflect::get(error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    match (field("name"), field("message")) {
        (None, None) => (None, format!("{error:?}")),
        (name, message) => (name, message.unwrap_or_default()),
    }
}

/// A JS exception or a missing API, as text for a person.
pub fn describe(error: &JsValue) -> String {
    let (name, message) = parts(error);
    detail(name.as_deref(), &message)
}

/// `document.createElement(tag)` as the element type `T`.
pub fn create_element<T: JsCast>(tag: &str) -> Result<T, JsError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::Missing("document".into()))?
        .create_element(tag)
        .map_err(|e| JsError::threw(format!("creating a {tag}"), &e))?
        .dyn_into()
        .map_err(|_| JsError::unexpected(format!("the {tag} element"), "its element type"))
}

/// `target[name]`.
pub fn get(target: &JsValue, name: &str) -> Result<JsValue, JsError> {
    Reflect::get(target, &JsValue::from_str(name))
        .map_err(|e| JsError::threw(format!("reading {name}"), &e))
}

/// `target[name]` as a number.
pub fn get_f64(target: &JsValue, name: &str) -> Result<f64, JsError> {
    get(target, name)?
        .as_f64()
        .ok_or_else(|| JsError::unexpected(name, "a number"))
}

/// `target[name]` as a string, if it is one.
pub fn get_string(target: &JsValue, name: &str) -> Option<String> {
    get(target, name).ok().and_then(|v| v.as_string())
}

/// `target[name] = value`.
pub fn set(target: &JsValue, name: &str, value: &JsValue) -> Result<(), JsError> {
    Reflect::set(target, &JsValue::from_str(name), value)
        .map(|_| ())
        .map_err(|e| JsError::threw(format!("setting {name}"), &e))
}

/// A plain object from `(name, value)` pairs.
pub fn object(fields: &[(&str, JsValue)]) -> Result<Object, JsError> {
    let object = Object::new();
    for (name, value) in fields {
        set(&object, name, value)?;
    }
    Ok(object)
}

/// `target.name(...args)`.
pub fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsError> {
    let method = get(target, name)?
        .dyn_into::<Function>()
        .map_err(|_| JsError::unexpected(name, "a function here"))?;
    method
        .apply(target, &args.iter().collect::<Array>())
        .map_err(|e| JsError::threw(name, &e))
}

/// Awaits `promise`; a rejection is `call`'s error.
pub async fn wait(call: &str, promise: js_sys::Promise) -> Result<JsValue, JsError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| JsError::threw(call, &e))
}

/// `await target.name(...args)`.
pub async fn call_async(
    target: &JsValue,
    name: &str,
    args: &[JsValue],
) -> Result<JsValue, JsError> {
    let promise = call(target, name, args)?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| JsError::unexpected(format!("{name}'s result"), "a promise"))?;
    wait(name, promise).await
}

/// The global constructor `name` (on the window or the worker's global).
pub fn constructor(name: &str) -> Result<Function, JsError> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or_default();
    value
        .dyn_into::<Function>()
        .map_err(|_| JsError::Missing(name.to_owned()))
}

/// Whether the global `name` exists.
pub fn has_global(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .map(|v| !v.is_undefined())
        .unwrap_or(false)
}

/// `new name(...args)` with the global constructor `name`.
pub fn construct(name: &str, args: &[JsValue]) -> Result<JsValue, JsError> {
    let class = constructor(name)?;
    Reflect::construct(&class, &args.iter().collect::<Array>())
        .map_err(|e| JsError::threw(format!("new {name}"), &e))
}

/// Closes a `VideoFrame` (or stops a track: anything with `close`); a
/// failure only means it was closed already.
pub fn close(value: &JsValue) {
    let _ = call(value, "close", &[]);
}

/// `performance.now()` on the current global, in ms (0 where missing).
pub fn now_ms() -> f64 {
    get(&js_sys::global(), "performance")
        .and_then(|p| call(&p, "now", &[]))
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0)
}

/// Resolves after `ms` milliseconds (`setTimeout` on the current global).
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = call(
            &js_sys::global(),
            "setTimeout",
            &[resolve.into(), JsValue::from(ms)],
        );
    });
    let _ = JsFuture::from(promise).await;
}

/// Logs `message` as a console warning, prefixed `framewise: `.
pub fn warn(message: &dyn std::fmt::Display) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("framewise: {message}")));
}

/// Offers `blob` as a download named `file_name`.
pub fn download(blob: &web_sys::Blob, file_name: &str) -> Result<(), JsError> {
    let url = web_sys::Url::create_object_url_with_blob(blob)
        .map_err(|e| JsError::threw("URL.createObjectURL", &e))?;
    let link: web_sys::Element = create_element("a")?;
    let _ = link.set_attribute("href", &url);
    let _ = link.set_attribute("download", file_name);
    call(&link, "click", &[])?;
    // The click has read the URL; the blob stays the caller's.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000);
    }
    Ok(())
}
