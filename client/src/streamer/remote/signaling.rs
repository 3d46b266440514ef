//! The HTTP side of a remote session: POST the offer to
//! `{server}/api/sessions`, read the answer or the server's error, DELETE
//! the session's `Location` at the end. URLs and responses are plain
//! functions, tested natively.

use framewise::wire::{ErrorBody, SessionAnswer};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::RemoteError;
use crate::js::{self, JsError};

/// `{server}/api/sessions`, for a server base URL such as `""` (this
/// origin, e.g. behind the trunk proxy) or `http://127.0.0.1:8081`.
pub fn sessions_url(server: &str) -> String {
    format!("{}/api/sessions", server.trim_end_matches('/'))
}

/// Where to DELETE the session: the answer's `Location` resolved against
/// the server (an absolute path is taken relative to the server's base).
pub fn session_url(server: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_owned();
    }
    let base = server.trim_end_matches('/');
    match location.strip_prefix('/') {
        Some(path) => match base.find("://").map(|i| i + 3) {
            // http://host:port/prefix + /api/… → http://host:port/api/…
            Some(after_scheme) => {
                let host_end = base[after_scheme..]
                    .find('/')
                    .map_or(base.len(), |i| after_scheme + i);
                format!("{}/{path}", &base[..host_end])
            }
            None => format!("/{path}"),
        },
        None => format!("{base}/api/sessions/{location}"),
    }
}

/// The server's answer to the offer: `201` with a [`SessionAnswer`], or
/// its error (the server's own JSON words when it sent them).
pub fn read_answer(status: u16, body: &str) -> Result<SessionAnswer, RemoteError> {
    if status == 201 {
        return serde_json::from_str(body).map_err(|e| RemoteError::BadAnswer(e.to_string()));
    }
    let detail = serde_json::from_str::<ErrorBody>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| body.chars().take(200).collect());
    Err(match status {
        503 => RemoteError::Busy { detail },
        _ => RemoteError::Refused { status, detail },
    })
}

/// What a POST got back: status, `Location` header and body.
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The `Location` header, if any.
    pub location: Option<String>,
    /// The body as text.
    pub body: String,
}

/// POSTs JSON to `url`.
pub async fn post_json(url: &str, body: &str) -> Result<Response, JsError> {
    let headers = js::object(&[("content-type", JsValue::from_str("application/json"))])?;
    let init = js::object(&[
        ("method", JsValue::from_str("POST")),
        ("headers", headers.into()),
        ("body", JsValue::from_str(body)),
    ])?;
    let response = js::call_async(
        &js_sys::global(),
        "fetch",
        &[JsValue::from_str(url), init.into()],
    )
    .await?;
    let status = js::get_f64(&response, "status")? as u16;
    let location = js::call(
        &js::get(&response, "headers")?,
        "get",
        &[JsValue::from_str("location")],
    )
    .ok()
    .and_then(|v| v.as_string());
    let body = js::call_async(&response, "text", &[])
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(Response {
        status,
        location,
        body,
    })
}

/// DELETEs `url` without waiting (`keepalive`, so it is sent even while
/// the page unloads).
pub fn delete(url: &str) {
    let sent = js::object(&[
        ("method", JsValue::from_str("DELETE")),
        ("keepalive", JsValue::TRUE),
    ])
    .and_then(|init| {
        js::call(
            &js_sys::global(),
            "fetch",
            &[JsValue::from_str(url), init.into()],
        )
    });
    match sent.map(|p| p.dyn_into::<js_sys::Promise>()) {
        Ok(Ok(promise)) => {
            // A failed DELETE only means the server ends the session on
            // its idle timeout.
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = promise.catch(&ignore);
            ignore.forget();
        }
        _ => js::warn(&"DELETE not sent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_server_base() {
        assert_eq!(sessions_url(""), "/api/sessions");
        assert_eq!(
            sessions_url("http://127.0.0.1:8081/"),
            "http://127.0.0.1:8081/api/sessions"
        );
        assert_eq!(session_url("", "/api/sessions/ab"), "/api/sessions/ab");
        assert_eq!(
            session_url("http://127.0.0.1:8081", "/api/sessions/ab"),
            "http://127.0.0.1:8081/api/sessions/ab"
        );
        assert_eq!(
            session_url("https://h/prefix", "/api/sessions/ab"),
            "https://h/api/sessions/ab"
        );
        assert_eq!(
            session_url("http://h:1", "ab"),
            "http://h:1/api/sessions/ab"
        );
        assert_eq!(
            session_url("", "http://x/api/sessions/1"),
            "http://x/api/sessions/1"
        );
    }

    #[test]
    fn server_errors_keep_its_words() {
        let busy = read_answer(503, r#"{"error": "the server runs its maximum"}"#);
        assert_eq!(
            busy,
            Err(RemoteError::Busy {
                detail: "the server runs its maximum".into()
            })
        );
        let bad = read_answer(422, r#"{"error": "no processor \"x\""}"#);
        assert_eq!(
            bad,
            Err(RemoteError::Refused {
                status: 422,
                detail: "no processor \"x\"".into()
            })
        );
        let plain = read_answer(500, "oops");
        assert!(
            matches!(plain, Err(RemoteError::Refused { status: 500, detail }) if detail == "oops")
        );
        let unreadable = read_answer(201, "{}");
        assert!(matches!(unreadable, Err(RemoteError::BadAnswer(_))));
        let answer = read_answer(201, r#"{"sdp": "v=0", "session": "ab"}"#);
        assert_eq!(answer.map(|a| a.session), Ok("ab".to_owned()));
    }
}
