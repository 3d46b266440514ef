//! Remote placement: the camera goes to a `framewise-server` over the
//! browser's own `RTCPeerConnection`, and the processed video comes back.
//!
//! Signaling is one HTTP exchange, non-trickle: the offer with every
//! candidate the server can use ([`offer_is_ready`], at most
//! [`GATHER_TIMEOUT_MS`]) is POSTed with the processor
//! and its params to `{server}/api/sessions`; the answer comes back with
//! the session's `Location`, which STOP DELETEs (the server does not
//! notice a closed peer connection by itself). Params go to the server and
//! results and stats come back on the DataChannel
//! ([`framewise::wire`]).
//!
//! The pure parts (URLs, what a server's error response means, stats
//! conversion) are plain functions tested natively; the rest drives
//! browser APIs through [`js`](crate::js).

use std::cell::RefCell;
use std::rc::Rc;

use framewise::wire::{self, ClientMessage, ErrorBody, RemoteStats, ServerMessage};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack};

use crate::js;
use crate::protocol::WorkerStats;
use crate::stats::Window;

/// The longest wait for ICE candidates before the offer is sent.
pub const GATHER_TIMEOUT_MS: i32 = 1000;

/// A STUN or TURN server for the browser's peer connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IceServerConfig {
    /// `stun:…` / `turn:…` URLs.
    pub urls: Vec<String>,
    /// TURN user name.
    pub username: Option<String>,
    /// TURN credential.
    pub credential: Option<String>,
}

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

/// A message for a person from a failed session request: the server's own
/// JSON error when it sent one.
pub fn server_error_message(status: u16, body: &str) -> String {
    let detail = serde_json::from_str::<ErrorBody>(body)
        .map(|e| e.error)
        .unwrap_or_else(|_| body.chars().take(200).collect());
    match status {
        503 => format!("The processing server is busy: {detail}"),
        _ => format!("The processing server refused the session ({status}): {detail}"),
    }
}

/// The browser's own count of the processed video's frames (its
/// `inbound-rtp` stats), turned into a rate as samples come.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ShownFrames {
    /// `(page time, frames decoded)` at the start of the current rate.
    last: Option<(f64, u64)>,
    /// Frames per second decoded on the page, once known.
    pub fps: Option<f64>,
    /// Frames the browser lost or dropped before showing them.
    pub dropped: u64,
}

impl ShownFrames {
    /// The shortest span a rate is measured over, ms.
    const MIN_SPAN_MS: f64 = 500.0;

    /// Takes the browser's totals at `now_ms`.
    pub fn sample(&mut self, now_ms: f64, decoded: u64, dropped: u64) {
        match self.last {
            Some((at, before)) if now_ms - at >= Self::MIN_SPAN_MS => {
                self.fps = Some(decoded.saturating_sub(before) as f64 * 1e3 / (now_ms - at));
                self.last = Some((now_ms, decoded));
            }
            Some(_) => {}
            None => self.last = Some((now_ms, decoded)),
        }
        self.dropped = dropped;
    }
}

/// The server's counters as the Streamer's stats fields, with the rates
/// measured on the page: `input_fps` from the server's decoded count,
/// `output_fps` from the frames the page itself decoded (the server's sent
/// rate until that is known); the page's own drops count as dropped.
pub fn worker_stats(
    remote: &RemoteStats,
    input_fps: f64,
    output_fps: f64,
    shown: &ShownFrames,
) -> WorkerStats {
    WorkerStats {
        frames: remote.sent,
        received: remote.decoded,
        dropped: remote.dropped + shown.dropped,
        input_fps,
        output_fps: shown.fps.unwrap_or(output_fps),
        process_ms_p50: remote.process_ms_p50,
        process_ms_p95: remote.process_ms_p95,
        total_ms_p50: remote.decode_ms_p50 + remote.process_ms_p50 + remote.encode_ms_p50,
        total_ms_p95: remote.decode_ms_p50 + remote.process_ms_p95 + remote.encode_ms_p50,
        width: remote.width,
        height: remote.height,
        format: "VP8".into(),
        conversion: "WebRTC (server decodes, processes, encodes)".into(),
        ..WorkerStats::default()
    }
}

/// What the remote session tells the Streamer.
pub enum RemoteEvent {
    /// The processed video track arrived.
    Track(JsValue),
    /// A message on the DataChannel.
    Message(ServerMessage),
    /// The DataChannel carried something that is not a Framewise message.
    Bad(String),
    /// The connection failed or closed.
    Failed(String),
}

/// One remote session: the peer connection, its DataChannel and where to
/// DELETE it.
pub struct Remote {
    pc: JsValue,
    channel: JsValue,
    delete_url: Option<String>,
    /// Kept alive as long as the session.
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    /// `(page time, sent, decoded)` of recent stats, for rates.
    counted: Window,
    last: Option<(f64, u64, u64)>,
    rates: (f64, f64),
    shown: ShownFrames,
}

impl Remote {
    /// Opens a session on `server` for `track` with `processor` and
    /// `params`; `on_event` hears of the output track, DataChannel messages
    /// and failures.
    pub async fn open(
        server: &str,
        ice_servers: &[IceServerConfig],
        track: &MediaStreamTrack,
        processor: &str,
        params: &Value,
        on_event: Rc<dyn Fn(RemoteEvent)>,
    ) -> Result<Rc<RefCell<Remote>>, String> {
        if !js::has_global("RTCPeerConnection") {
            return Err(
                "This browser has no WebRTC (RTCPeerConnection), which remote \
                        processing needs."
                    .into(),
            );
        }
        let pc = js::construct("RTCPeerConnection", &[rtc_configuration(ice_servers)?])?;
        let remote = Rc::new(RefCell::new(Remote {
            pc: pc.clone(),
            channel: JsValue::UNDEFINED,
            delete_url: None,
            _handlers: Vec::new(),
            counted: Window::new(8),
            last: None,
            rates: (0.0, 0.0),
            shown: ShownFrames::default(),
        }));
        let uses_ice_servers = !ice_servers.is_empty();
        let opened = Self::negotiate(
            &remote,
            server,
            track,
            (processor, params),
            uses_ice_servers,
            on_event,
        )
        .await;
        if let Err(error) = opened {
            remote.borrow_mut().close();
            return Err(error);
        }
        Ok(remote)
    }

    async fn negotiate(
        remote: &Rc<RefCell<Remote>>,
        server: &str,
        track: &MediaStreamTrack,
        (processor, params): (&str, &Value),
        uses_ice_servers: bool,
        on_event: Rc<dyn Fn(RemoteEvent)>,
    ) -> Result<(), String> {
        let pc = remote.borrow().pc.clone();
        let stream = MediaStream::new_with_tracks(&js_sys::Array::of1(track))
            .map_err(|e| js::describe(&e))?;
        let sender = js::call(&pc, "addTrack", &[track.clone().into(), stream.into()])?;
        let channel = js::call(
            &pc,
            "createDataChannel",
            &[JsValue::from_str(wire::DATA_CHANNEL_LABEL)],
        )?;
        let mut handlers = Vec::new();
        {
            let on_event = on_event.clone();
            handlers.push(listen(&pc, "ontrack", move |event| {
                if let Ok(track) = js::get(&event, "track") {
                    on_event(RemoteEvent::Track(track));
                }
            })?);
        }
        {
            let on_event = on_event.clone();
            handlers.push(listen(&channel, "onmessage", move |event| {
                let text = js::get(&event, "data")
                    .ok()
                    .and_then(|d| d.as_string())
                    .unwrap_or_default();
                match wire::decode::<ServerMessage>(&text) {
                    Ok(message) => on_event(RemoteEvent::Message(message)),
                    Err(error) => on_event(RemoteEvent::Bad(error.to_string())),
                }
            })?);
        }
        {
            let watched = pc.clone();
            handlers.push(listen(&pc, "onconnectionstatechange", move |_| {
                let state = js::get(&watched, "connectionState")
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                if state == "failed" || state == "disconnected" {
                    on_event(RemoteEvent::Failed(format!(
                        "the connection to the processing server was lost ({state})"
                    )));
                }
            })?);
        }
        {
            let mut remote = remote.borrow_mut();
            remote.channel = channel;
            remote._handlers = handlers;
        }

        let offer = js::call_async(&pc, "createOffer", &[]).await?;
        js::call_async(&pc, "setLocalDescription", &[offer]).await?;
        wait_for_gathering(&pc, uses_ice_servers).await;
        let sdp = js::get(&js::get(&pc, "localDescription")?, "sdp")?
            .as_string()
            .ok_or("the browser made no offer")?;
        let body = serde_json::json!({"sdp": sdp, "processor": processor, "params": params});
        let url = sessions_url(server);
        let (status, location, text) = post_json(&url, &body.to_string()).await.map_err(|e| {
            format!("The processing server at {url} could not be reached ({e}). Is it running?")
        })?;
        if status != 201 {
            return Err(server_error_message(status, &text));
        }
        let answer: wire::SessionAnswer = serde_json::from_str(&text).map_err(|e| {
            format!("the processing server sent an answer this page cannot read: {e}")
        })?;
        remote.borrow_mut().delete_url = Some(session_url(
            server,
            location.as_deref().unwrap_or(&answer.session),
        ));
        let description = js::object(&[
            ("type", JsValue::from_str("answer")),
            ("sdp", JsValue::from_str(&answer.sdp)),
        ])?;
        js::call_async(&pc, "setRemoteDescription", &[description.into()]).await?;
        keep_resolution(&sender).await;
        Ok(())
    }

    /// Sends the processor's complete params (applied between frames).
    pub fn send_params(&self, params: &Value) -> Result<(), String> {
        let message = wire::encode(&ClientMessage::Params {
            params: params.clone(),
        });
        let open = js::get(&self.channel, "readyState")
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s == "open");
        if !open {
            return Err("the DataChannel to the server is not open yet".into());
        }
        js::call(&self.channel, "send", &[JsValue::from_str(&message)]).map(|_| ())
    }

    /// Turns the server's counters into the Streamer's, with rates
    /// measured from the stats messages' arrival (`now_ms`).
    pub fn stats(&mut self, stats: &RemoteStats, now_ms: f64) -> WorkerStats {
        if let Some((at, sent, decoded)) = self.last {
            let seconds = (now_ms - at) / 1e3;
            if seconds > 0.0 {
                self.rates = (
                    stats.decoded.saturating_sub(decoded) as f64 / seconds,
                    stats.sent.saturating_sub(sent) as f64 / seconds,
                );
            }
        }
        self.counted.push(now_ms);
        self.last = Some((now_ms, stats.sent, stats.decoded));
        worker_stats(stats, self.rates.0, self.rates.1, &self.shown)
    }

    /// Asks the browser how many frames of the processed video it decoded
    /// and dropped; the answer goes into the next [`Remote::stats`].
    pub fn count_shown_frames(handle: &Rc<RefCell<Self>>) {
        let pc = handle.borrow().pc.clone();
        let handle = Rc::downgrade(handle);
        wasm_bindgen_futures::spawn_local(async move {
            let Some((decoded, dropped)) = inbound_video_frames(&pc).await else {
                return;
            };
            if let Some(handle) = handle.upgrade() {
                handle
                    .borrow_mut()
                    .shown
                    .sample(js::now_ms(), decoded, dropped);
            }
        });
    }

    /// Ends the session: DELETE on the server (it would otherwise wait for
    /// its idle timeout), then the peer connection. Idempotent.
    pub fn close(&mut self) {
        if let Some(url) = self.delete_url.take() {
            delete(&url);
        }
        let _ = js::call(&self.channel, "close", &[]);
        let _ = js::call(&self.pc, "close", &[]);
        self._handlers.clear();
    }
}

/// `(framesDecoded, framesDropped)` of the peer connection's incoming
/// video, from `getStats()`.
async fn inbound_video_frames(pc: &JsValue) -> Option<(u64, u64)> {
    let report = js::call_async(pc, "getStats", &[]).await.ok()?;
    let entries = js::call(&report, "values", &[]).ok()?;
    js_sys::Array::from(&entries).iter().find_map(|entry| {
        let text = |name| js::get(&entry, name).ok().and_then(|v| v.as_string());
        let video_in = text("type").as_deref() == Some("inbound-rtp")
            && text("kind").as_deref() == Some("video");
        let count = |name| js::get_f64(&entry, name).map_or(0, |v| v.max(0.0) as u64);
        video_in.then(|| (count("framesDecoded"), count("framesDropped")))
    })
}

/// `{iceServers: [...]}` for the `RTCPeerConnection` constructor.
fn rtc_configuration(ice_servers: &[IceServerConfig]) -> Result<JsValue, String> {
    let servers = js_sys::Array::new();
    for server in ice_servers {
        let urls: js_sys::Array = server.urls.iter().map(|u| JsValue::from_str(u)).collect();
        let mut fields = vec![("urls", JsValue::from(urls))];
        if let Some(username) = &server.username {
            fields.push(("username", JsValue::from_str(username)));
        }
        if let Some(credential) = &server.credential {
            fields.push(("credential", JsValue::from_str(credential)));
        }
        servers.push(&js::object(&fields)?.into());
    }
    js::object(&[("iceServers", servers.into())]).map(JsValue::from)
}

/// Sets `target[name]` to a handler calling `f` with the event.
fn listen(
    target: &JsValue,
    name: &str,
    f: impl FnMut(JsValue) + 'static,
) -> Result<Closure<dyn FnMut(JsValue)>, String> {
    let closure = Closure::<dyn FnMut(JsValue)>::new(f);
    js::set(target, name, closure.as_ref())?;
    Ok(closure)
}

/// How long after the first UDP host candidate the offer waits for the
/// others (every interface's arrive together), without STUN/TURN servers.
pub const HOST_CANDIDATES_SETTLE_MS: f64 = 20.0;

/// Whether `sdp` has a UDP host candidate (`a=candidate:… udp … typ host`).
pub fn has_udp_host_candidate(sdp: &str) -> bool {
    sdp.lines().any(|line| {
        // a=candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS PORT typ TYPE …
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields
            .first()
            .is_some_and(|f| f.starts_with("a=candidate:"))
            && fields.get(2).is_some_and(|t| t.eq_ignore_ascii_case("udp"))
            && fields.get(6) == Some(&"typ")
            && fields.get(7) == Some(&"host")
    })
}

/// Whether the offer has every candidate the server can use. The server
/// speaks ICE over UDP only: with STUN/TURN servers configured the offer
/// waits for gathering to complete (their candidates come last), without
/// them for the UDP host candidates alone, [`HOST_CANDIDATES_SETTLE_MS`]
/// after the first (`udp_host_since_ms`), not for the TCP ones Chromium
/// gathers ~100 ms later.
pub fn offer_is_ready(
    complete: bool,
    uses_ice_servers: bool,
    udp_host_for_ms: Option<f64>,
) -> bool {
    complete
        || (!uses_ice_servers && udp_host_for_ms.is_some_and(|ms| ms >= HOST_CANDIDATES_SETTLE_MS))
}

/// Waits until the offer has the candidates the server can use
/// ([`offer_is_ready`]), at most [`GATHER_TIMEOUT_MS`].
async fn wait_for_gathering(pc: &JsValue, uses_ice_servers: bool) {
    let complete = || {
        js::get(pc, "iceGatheringState")
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s == "complete")
    };
    let has_udp_host = || {
        js::get(pc, "localDescription")
            .and_then(|d| js::get(&d, "sdp"))
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|sdp| has_udp_host_candidate(&sdp))
    };
    let started = js::now_ms();
    let mut udp_host_since = None;
    loop {
        let now = js::now_ms();
        if udp_host_since.is_none() && has_udp_host() {
            udp_host_since = Some(now);
        }
        let udp_host_for = udp_host_since.map(|since| now - since);
        if offer_is_ready(complete(), uses_ice_servers, udp_host_for)
            || now - started >= f64::from(GATHER_TIMEOUT_MS)
        {
            return;
        }
        js::sleep_ms(10).await;
    }
}

/// Asks the browser to lower the frame rate, not the resolution, when the
/// network is short (the processor wants every pixel). Best effort.
async fn keep_resolution(sender: &JsValue) {
    let Ok(parameters) = js::call(sender, "getParameters", &[]) else {
        return;
    };
    if js::set(
        &parameters,
        "degradationPreference",
        &JsValue::from_str("maintain-resolution"),
    )
    .is_ok()
    {
        if let Err(error) = js::call_async(sender, "setParameters", &[parameters]).await {
            web_sys::console::warn_1(&JsValue::from_str(&format!(
                "framewise: degradationPreference not set: {error}"
            )));
        }
    }
}

/// POSTs JSON; returns the status, the `Location` header and the body.
async fn post_json(url: &str, body: &str) -> Result<(u16, Option<String>, String), String> {
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
    let text = js::call_async(&response, "text", &[])
        .await?
        .as_string()
        .unwrap_or_default();
    Ok((status, location, text))
}

/// DELETEs `url` without waiting (`keepalive`, so it is sent even while
/// the page unloads).
fn delete(url: &str) {
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
        _ => web_sys::console::warn_1(&JsValue::from_str("framewise: DELETE not sent")),
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
    fn the_offer_goes_once_the_server_usable_candidates_are_in() {
        let sdp = "v=0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0\r\n";
        assert!(has_udp_host_candidate(sdp));
        let tcp = "a=candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active";
        assert!(!has_udp_host_candidate(tcp));
        let srflx = "a=candidate:3 1 udp 1686052607 203.0.113.5 50000 typ srflx raddr 0.0.0.0";
        assert!(!has_udp_host_candidate(srflx));
        assert!(!has_udp_host_candidate("v=0\r\ns=-\r\n"));

        // Without STUN/TURN: the UDP host candidates, once settled.
        assert!(!offer_is_ready(false, false, None));
        assert!(!offer_is_ready(false, false, Some(5.0)));
        assert!(offer_is_ready(
            false,
            false,
            Some(HOST_CANDIDATES_SETTLE_MS)
        ));
        // With them: only a complete gathering (bounded by the caller).
        assert!(!offer_is_ready(false, true, Some(500.0)));
        assert!(offer_is_ready(true, true, None));
    }

    #[test]
    fn server_errors_are_shown_in_its_words() {
        let busy = server_error_message(503, r#"{"error": "the server runs its maximum"}"#);
        assert!(busy.contains("busy") && busy.contains("maximum"));
        let bad = server_error_message(422, r#"{"error": "no processor \"x\""}"#);
        assert!(bad.contains("422") && bad.contains("no processor"));
        assert!(server_error_message(500, "oops").contains("oops"));
    }

    #[test]
    fn remote_counters_become_stream_stats() {
        let remote = RemoteStats {
            decoded: 10,
            sent: 9,
            dropped: 1,
            decode_ms_p50: 1.0,
            process_ms_p50: 2.0,
            process_ms_p95: 3.0,
            encode_ms_p50: 4.0,
            width: 640,
            height: 480,
        };
        let mut shown = ShownFrames::default();
        let stats = worker_stats(&remote, 30.0, 29.0, &shown);
        assert_eq!((stats.frames, stats.received, stats.dropped), (9, 10, 1));
        assert_eq!((stats.total_ms_p50, stats.total_ms_p95), (7.0, 8.0));
        assert_eq!((stats.input_fps, stats.output_fps), (30.0, 29.0));

        // Once the page counts its own frames, those win.
        shown.sample(1000.0, 100, 2);
        shown.sample(1200.0, 106, 2);
        assert_eq!(shown.fps, None, "under half a second is no rate");
        shown.sample(2000.0, 124, 5);
        let stats = worker_stats(&remote, 30.0, 29.0, &shown);
        assert_eq!(stats.output_fps, 24.0);
        assert_eq!(stats.dropped, 1 + 5);
    }
}
