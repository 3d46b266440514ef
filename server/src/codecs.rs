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
/// The audio packet length asked of the browser, ms: 10 ms packets wait
/// half as long to fill as its default 20 ms, and the server answers
/// packet for packet, so its audio comes back in 10 ms packets too.
pub const AUDIO_PTIME_MS: u32 = 10;

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

/// `sdp` with `a=ptime:{ms}` in each audio section that has none (the
/// browser then sends Opus packets of `ms`). Sections end at the next
/// `m=` line; line endings are kept as `\r\n`.
pub fn with_ptime(sdp: &str, ms: u32) -> String {
    let mut out = String::with_capacity(sdp.len() + 32);
    let mut audio = false;
    let mut has_ptime = false;
    let close = |out: &mut String, audio: bool, has_ptime: bool| {
        if audio && !has_ptime {
            out.push_str(&format!("a=ptime:{ms}\r\n"));
        }
    };
    for line in sdp.lines() {
        if line.starts_with("m=") {
            close(&mut out, audio, has_ptime);
            audio = line.starts_with("m=audio");
            has_ptime = false;
        }
        has_ptime |= line.starts_with("a=ptime:");
        out.push_str(line);
        out.push_str("\r\n");
    }
    close(&mut out, audio, has_ptime);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_sections_ask_for_the_packet_length() {
        let sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n\
                   m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
        let out = with_ptime(sdp, 10);
        assert_eq!(
            out,
            "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n\
             a=ptime:10\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
        );
        // A last audio section, and one that says its own.
        let last = with_ptime("v=0\r\nm=audio 9 X 111\r\n", 10);
        assert!(
            last.ends_with("m=audio 9 X 111\r\na=ptime:10\r\n"),
            "{last}"
        );
        let own = "v=0\r\nm=audio 9 X 111\r\na=ptime:20\r\n";
        assert_eq!(with_ptime(own, 10), own);
        let video = "v=0\r\nm=video 9 X 96\r\n";
        assert_eq!(with_ptime(video, 10), video);
    }
}
