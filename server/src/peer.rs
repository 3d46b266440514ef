//! A WebRTC peer that stands in for a browser: it sends I420 frames as
//! VP8 (libvpx) on 127.0.0.1 or any configured address, opens the
//! DataChannel, and decodes the processed video the server sends back. The
//! server's tests and the load benchmark use it; a native app could too.
//!
//! Signaling is the caller's: [`Peer::offer`] gives the complete offer to
//! POST, [`Peer::accept`] takes the answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use framewise::wire::{self, ClientMessage, ServerMessage, DATA_CHANNEL_LABEL};
use framewise::I420Frame;
use framewise_vpx::{EncoderConfig, Vp8Decoder, Vp8Encoder};
use rtc::interceptor::Registry as Interceptors;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{MediaEngine, MIME_TYPE_VP8};
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use tokio::sync::oneshot;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
};

use crate::gathering::GatheringDone;
use crate::lock;
use crate::media::FrameAssembler;

/// Decoded frames kept (the newest).
pub const KEPT_FRAMES: usize = 300;
/// DataChannel messages kept (the newest).
pub const KEPT_MESSAGES: usize = 1000;
/// The payload type the peer offers VP8 with.
const VP8_PAYLOAD_TYPE: u8 = 96;

/// A peer that failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// webrtc-rs failed.
    #[error("WebRTC: {0}")]
    WebRtc(String),
    /// The codec failed.
    #[error(transparent)]
    Codec(#[from] framewise_vpx::VpxError),
    /// Nothing came back from the server yet.
    #[error("no video from the server yet")]
    NoVideo,
}

fn webrtc_error(error: impl std::fmt::Display) -> PeerError {
    PeerError::WebRtc(error.to_string())
}

/// What the peer got back.
#[derive(Default)]
struct Received {
    frames: Vec<I420Frame>,
    /// Frames decoded in all.
    count: u64,
    keyframes: u64,
    messages: Vec<ServerMessage>,
    track: Option<Arc<dyn TrackRemote>>,
}

struct Handler {
    received: Arc<Mutex<Received>>,
    gathered: GatheringDone,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        self.gathered.on_state(state);
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        lock(&self.received).track = Some(track.clone());
        let received = self.received.clone();
        tokio::spawn(async move {
            let mut assembler = FrameAssembler::new();
            let Ok(mut decoder) = Vp8Decoder::new() else {
                return;
            };
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                let h = &packet.header;
                let Ok(Some(frame)) =
                    assembler.push(h.sequence_number, h.timestamp, h.marker, &packet.payload)
                else {
                    continue;
                };
                if let Ok(frames) = decoder.decode(&frame.data, 0) {
                    let mut received = lock(&received);
                    received.keyframes += u64::from(frame.keyframe);
                    received.count += frames.len() as u64;
                    received.frames.extend(frames);
                    let excess = received.frames.len().saturating_sub(KEPT_FRAMES);
                    received.frames.drain(..excess);
                }
            }
        });
    }
}

/// A client peer connection sending video and holding the DataChannel;
/// see the [module docs](self).
pub struct Peer {
    pc: Arc<dyn PeerConnection>,
    video: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    channel: Arc<dyn DataChannel>,
    received: Arc<Mutex<Received>>,
    gathered: Option<oneshot::Receiver<()>>,
    encoder: Mutex<Option<Vp8Encoder>>,
    fps: u32,
}

fn vp8() -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_VP8.to_owned(),
            clock_rate: 90_000,
            channels: 0,
            sdp_fmtp_line: String::new(),
            rtcp_feedback: vec![],
        },
        payload_type: VP8_PAYLOAD_TYPE,
    }
}

impl Peer {
    /// A peer whose UDP socket binds `udp_addr` (e.g. `127.0.0.1:0`),
    /// sending video at `fps`, with the DataChannel.
    pub async fn new(udp_addr: &str, fps: u32) -> Result<Self, PeerError> {
        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(vp8(), RtpCodecKind::Video)
            .map_err(webrtc_error)?;
        let interceptors = register_default_interceptors(Interceptors::new(), &mut media_engine)
            .map_err(webrtc_error)?;
        let received = Arc::new(Mutex::new(Received::default()));
        let (gathered, gathered_rx) = GatheringDone::new();
        let handler = Arc::new(Handler {
            received: received.clone(),
            gathered,
        });
        let runtime = webrtc::runtime::default_runtime()
            .ok_or_else(|| PeerError::WebRtc("no async runtime compiled in".into()))?;
        let pc = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(media_engine)
            .with_interceptor_registry(interceptors)
            .with_handler(handler)
            .with_runtime(runtime)
            .with_udp_addrs(vec![udp_addr.to_owned()])
            .build()
            .await
            .map_err(webrtc_error)?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let ssrc = 0x1234_5678;
        let track = MediaStreamTrack::new(
            "camera".to_owned(),
            "camera-video".to_owned(),
            "camera".to_owned(),
            RtpCodecKind::Video,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec: vp8().rtp_codec,
                ..Default::default()
            }],
        );
        let video =
            Arc::new(TrackLocalStaticSample::new(Instant::now(), track).map_err(webrtc_error)?);
        pc.add_track(video.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(webrtc_error)?;
        let channel = pc
            .create_data_channel(DATA_CHANNEL_LABEL, None)
            .await
            .map_err(webrtc_error)?;
        let messages = received.clone();
        let reader = channel.clone();
        tokio::spawn(async move {
            while let Some(event) = reader.poll().await {
                if let DataChannelEvent::OnMessage(message) = event {
                    let text = String::from_utf8_lossy(&message.data).into_owned();
                    if let Ok(message) = wire::decode::<ServerMessage>(&text) {
                        let mut received = lock(&messages);
                        received.messages.push(message);
                        let excess = received.messages.len().saturating_sub(KEPT_MESSAGES);
                        received.messages.drain(..excess);
                    }
                }
            }
        });
        Ok(Self {
            pc,
            video,
            ssrc,
            channel,
            received,
            gathered: Some(gathered_rx),
            encoder: Mutex::new(None),
            fps: fps.max(1),
        })
    }

    /// The complete offer (ICE gathered, at most 2 s).
    pub async fn offer(&mut self) -> Result<String, PeerError> {
        let offer = self.pc.create_offer(None).await.map_err(webrtc_error)?;
        self.pc
            .set_local_description(offer)
            .await
            .map_err(webrtc_error)?;
        if let Some(gathered) = self.gathered.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), gathered).await;
        }
        self.pc
            .local_description()
            .await
            .map(|d| d.sdp)
            .ok_or_else(|| PeerError::WebRtc("no local description".into()))
    }

    /// Applies the server's answer.
    pub async fn accept(&self, sdp: String) -> Result<(), PeerError> {
        let answer = RTCSessionDescription::answer(sdp).map_err(webrtc_error)?;
        self.pc
            .set_remote_description(answer)
            .await
            .map_err(webrtc_error)
    }

    /// Encodes `frame` (at the bitrate the server would pick for its size)
    /// and sends it; `pts` in 90 kHz ticks; `keyframe` forces one.
    pub async fn send(&self, frame: &I420Frame, pts: i64, keyframe: bool) -> Result<(), PeerError> {
        let size = (frame.width(), frame.height());
        let packets = {
            let mut slot = lock(&self.encoder);
            let encoder = match &mut *slot {
                Some(encoder) if (encoder.config().width, encoder.config().height) == size => {
                    encoder
                }
                slot => slot.insert(Vp8Encoder::new(EncoderConfig::for_size(
                    size.0, size.1, self.fps,
                ))?),
            };
            encoder.encode(frame, pts, keyframe)?
        };
        let duration = Duration::from_secs(1) / self.fps;
        for encoded in packets {
            let sample = Sample {
                data: Bytes::from(encoded.data),
                duration,
                ..Sample::new(Instant::now())
            };
            // Before the connection is up, samples go nowhere: not an error.
            let _ = self
                .video
                .sample_writer(self.ssrc, VP8_PAYLOAD_TYPE)
                .write_sample(&sample)
                .await;
        }
        Ok(())
    }

    /// Sends one already encoded VP8 frame (a load test encodes its video
    /// once and replays it).
    pub async fn send_vp8(&self, data: Bytes) -> Result<(), PeerError> {
        let sample = Sample {
            data,
            duration: Duration::from_secs(1) / self.fps,
            ..Sample::new(Instant::now())
        };
        self.video
            .sample_writer(self.ssrc, VP8_PAYLOAD_TYPE)
            .write_sample(&sample)
            .await
            .map_err(webrtc_error)
    }

    /// The bitrate the peer sends at, kbps (0 before the first frame).
    pub fn bitrate_kbps(&self) -> u32 {
        lock(&self.encoder)
            .as_ref()
            .map_or(0, |e| e.config().bitrate_kbps)
    }

    /// Sends params to the server's processor on the DataChannel.
    pub async fn send_params(&self, params: serde_json::Value) -> Result<(), PeerError> {
        let text = wire::encode(&ClientMessage::Params { params });
        self.send_text(&text).await
    }

    /// Sends raw text on the DataChannel.
    pub async fn send_text(&self, text: &str) -> Result<(), PeerError> {
        self.channel.send_text(text).await.map_err(webrtc_error)
    }

    /// Asks the server for a keyframe (a PLI on its video track).
    pub async fn request_keyframe(&self) -> Result<(), PeerError> {
        let track = lock(&self.received)
            .track
            .clone()
            .ok_or(PeerError::NoVideo)?;
        let media_ssrc = track.ssrcs().await.first().copied().unwrap_or(0);
        let pli = PictureLossIndication {
            sender_ssrc: 0,
            media_ssrc,
        };
        track
            .write_rtcp(vec![Box::new(pli)])
            .await
            .map_err(webrtc_error)
    }

    /// The newest decoded frames (at most [`KEPT_FRAMES`]).
    pub fn frames(&self) -> Vec<I420Frame> {
        lock(&self.received).frames.clone()
    }

    /// Frames decoded since the start.
    pub fn frame_count(&self) -> u64 {
        lock(&self.received).count
    }

    /// Keyframes received since the start.
    pub fn keyframes(&self) -> u64 {
        lock(&self.received).keyframes
    }

    /// The server's messages (the newest [`KEPT_MESSAGES`]).
    pub fn messages(&self) -> Vec<ServerMessage> {
        lock(&self.received).messages.clone()
    }

    /// Closes the peer connection.
    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
}
