//! What travels between a browser and `framewise-server`, defined once for
//! both sides: the signaling bodies of the HTTP API and the messages on the
//! session's DataChannel.
//!
//! DataChannel messages are JSON text with the protocol version and a type
//! tag, `{"v": 1, "type": "params", "params": {…}}`; [`decode`] refuses
//! another version with an error that names both.
//!
//! ```
//! use framewise::wire::{decode, encode, ClientMessage, WireError};
//!
//! let text = encode(&ClientMessage::Params { params: serde_json::json!({"low": 50}) });
//! assert_eq!(decode::<ClientMessage>(&text)?, ClientMessage::Params {
//!     params: serde_json::json!({"low": 50}),
//! });
//! assert!(matches!(
//!     decode::<ClientMessage>(r#"{"v": 99, "type": "params", "params": {}}"#),
//!     Err(WireError::Version { got: 99, .. })
//! ));
//! # Ok::<(), WireError>(())
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the DataChannel protocol; both sides must agree.
pub const PROTOCOL_VERSION: u32 = 1;

/// The label of the session's DataChannel (the browser creates it).
pub const DATA_CHANNEL_LABEL: &str = "framewise";

/// `POST /api/sessions`: the browser's SDP offer and what to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRequest {
    /// The SDP offer, complete (ICE candidates gathered: non-trickle).
    pub sdp: String,
    /// Registry name of the video processor; an offer with video needs
    /// one.
    #[serde(default)]
    pub processor: Option<String>,
    /// Its params, `{"name": value}`; missing ones take their defaults.
    #[serde(default = "empty_object")]
    pub params: Value,
    /// Registry name of the audio processor run on the offer's audio;
    /// without one the audio comes back unchanged.
    #[serde(default)]
    pub audio_processor: Option<String>,
    /// Its params, like `params`.
    #[serde(default = "empty_object")]
    pub audio_params: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// The `201 Created` answer to a [`SessionRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionAnswer {
    /// The SDP answer, complete (non-trickle).
    pub sdp: String,
    /// The session's id; `DELETE /api/sessions/{session}` ends it.
    pub session: String,
}

/// The body of every error response: what is wrong, for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong and what to do about it.
    pub error: String,
}

/// What the browser sends on the DataChannel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientMessage {
    /// New params for the running processor (the complete set), applied
    /// between frames.
    Params {
        /// `{"name": value}`.
        params: Value,
    },
    /// New params for the running audio processor, applied between
    /// blocks.
    AudioParams {
        /// `{"name": value}`.
        params: Value,
    },
}

/// What the server sends on the DataChannel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    /// Results the processor emitted for one frame.
    Results {
        /// The processor's typed results, as JSON.
        results: Vec<Value>,
    },
    /// The server's counters for this session.
    Stats(RemoteStats),
    /// Something went wrong (a rejected param, a message not understood);
    /// processing goes on unless the session ends.
    Error {
        /// What is wrong, for a person.
        message: String,
    },
}

/// A session's counters as the server sees them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteStats {
    /// Frames decoded from the browser's video.
    pub decoded: u64,
    /// Decoded frames replaced by a newer one before processing (latest
    /// frame wins).
    pub dropped: u64,
    /// Frames processed (and, unless the client is send-only, encoded and
    /// sent back).
    pub sent: u64,
    /// Median decode time per frame, ms.
    pub decode_ms_p50: f64,
    /// Median processing time per frame, ms.
    pub process_ms_p50: f64,
    /// 95th percentile of the processing time per frame, ms.
    pub process_ms_p95: f64,
    /// Median encode time per frame, ms.
    pub encode_ms_p50: f64,
    /// Width of the last frame.
    pub width: u32,
    /// Height of the last frame.
    pub height: u32,
    /// Audio blocks (one per Opus packet) processed and sent back.
    pub audio_blocks: u64,
    /// Median audio processing time per block (decode, processor,
    /// encode), µs.
    pub audio_process_us_p50: f64,
}

/// A DataChannel message that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WireError {
    /// The other side speaks another protocol version.
    #[error(
        "the other side speaks Framewise protocol version {got}, this side {want}: update the \
         older of browser app and server so both match"
    )]
    Version {
        /// The version received.
        got: u64,
        /// [`PROTOCOL_VERSION`].
        want: u32,
    },
    /// Not JSON, no version, or not a known message.
    #[error("a message that is not a Framewise message: {0}")]
    Malformed(String),
}

/// A message as DataChannel text, with the protocol version.
pub fn encode<T: Serialize>(message: &T) -> String {
    let mut value = serde_json::to_value(message).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.insert("v".into(), PROTOCOL_VERSION.into());
    }
    value.to_string()
}

/// Reads DataChannel text: checks the version, then the message.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, WireError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| WireError::Malformed(e.to_string()))?;
    let version = value
        .as_object_mut()
        .and_then(|fields| fields.remove("v"))
        .and_then(|v| v.as_u64())
        .ok_or_else(|| WireError::Malformed("no protocol version (\"v\")".into()))?;
    if version != u64::from(PROTOCOL_VERSION) {
        return Err(WireError::Version {
            got: version,
            want: PROTOCOL_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|e| WireError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_carry_the_version_and_a_type_tag() {
        let text = encode(&ServerMessage::Results {
            results: vec![json!({"mean": 1})],
        });
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            json!({"v": 1, "type": "results", "results": [{"mean": 1}]})
        );
        let stats = ServerMessage::Stats(RemoteStats {
            sent: 3,
            ..RemoteStats::default()
        });
        assert_eq!(decode::<ServerMessage>(&encode(&stats)), Ok(stats));
    }

    #[test]
    fn bad_messages_say_what_is_wrong() {
        let version = decode::<ClientMessage>(r#"{"v": 2, "type": "params", "params": {}}"#);
        assert_eq!(version, Err(WireError::Version { got: 2, want: 1 }));
        assert!(version.unwrap_err().to_string().contains("version 2"));
        for text in [
            "nonsense",
            r#"{"type": "params"}"#,
            r#"{"v": 1, "type": "dance"}"#,
        ] {
            assert!(
                matches!(decode::<ClientMessage>(text), Err(WireError::Malformed(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn a_session_request_defaults_its_params() {
        let request: SessionRequest =
            serde_json::from_str(r#"{"sdp": "v=0", "processor": "invert"}"#).unwrap();
        assert_eq!(request.params, json!({}));
        assert_eq!(request.processor.as_deref(), Some("invert"));
        assert_eq!(request.audio_processor, None);
        let audio_only: SessionRequest = serde_json::from_str(
            r#"{"sdp": "v=0", "audio_processor": "gain", "audio_params": {"gain_db": -6}}"#,
        )
        .unwrap();
        assert_eq!(audio_only.processor, None);
        assert_eq!(audio_only.audio_params, json!({"gain_db": -6}));
    }
}
