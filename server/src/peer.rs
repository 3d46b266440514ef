//! A WebRTC peer that stands in for a browser: it sends I420 frames as
//! VP8 (libvpx) on 127.0.0.1 or any configured address, opens the
//! DataChannel, and decodes the processed video the server sends back.
//! With [`Peer::add_audio`] it also sends Opus packets and keeps the audio
//! packets that come back; [`Peer::audio_only`] sends audio alone. The server's tests and the load benchmark use
//! it; a native app could too.
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
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::oneshot;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
};

use crate::codecs::{self, OPUS_PAYLOAD_TYPE, VP8_PAYLOAD_TYPE};
use crate::gathering::GatheringDone;
use crate::lock;
use crate::media::FrameAssembler;

/// Decoded frames kept (the newest).
pub const KEPT_FRAMES: usize = 300;
/// DataChannel messages kept (the newest).
pub const KEPT_MESSAGES: usize = 1000;
/// Audio packet payloads kept (the newest).
pub const KEPT_AUDIO_PACKETS: usize = 1000;

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
    /// The payloads of the audio packets, as they came.
    audio: Vec<Bytes>,
    /// The incoming video track (keyframe requests go on it).
    video: Option<Arc<dyn TrackRemote>>,
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
        let received = self.received.clone();
        if track.kind().await == RtpCodecKind::Audio {
            tokio::spawn(keep_audio(received, track));
            return;
        }
        lock(&self.received).video = Some(track.clone());
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

/// Keeps the payloads of the audio that comes back.
async fn keep_audio(received: Arc<Mutex<Received>>, track: Arc<dyn TrackRemote>) {
    while let Some(event) = track.poll().await {
        if let TrackRemoteEvent::OnRtpPacket(packet) = event {
            let mut received = lock(&received);
            received.audio.push(packet.payload);
            let excess = received.audio.len().saturating_sub(KEPT_AUDIO_PACKETS);
            received.audio.drain(..excess);
        }
    }
}

/// An outgoing track and its SSRC.
struct Outgoing {
    track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
}

/// A client peer connection sending video and holding the DataChannel;
/// see the [module docs](self).
pub struct Peer {
    pc: Arc<dyn PeerConnection>,
    video: Option<Outgoing>,
    audio: Option<Outgoing>,
    channel: Arc<dyn DataChannel>,
    received: Arc<Mutex<Received>>,
    gathered: Option<oneshot::Receiver<()>>,
    encoder: Mutex<Option<Vp8Encoder>>,
    fps: u32,
}

impl Peer {
    /// A peer whose UDP socket binds `udp_addr` (e.g. `127.0.0.1:0`),
    /// sending video at `fps`, with the DataChannel.
    pub async fn new(udp_addr: &str, fps: u32) -> Result<Self, PeerError> {
        Self::build(udp_addr, fps, true).await
    }

    /// A peer on `udp_addr` with a microphone track and the DataChannel,
    /// no video.
    pub async fn audio_only(udp_addr: &str) -> Result<Self, PeerError> {
        let mut peer = Self::build(udp_addr, 30, false).await?;
        peer.add_audio().await?;
        Ok(peer)
    }

    async fn build(udp_addr: &str, fps: u32, with_video: bool) -> Result<Self, PeerError> {
        let mut media_engine = codecs::media_engine().map_err(PeerError::WebRtc)?;
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
        let video = match with_video {
            true => Some(add_track(&pc, RtpCodecKind::Video).await?),
            false => None,
        };
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
            audio: None,
            channel,
            received,
            gathered: Some(gathered_rx),
            encoder: Mutex::new(None),
            fps: fps.max(1),
        })
    }

    /// Adds a microphone track (Opus) to the offer; call before
    /// [`Peer::offer`].
    pub async fn add_audio(&mut self) -> Result<(), PeerError> {
        if self.audio.is_none() {
            self.audio = Some(add_track(&self.pc, RtpCodecKind::Audio).await?);
        }
        Ok(())
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
        let video = self.video_track()?;
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
            let _ = video
                .track
                .sample_writer(video.ssrc, VP8_PAYLOAD_TYPE)
                .write_sample(&sample)
                .await;
        }
        Ok(())
    }

    /// Sends one already encoded VP8 frame (a load test encodes its video
    /// once and replays it).
    pub async fn send_vp8(&self, data: Bytes) -> Result<(), PeerError> {
        let video = self.video_track()?;
        let sample = Sample {
            data,
            duration: Duration::from_secs(1) / self.fps,
            ..Sample::new(Instant::now())
        };
        video
            .track
            .sample_writer(video.ssrc, VP8_PAYLOAD_TYPE)
            .write_sample(&sample)
            .await
            .map_err(webrtc_error)
    }

    fn video_track(&self) -> Result<&Outgoing, PeerError> {
        self.video
            .as_ref()
            .ok_or_else(|| PeerError::WebRtc("no video track: this peer sends audio only".into()))
    }

    /// Sends one Opus packet lasting `duration` on the track of
    /// [`Peer::add_audio`].
    pub async fn send_opus(&self, data: Bytes, duration: Duration) -> Result<(), PeerError> {
        let audio = self
            .audio
            .as_ref()
            .ok_or_else(|| PeerError::WebRtc("no audio track: call add_audio first".into()))?;
        let sample = Sample {
            data,
            duration,
            ..Sample::new(Instant::now())
        };
        audio
            .track
            .sample_writer(audio.ssrc, OPUS_PAYLOAD_TYPE)
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

    /// Sends params to the server's audio processor on the DataChannel.
    pub async fn send_audio_params(&self, params: serde_json::Value) -> Result<(), PeerError> {
        let text = wire::encode(&ClientMessage::AudioParams { params });
        self.send_text(&text).await
    }

    /// Sends raw text on the DataChannel.
    pub async fn send_text(&self, text: &str) -> Result<(), PeerError> {
        self.channel.send_text(text).await.map_err(webrtc_error)
    }

    /// Asks the server for a keyframe (a PLI on its video track).
    pub async fn request_keyframe(&self) -> Result<(), PeerError> {
        let track = lock(&self.received)
            .video
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

    /// The payloads of the audio packets the server sent back (the newest
    /// [`KEPT_AUDIO_PACKETS`]).
    pub fn audio_packets(&self) -> Vec<Bytes> {
        lock(&self.received).audio.clone()
    }

    /// Closes the peer connection.
    pub async fn close(&self) {
        let _ = self.pc.close().await;
    }
}

/// Adds an outgoing track of `kind` (VP8 video or Opus audio) to `pc`.
async fn add_track(
    pc: &Arc<dyn PeerConnection>,
    kind: RtpCodecKind,
) -> Result<Outgoing, PeerError> {
    let codec = match kind {
        RtpCodecKind::Audio => codecs::opus(),
        _ => codecs::vp8(),
    };
    let (track, ssrc) = codecs::local_track("peer", kind, &codec);
    let track = Arc::new(TrackLocalStaticSample::new(Instant::now(), track).map_err(webrtc_error)?);
    pc.add_track(track.clone() as Arc<dyn TrackLocal>)
        .await
        .map_err(webrtc_error)?;
    Ok(Outgoing { track, ssrc })
}
