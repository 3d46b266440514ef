//! Remote placement: the camera goes to a `framewise-server` over the
//! browser's own `RTCPeerConnection`, and the processed video comes back;
//! with audio on the microphone goes too (in the same stream), for the
//! audio processor and for a video processor that hears it, and the
//! server's audio comes back as a second track.
//!
//! Signaling is one HTTP exchange, non-trickle ([`signaling`]): the offer
//! with every candidate the server can use ([`gathering`]) is POSTed with
//! the processor and its params; the answer comes back with the session's
//! `Location`, which STOP DELETEs (the server does not notice a closed
//! peer connection by itself). Params go to the server and results and
//! stats come back on the DataChannel ([`framewise::wire`]); [`stats`]
//! turns them into the Streamer's.

pub mod gathering;
pub mod signaling;
pub mod stats;

use std::cell::RefCell;
use std::rc::Rc;

use framewise::wire::{self, ClientMessage, RemoteStats, ServerMessage, WireError};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MediaStream, MediaStreamTrack};

use crate::js::{self, JsError};
use crate::protocol::WorkerStats;
use stats::{ServerRates, ShownFrames};

pub use gathering::GATHER_TIMEOUT_MS;

/// Why a remote session could not be opened or went on no longer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// No `RTCPeerConnection` in this browser.
    #[error("this browser has no WebRTC (RTCPeerConnection)")]
    NoWebRtc,
    /// The POST did not get through.
    #[error("the processing server at {url} could not be reached ({})", .source.detail())]
    Unreachable {
        /// The sessions URL.
        url: String,
        /// What `fetch` said.
        source: JsError,
    },
    /// The server runs its maximum of sessions (503).
    #[error("the processing server is busy: {detail}")]
    Busy {
        /// The server's words.
        detail: String,
    },
    /// The server refused the session (4xx/5xx).
    #[error("the processing server refused the session ({status}): {detail}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's words.
        detail: String,
    },
    /// A 201 whose body is not a session answer.
    #[error("the processing server sent an answer this page cannot read: {0}")]
    BadAnswer(String),
    /// The connection failed or was lost (`failed`, `disconnected`).
    #[error("the connection to the processing server was lost ({0})")]
    Lost(String),
    /// Params sent before the DataChannel opened.
    #[error("the DataChannel to the server is not open yet")]
    ChannelNotOpen,
    /// A browser call failed.
    #[error(transparent)]
    Browser(#[from] JsError),
}

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

/// What the remote session tells the Streamer.
pub enum RemoteEvent {
    /// The processed video track arrived.
    Track(JsValue),
    /// The processed audio track arrived.
    AudioTrack(MediaStreamTrack),
    /// A message on the DataChannel.
    Message(ServerMessage),
    /// The DataChannel carried something that is not a Framewise message
    /// (or another protocol version).
    Bad(WireError),
    /// The connection failed or closed.
    Failed(RemoteError),
}

/// One remote session: the peer connection, its DataChannel and where to
/// DELETE it.
pub struct Remote {
    pc: JsValue,
    channel: JsValue,
    delete_url: Option<String>,
    /// Kept alive as long as the session.
    handlers: Vec<Handler>,
    rates: ServerRates,
    shown: ShownFrames,
}

/// The processor a session runs and its first params.
pub struct Offer<'a> {
    /// Registry name of the video processor (none: audio only, no
    /// camera track).
    pub processor: Option<&'a str>,
    /// Its params.
    pub params: &'a Value,
    /// Send the camera only: the server processes for results and sends
    /// no video back (the offer's video is `sendonly`).
    pub send_only: bool,
    /// The microphone and its processor, when audio is on.
    pub audio: Option<AudioOffer<'a>>,
}

/// The microphone a session sends and the audio processor it runs.
pub struct AudioOffer<'a> {
    /// The raw microphone track.
    pub track: &'a MediaStreamTrack,
    /// Registry name of the audio processor (none: the server passes
    /// the sound back unchanged, and a video processor may hear it).
    pub processor: Option<&'a str>,
    /// Its params.
    pub params: &'a Value,
}

impl Remote {
    /// Opens a session on `server` for the camera `track` (none: audio
    /// only) running `offer`;
    /// `on_event` hears of the output track, DataChannel messages and
    /// failures.
    pub async fn open(
        server: &str,
        ice_servers: &[IceServerConfig],
        track: Option<&MediaStreamTrack>,
        offer: Offer<'_>,
        on_event: Rc<dyn Fn(RemoteEvent)>,
    ) -> Result<Rc<RefCell<Remote>>, RemoteError> {
        if !js::has_global("RTCPeerConnection") {
            return Err(RemoteError::NoWebRtc);
        }
        let pc = js::construct("RTCPeerConnection", &[rtc_configuration(ice_servers)?])?;
        let remote = Rc::new(RefCell::new(Remote {
            pc,
            channel: JsValue::UNDEFINED,
            delete_url: None,
            handlers: Vec::new(),
            rates: ServerRates::default(),
            shown: ShownFrames::default(),
        }));
        let opened = Self::negotiate(
            &remote,
            server,
            track,
            offer,
            !ice_servers.is_empty(),
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
        track: Option<&MediaStreamTrack>,
        offer: Offer<'_>,
        uses_ice_servers: bool,
        on_event: Rc<dyn Fn(RemoteEvent)>,
    ) -> Result<(), RemoteError> {
        let pc = remote.borrow().pc.clone();
        let tracks = js_sys::Array::new();
        if let Some(track) = track {
            tracks.push(track);
        }
        if let Some(audio) = &offer.audio {
            tracks.push(audio.track);
        }
        // One stream, so the browser keeps audio and video in sync.
        let stream = MediaStream::new_with_tracks(&tracks)
            .map_err(|e| JsError::threw("new MediaStream", &e))?;
        let sender = match track {
            Some(track) => Some(js::call(
                &pc,
                "addTrack",
                &[track.into(), stream.clone().into()],
            )?),
            None => None,
        };
        if let (Some(sender), true) = (&sender, offer.send_only) {
            send_only(&pc, sender)?;
        }
        if let Some(audio) = &offer.audio {
            js::call(&pc, "addTrack", &[audio.track.into(), stream.into()])?;
        }
        let channel = js::call(
            &pc,
            "createDataChannel",
            &[JsValue::from_str(wire::DATA_CHANNEL_LABEL)],
        )?;
        let handlers = listen_all(&pc, &channel, on_event)?;
        {
            let mut remote = remote.borrow_mut();
            remote.channel = channel;
            remote.handlers = handlers;
        }

        let description = js::call_async(&pc, "createOffer", &[]).await?;
        js::call_async(&pc, "setLocalDescription", &[description]).await?;
        gathering::wait_for_gathering(&pc, uses_ice_servers).await;
        let sdp = js::get(&pc, "localDescription")
            .ok()
            .and_then(|d| js::get_string(&d, "sdp"))
            .ok_or_else(|| JsError::unexpected("the local description", "an SDP offer"))?;
        let mut body = serde_json::json!({"sdp": sdp});
        if let Some(processor) = offer.processor {
            body["processor"] = processor.into();
            body["params"] = offer.params.clone();
        }
        if let Some(AudioOffer {
            processor: Some(processor),
            params,
            ..
        }) = &offer.audio
        {
            body["audio_processor"] = (*processor).into();
            body["audio_params"] = (*params).clone();
        }
        let url = signaling::sessions_url(server);
        let response = signaling::post_json(&url, &body.to_string())
            .await
            .map_err(|source| RemoteError::Unreachable {
                url: url.clone(),
                source,
            })?;
        let answer = signaling::read_answer(response.status, &response.body)?;
        let location = response.location.as_deref().unwrap_or(&answer.session);
        remote.borrow_mut().delete_url = Some(signaling::session_url(server, location));
        let description = js::object(&[
            ("type", JsValue::from_str("answer")),
            ("sdp", JsValue::from_str(&answer.sdp)),
        ])?;
        js::call_async(&pc, "setRemoteDescription", &[description.into()]).await?;
        if let Some(sender) = &sender {
            keep_resolution(sender).await;
        }
        Ok(())
    }

    /// Sends the processor's complete params (applied between frames).
    pub fn send_params(&self, params: &Value) -> Result<(), RemoteError> {
        self.send(&ClientMessage::Params {
            params: params.clone(),
        })
    }

    /// A device switch: the sender of `track`'s kind sends `track` from
    /// now on; the session, its processors and its output go on.
    pub fn replace_track(&self, track: &MediaStreamTrack) {
        let kind = track.kind();
        let senders = match js::call(&self.pc, "getSenders", &[]) {
            Ok(senders) => js_sys::Array::from(&senders),
            Err(error) => return js::warn(&error),
        };
        let sender = senders.iter().find(|sender| {
            js::get(sender, "track")
                .ok()
                .and_then(|current| js::get_string(&current, "kind"))
                .is_some_and(|current| current == kind)
        });
        let Some(sender) = sender else { return };
        // The handle (web-sys's inherent `clone` would clone the track).
        let track = JsValue::from(Clone::clone(track));
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(error) = js::call_async(&sender, "replaceTrack", &[track]).await {
                js::warn(&error);
            }
        });
    }

    /// Sends the audio processor's complete params (applied between
    /// blocks).
    pub fn send_audio_params(&self, params: &Value) -> Result<(), RemoteError> {
        self.send(&ClientMessage::AudioParams {
            params: params.clone(),
        })
    }

    fn send(&self, message: &ClientMessage) -> Result<(), RemoteError> {
        let message = wire::encode(message);
        let open = js::get_string(&self.channel, "readyState").is_some_and(|s| s == "open");
        if !open {
            return Err(RemoteError::ChannelNotOpen);
        }
        js::call(&self.channel, "send", &[JsValue::from_str(&message)])?;
        Ok(())
    }

    /// Turns the server's counters into the Streamer's, with rates
    /// measured from the stats messages' arrival (`now_ms`).
    pub fn stats(&mut self, stats: &RemoteStats, now_ms: f64) -> WorkerStats {
        self.rates.sample(stats, now_ms);
        stats::worker_stats(stats, &self.rates, &self.shown)
    }

    /// Asks the browser how many frames of the processed video it decoded
    /// and dropped; the answer goes into the next [`Remote::stats`].
    pub fn count_shown_frames(handle: &Rc<RefCell<Self>>) {
        let pc = handle.borrow().pc.clone();
        let handle = Rc::downgrade(handle);
        wasm_bindgen_futures::spawn_local(async move {
            let Some((decoded, dropped)) = stats::inbound_video_frames(&pc).await else {
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
            signaling::delete(&url);
        }
        let _ = js::call(&self.channel, "close", &[]);
        let _ = js::call(&self.pc, "close", &[]);
        self.handlers.clear();
    }
}

/// An event handler set on the peer connection or the DataChannel.
type Handler = Closure<dyn FnMut(JsValue)>;

/// The peer connection's and DataChannel's handlers: the output track,
/// messages, a lost connection.
fn listen_all(
    pc: &JsValue,
    channel: &JsValue,
    on_event: Rc<dyn Fn(RemoteEvent)>,
) -> Result<Vec<Handler>, JsError> {
    let mut handlers = Vec::new();
    {
        let on_event = on_event.clone();
        handlers.push(listen(pc, "ontrack", move |event| {
            let Ok(track) = js::get(&event, "track") else {
                return;
            };
            if js::get_string(&track, "kind").is_some_and(|kind| kind == "audio") {
                on_event(RemoteEvent::AudioTrack(track.unchecked_into()));
            } else {
                on_event(RemoteEvent::Track(track));
            }
        })?);
    }
    {
        let on_event = on_event.clone();
        handlers.push(listen(channel, "onmessage", move |event| {
            let text = js::get_string(&event, "data").unwrap_or_default();
            match wire::decode::<ServerMessage>(&text) {
                Ok(message) => on_event(RemoteEvent::Message(message)),
                Err(error) => on_event(RemoteEvent::Bad(error)),
            }
        })?);
    }
    let watched = pc.clone();
    handlers.push(listen(pc, "onconnectionstatechange", move |_| {
        let state = js::get_string(&watched, "connectionState").unwrap_or_default();
        if state == "failed" || state == "disconnected" {
            on_event(RemoteEvent::Failed(RemoteError::Lost(state)));
        }
    })?);
    Ok(handlers)
}

/// Makes `sender`'s transceiver send-only: the offer asks for no video
/// back.
fn send_only(pc: &JsValue, sender: &JsValue) -> Result<(), JsError> {
    let transceivers: js_sys::Array = js::call(pc, "getTransceivers", &[])?.unchecked_into();
    let transceiver = transceivers
        .iter()
        .find(|t| js::get(t, "sender").is_ok_and(|s| &s == sender))
        .ok_or_else(|| JsError::unexpected("the camera's sender", "in a transceiver"))?;
    js::set(&transceiver, "direction", &JsValue::from_str("sendonly"))
}

/// `{iceServers: [...]}` for the `RTCPeerConnection` constructor.
fn rtc_configuration(ice_servers: &[IceServerConfig]) -> Result<JsValue, JsError> {
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
) -> Result<Handler, JsError> {
    let closure = Handler::new(f);
    js::set(target, name, closure.as_ref())?;
    Ok(closure)
}

/// Asks the browser to lower the frame rate, not the resolution, when the
/// network is short (the processor wants every pixel). Best effort.
async fn keep_resolution(sender: &JsValue) {
    let Ok(parameters) = js::call(sender, "getParameters", &[]) else {
        return;
    };
    let preference = JsValue::from_str("maintain-resolution");
    if js::set(&parameters, "degradationPreference", &preference).is_ok() {
        if let Err(error) = js::call_async(sender, "setParameters", &[parameters]).await {
            js::warn(&format_args!("degradationPreference not set: {error}"));
        }
    }
}
