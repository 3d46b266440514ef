//! Small helpers for calling browser APIs that web-sys only binds behind
//! `web_sys_unstable_apis` (MediaStreamTrackProcessor/Generator,
//! WebCodecs `VideoFrame`): properties, methods and constructors looked up
//! by name with `js_sys::Reflect`, every failure a readable message.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A JS exception or a missing API, as text for a person.
pub fn describe(error: &JsValue) -> String {
    if let Some(text) = error.as_string() {
        return text;
    }
    let field = |name: &str| {
        Reflect::get(error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    match (field("name"), field("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (None, Some(message)) => message,
        (Some(name), None) => name,
        (None, None) => format!("{error:?}"),
    }
}

/// The exception's `name` (`NotAllowedError`, …), if it has one.
pub fn error_name(error: &JsValue) -> Option<String> {
    Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
}

/// `target[name]`.
pub fn get(target: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(target, &JsValue::from_str(name))
        .map_err(|e| format!("reading {name}: {}", describe(&e)))
}

/// `target[name]` as a number.
pub fn get_f64(target: &JsValue, name: &str) -> Result<f64, String> {
    get(target, name)?
        .as_f64()
        .ok_or_else(|| format!("{name} is not a number"))
}

/// `target[name] = value`.
pub fn set(target: &JsValue, name: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &JsValue::from_str(name), value)
        .map(|_| ())
        .map_err(|e| format!("setting {name}: {}", describe(&e)))
}

/// A plain object from `(name, value)` pairs.
pub fn object(fields: &[(&str, JsValue)]) -> Result<Object, String> {
    let object = Object::new();
    for (name, value) in fields {
        set(&object, name, value)?;
    }
    Ok(object)
}

/// `target.name(...args)`.
pub fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let method = get(target, name)?
        .dyn_into::<Function>()
        .map_err(|_| format!("{name} is not a function here"))?;
    method
        .apply(target, &args.iter().collect::<Array>())
        .map_err(|e| format!("{name}: {}", describe(&e)))
}

/// `await target.name(...args)`.
pub async fn call_async(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let promise = call(target, name, args)?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| format!("{name} did not return a promise"))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| format!("{name}: {}", describe(&e)))
}

/// The global constructor `name` (on the window or the worker's global),
/// or a message saying this browser lacks it.
pub fn constructor(name: &str) -> Result<Function, String> {
    let value = Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or_default();
    value.dyn_into::<Function>().map_err(|_| {
        format!("this browser has no {name} here (Framewise's camera pipeline needs Chromium 94 or newer)")
    })
}

/// Whether the global `name` exists.
pub fn has_global(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .map(|v| !v.is_undefined())
        .unwrap_or(false)
}

/// `new name(...args)` with the global constructor `name`.
pub fn construct(name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let class = constructor(name)?;
    Reflect::construct(&class, &args.iter().collect::<Array>())
        .map_err(|e| format!("new {name}: {}", describe(&e)))
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
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
