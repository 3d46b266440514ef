//! The codecs both ends of a session speak (VP8 video, Opus audio) and
//! the outgoing tracks that carry them: one definition for the server's
//! sessions and for [`crate::peer::Peer`].

use std::time::Instant;

use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::media_engine::{
    MediaEngine, MIME_TYPE_OPUS, MIME_TYPE_VP8,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use rtc::rtp_transceiver::PayloadType;

/// VP8's RTP clock.
pub const VIDEO_CLOCK_HZ: u32 = 90_000;
/// Opus's RTP clock.
pub const AUDIO_CLOCK_HZ: u32 = 48_000;
/// The payload type VP8 is offered with (an answer takes the offer's).
pub const VP8_PAYLOAD_TYPE: PayloadType = 96;
/// The payload type Opus is offered with (an answer takes the offer's).
pub const OPUS_PAYLOAD_TYPE: PayloadType = 111;

/// VP8 at its payload type.
pub fn vp8() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_VP8.to_owned(),
            clock_rate: VIDEO_CLOCK_HZ,
            channels: 0,
            sdp_fmtp_line: String::new(),
            rtcp_feedback: vec![],
        },
        payload_type: VP8_PAYLOAD_TYPE,
    }
}

/// Opus (stereo-capable, in-band FEC) at its payload type.
pub fn opus() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_OPUS.to_owned(),
            clock_rate: AUDIO_CLOCK_HZ,
            channels: 2,
            sdp_fmtp_line: "minptime=10;useinbandfec=1".to_owned(),
            rtcp_feedback: vec![],
        },
        payload_type: OPUS_PAYLOAD_TYPE,
    }
}

/// A media engine that knows VP8 and Opus.
pub fn media_engine() -> Result<MediaEngine, String> {
    let mut engine = MediaEngine::default();
    engine
        .register_codec(vp8(), RtpCodecKind::Video)
        .map_err(|e| e.to_string())?;
    engine
        .register_codec(opus(), RtpCodecKind::Audio)
        .map_err(|e| e.to_string())?;
    Ok(engine)
}

/// A random SSRC for an outgoing track.
fn new_ssrc() -> u32 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now()) as u32
}

/// An outgoing track of `kind` with `codec` in the media stream
/// `stream`, and its fresh SSRC.
pub fn local_track(
    stream: &str,
    kind: RtpCodecKind,
    codec: &RTCRtpCodecParameters,
) -> (MediaStreamTrack, u32) {
    let ssrc = new_ssrc();
    let track = MediaStreamTrack::new(
        stream.to_owned(),
        format!("{stream}-{kind}"),
        format!("{stream} {kind}"),
        kind,
        vec![RTCRtpEncodingParameters {
            rtp_coding_parameters: RTCRtpCodingParameters {
                ssrc: Some(ssrc),
                ..Default::default()
            },
            codec: codec.rtp_codec.clone(),
            ..Default::default()
        }],
    );
    (track, ssrc)
}
