//! A WebRTC peer written with webrtc-rs, as a browser would be: it sends
//! our generated video (VP8 through libvpx) on 127.0.0.1, opens the
//! DataChannel, and decodes what the server sends back.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bytes::Bytes;
use framewise::synth::moving_frame;
use framewise::wire::{self, ServerMessage, SessionAnswer, DATA_CHANNEL_LABEL};
use framewise::{ColorRange, I420Frame, VideoFrame};
use framewise_server::media::FrameAssembler;
use framewise_vpx::{EncoderConfig, Vp8Decoder, Vp8Encoder, TIMEBASE_HZ};
use rtc::interceptor::Registry as Interceptors;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{MediaEngine, MIME_TYPE_VP8};
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodecParameters, RTCRtpCodingParameters, RTCRtpEncodingParameters,
    RtpCodecKind,
};
use tokio::sync::oneshot;
use tower::ServiceExt;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
};

/// The test video's size and rate.
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
pub const FPS: u32 = 30;

/// Frame `index` of the generated video (moving shapes, index strip).
pub fn test_frame(index: u32) -> VideoFrame {
    moving_frame(
        WIDTH,
        HEIGHT,
        index,
        i64::from(index) * 1_000_000 / i64::from(FPS),
    )
}

/// What the peer got back.
#[derive(Default)]
pub struct Received {
    /// Decoded frames, newest last (at most 300 kept).
    pub frames: Vec<I420Frame>,
    /// DataChannel messages.
    pub messages: Vec<ServerMessage>,
}

struct Handler {
    received: Arc<Mutex<Received>>,
    gathered: Mutex<Option<oneshot::Sender<()>>>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            if let Some(done) = self.gathered.lock().unwrap().take() {
                let _ = done.send(());
            }
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let received = self.received.clone();
        tokio::spawn(async move {
            let mut assembler = FrameAssembler::new();
            let mut decoder = Vp8Decoder::new().unwrap();
            while let Some(event) = track.poll().await {
                let TrackRemoteEvent::OnRtpPacket(packet) = event else {
                    continue;
                };
                let h = &packet.header;
                if let Ok(Some(frame)) =
                    assembler.push(h.sequence_number, h.timestamp, h.marker, &packet.payload)
                {
                    if let Ok(frames) = decoder.decode(&frame.data, 0) {
                        let mut received = received.lock().unwrap();
                        received.frames.extend(frames);
                        let excess = received.frames.len().saturating_sub(300);
                        received.frames.drain(..excess);
                    }
                }
            }
        });
    }
}

/// A client peer connection sending video and holding a DataChannel.
pub struct TestPeer {
    pub pc: Arc<dyn PeerConnection>,
    video: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    pub channel: Arc<dyn DataChannel>,
    pub received: Arc<Mutex<Received>>,
    gathered: Option<oneshot::Receiver<()>>,
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
        payload_type: 96,
    }
}

impl TestPeer {
    /// A peer on 127.0.0.1 with a VP8 video track and the DataChannel.
    pub async fn new() -> Self {
        let mut media_engine = MediaEngine::default();
        media_engine
            .register_codec(vp8(), RtpCodecKind::Video)
            .unwrap();
        let interceptors =
            register_default_interceptors(Interceptors::new(), &mut media_engine).unwrap();
        let received = Arc::new(Mutex::new(Received::default()));
        let (gathered_tx, gathered_rx) = oneshot::channel();
        let handler = Arc::new(Handler {
            received: received.clone(),
            gathered: Mutex::new(Some(gathered_tx)),
        });
        let pc = PeerConnectionBuilder::new()
            .with_configuration(RTCConfigurationBuilder::new().build())
            .with_media_engine(media_engine)
            .with_interceptor_registry(interceptors)
            .with_handler(handler)
            .with_runtime(webrtc::runtime::default_runtime().unwrap())
            .with_udp_addrs(vec!["127.0.0.1:0".to_owned()])
            .build()
            .await
            .unwrap();
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
        let video = Arc::new(TrackLocalStaticSample::new(Instant::now(), track).unwrap());
        pc.add_track(video.clone() as Arc<dyn TrackLocal>)
            .await
            .unwrap();
        let channel = pc
            .create_data_channel(DATA_CHANNEL_LABEL, None)
            .await
            .unwrap();
        let messages = received.clone();
        let reader = channel.clone();
        tokio::spawn(async move {
            while let Some(event) = reader.poll().await {
                if let DataChannelEvent::OnMessage(message) = event {
                    let text = String::from_utf8_lossy(&message.data).into_owned();
                    if let Ok(message) = wire::decode::<ServerMessage>(&text) {
                        messages.lock().unwrap().messages.push(message);
                    }
                }
            }
        });
        Self {
            pc,
            video,
            ssrc,
            channel,
            received,
            gathered: Some(gathered_rx),
        }
    }

    /// The complete offer (ICE gathered).
    pub async fn offer(&mut self) -> String {
        let offer = self.pc.create_offer(None).await.unwrap();
        self.pc.set_local_description(offer).await.unwrap();
        if let Some(gathered) = self.gathered.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), gathered).await;
        }
        self.pc.local_description().await.unwrap().sdp
    }

    /// Applies the server's answer.
    pub async fn accept(&self, sdp: String) {
        let answer = RTCSessionDescription::answer(sdp).unwrap();
        self.pc.set_remote_description(answer).await.unwrap();
    }

    /// Sends frames `from..to` of the test video at [`FPS`], VP8 at the
    /// bitrate the server would use for the size.
    pub async fn send_frames(&self, encoder: &mut Vp8Encoder, from: u32, to: u32) {
        let period = Duration::from_secs(1) / FPS;
        let payload_type = 96;
        let mut tick = tokio::time::interval(period);
        for index in from..to {
            tick.tick().await;
            let frame = I420Frame::from_rgba(&test_frame(index), ColorRange::Limited);
            let pts = i64::from(index) * TIMEBASE_HZ / i64::from(FPS);
            // A keyframe every half second, as a browser answers the
            // server's keyframe requests (this peer reads no RTCP).
            let keyframe = (index - from).is_multiple_of(FPS / 2);
            for encoded in encoder.encode(&frame, pts, keyframe).unwrap() {
                let sample = Sample {
                    data: Bytes::from(encoded.data),
                    duration: period,
                    ..Sample::new(Instant::now())
                };
                let _ = self
                    .video
                    .sample_writer(self.ssrc, payload_type)
                    .write_sample(&sample)
                    .await;
            }
        }
    }

    /// The server's messages so far.
    pub fn messages(&self) -> Vec<ServerMessage> {
        self.received.lock().unwrap().messages.clone()
    }

    /// Decoded frames received so far (the newest at most 300).
    pub fn frames(&self) -> Vec<I420Frame> {
        self.received.lock().unwrap().frames.clone()
    }
}

/// An encoder like a browser's at 640×480 (≥ 1 Mbps).
pub fn encoder() -> Vp8Encoder {
    let config = EncoderConfig::for_size(WIDTH, HEIGHT, FPS);
    assert!(config.bitrate_kbps >= 1000, "{config:?}");
    Vp8Encoder::new(config).unwrap()
}

/// POSTs `body` to `/api/sessions` of `app`; returns status, headers'
/// Location and the JSON body.
pub async fn post_session(
    app: axum::Router,
    body: String,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let request = Request::post("/api/sessions")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, location, json)
}

/// Starts a session with `processor` for `peer` through `app`.
pub async fn connect(app: axum::Router, peer: &mut TestPeer, processor: &str) -> SessionAnswer {
    let offer = peer.offer().await;
    let body = serde_json::json!({"sdp": offer, "processor": processor, "params": {}}).to_string();
    let (status, location, json) = post_session(app, body).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let answer: SessionAnswer = serde_json::from_value(json).unwrap();
    assert_eq!(location, Some(format!("/api/sessions/{}", answer.session)));
    peer.accept(answer.sdp.clone()).await;
    answer
}

/// Luma PSNR between two equally sized I420 frames, dB.
pub fn psnr(a: &I420Frame, b: &I420Frame) -> f64 {
    let (ya, yb) = (a.y(), b.y());
    let mse = ya
        .iter()
        .zip(yb)
        .map(|(&p, &q)| (f64::from(p) - f64::from(q)).powi(2))
        .sum::<f64>()
        / ya.len().max(1) as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
