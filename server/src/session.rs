//! One session: a webrtc-rs peer connection that answers the browser's
//! offer, and the tasks that move its media through [`crate::media`].
//!
//! - **receive**: RTP from the browser's video track → [`FrameAssembler`]
//!   → [`VideoDecoder`] → the latest-frame [`LatestSlot`] (a keyframe is
//!   asked for with a PLI when frames were lost);
//! - **process**: the newest decoded frame → [`FrameProcessor`] on a
//!   blocking thread → VP8 samples on the answer's video track; results
//!   and stats on the DataChannel;
//! - **audio**, when offered: each Opus packet → [`AudioProcessor`] (decode,
//!   the request's audio processor, encode) → the answer's audio track
//!   under the same RTP numbers; without an audio processor, RTP passed
//!   back unchanged;
//! - **control**: the browser's DataChannel ([`ClientMessage`]) sets video
//!   or audio params, applied before the next frame or block.
//! - a video processor that hears audio is given the microphone, decoded
//!   by the audio task ([`Hearing`]), before each frame.
//!
//! An offer may carry video, audio or both; a session with audio only is
//! kept alive by its audio.
//!
//! Every task runs on the server's task tracker and ends when the
//! session's token is cancelled: on DELETE, on shutdown, when the
//! connection fails or closes, or when no media came for the idle timeout.
//! Then the peer connection is closed (its sockets with it) and the session
//! leaves the table.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use framewise::wire::{
    self, ClientMessage, RemoteStats, ServerMessage, SessionAnswer, SessionRequest,
};
use framewise::I420Frame;
use rtc::interceptor::Registry as Interceptors;
use rtc::media::Sample;
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::setting_engine::SettingEngineBuilder;
use rtc::peer_connection::configuration::RTCConfigurationBuilder;
use rtc::peer_connection::sdp::RTCSessionDescription;
use rtc::peer_connection::transport::{RTCDtlsRole, RTCIceServer};
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp::Packet as RtpPacket;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::rtp_transceiver::PayloadType;
use serde_json::Value;
use tokio::sync::{oneshot, Notify};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use webrtc::data_channel::{DataChannel, DataChannelEvent};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCIceGatheringState,
    RTCPeerConnectionState,
};

use crate::codecs;
use crate::gathering::GatheringDone;
use crate::keyframe_requests::{self, KeyframeRequests};
use crate::media::{
    AudioError, AudioProcessor, FrameAssembler, FrameProcessor, Hearing, LatestSlot, MediaError,
    VideoDecoder,
};
use crate::sessions::{Full, SessionGuard};
use crate::{lock, AppState};

/// Keyframe requests to the browser are at least this far apart.
const PLI_INTERVAL: Duration = Duration::from_millis(500);
/// Stats go to the browser every this many processed frames, and at
/// least every [`STATS_INTERVAL`] while frames are processed.
const STATS_EVERY: u64 = 30;
const STATS_INTERVAL: Duration = Duration::from_secs(1);
/// Audio results go out at most this often, gathered in between (at
/// most [`framewise::processor::MAX_RESULTS_PER_FRAME`], the newest kept).
const AUDIO_RESULTS_INTERVAL: Duration = Duration::from_millis(33);
/// At most this many per-frame errors are sent (then only counted).
const MAX_REPORTED_ERRORS: u64 = 5;

/// Why a session could not start.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The offer is not SDP.
    #[error("the offer is not valid SDP: {0}")]
    BadSdp(String),
    /// The offer has neither video nor audio.
    #[error(
        "the offer has neither video (m=video) nor audio (m=audio): send the camera or the \
         microphone track"
    )]
    NoMedia,
    /// The request names a video processor, the offer has no video.
    #[error(
        "the request names a video processor but the offer has no video (m=video) section: \
         send the camera track, or leave \"processor\" out for audio only"
    )]
    NoVideo,
    /// The request names an audio processor, the offer has no audio.
    #[error(
        "the request names an audio processor but the offer has no audio (m=audio) section: \
         send the microphone track, or leave \"audio_processor\" out"
    )]
    NoAudio,
    /// Unknown processor or bad params, or video without a processor.
    #[error("{0}")]
    Processor(String),
    /// The session table is full.
    #[error(transparent)]
    Full(#[from] Full),
    /// webrtc-rs failed.
    #[error("WebRTC failed: {0}")]
    WebRtc(String),
    /// The codec could not be set up.
    #[error(transparent)]
    Media(#[from] MediaError),
    /// The audio codec could not be set up.
    #[error(transparent)]
    Audio(#[from] AudioError),
}

fn webrtc_error(error: impl std::fmt::Display) -> SessionError {
    SessionError::WebRtc(error.to_string())
}

/// The media sections of an offer: (has video, has audio, the video is
/// send-only: processed for results, no video back).
fn media_kinds(offer: &RTCSessionDescription) -> Result<(bool, bool, bool), SessionError> {
    let parsed = offer
        .unmarshal()
        .map_err(|e| SessionError::BadSdp(e.to_string()))?;
    let of = |kind: &str| {
        parsed
            .media_descriptions
            .iter()
            .find(|m| m.media_name.media == kind)
    };
    let video = of("video");
    let send_only = video.is_some_and(|m| m.attribute("sendonly").is_some());
    Ok((video.is_some(), of("audio").is_some(), send_only))
}

/// Checks the request, answers the offer, and starts the session's tasks.
pub async fn start(
    state: &Arc<AppState>,
    request: SessionRequest,
) -> Result<SessionAnswer, SessionError> {
    let offer = RTCSessionDescription::offer(request.sdp.clone())
        .map_err(|e| SessionError::BadSdp(e.to_string()))?;
    let (video, audio, send_only) = media_kinds(&offer)?;
    let processors = Processors::for_request(state, &request, video, audio)?;
    let reservation = state.sessions.reserve()?;
    let config = &state.config;
    let shared = Arc::new(Shared {
        token: reservation.token().clone(),
        tracker: state.sessions.tracker().clone(),
        slot: Mutex::new(LatestSlot::new()),
        frame_ready: Notify::new(),
        hearing: processors.hearing.map(Mutex::new),
        processor: processors
            .video
            .map(|pipeline| match send_only {
                true => FrameProcessor::results_only(pipeline),
                false => FrameProcessor::new(pipeline, config.fps),
            })
            .map(|processor| Arc::new(Mutex::new(processor))),
        runs_audio: processors.audio.is_some(),
        audio_processor: Mutex::new(processors.audio),
        pending_params: Mutex::new(None),
        pending_audio_params: Mutex::new(None),
        channel: Mutex::new(None),
        stats: Mutex::new(RemoteStats::default()),
        last_media: Mutex::new(Instant::now()),
        video_out: Mutex::new(None),
        audio_out: Mutex::new(None),
        errors: AtomicU64::new(0),
        keyframe_wanted: AtomicBool::new(false),
    });
    let (gathered, gathered_rx) = GatheringDone::new();
    let handler = Arc::new(Handler {
        shared: shared.clone(),
        gathered,
    });
    let peer = build_peer(config, handler).await?;
    let answered = answer(
        &peer,
        &shared,
        offer,
        (video && !send_only, audio),
        config.ice_gather_timeout,
        gathered_rx,
    )
    .await;
    let sdp = match answered {
        Ok(sdp) => sdp,
        Err(error) => {
            let _ = peer.close().await;
            return Err(error);
        }
    };
    let session = reservation.id().to_owned();
    let guard = reservation.activate();
    let tracker = state.sessions.tracker().clone();
    tracker.spawn(keyframe_requests(shared.clone()));
    tracker.spawn(run(peer, shared, guard, config.idle_timeout));
    tracing::info!(
        session,
        processor = request.processor,
        audio_processor = request.audio_processor,
        "session started"
    );
    Ok(SessionAnswer { sdp, session })
}

/// The processors a request asks for, checked against the offer's media.
struct Processors {
    video: Option<framewise::VideoPipeline>,
    audio: Option<AudioProcessor>,
    /// The microphone decoded for a video processor that hears it.
    hearing: Option<Hearing>,
}

impl Processors {
    /// Builds the request's processors: video needs one, audio may have
    /// one, and neither may be named for media the offer lacks. Unknown
    /// names and bad params give the registry's own words.
    fn for_request(
        state: &AppState,
        request: &SessionRequest,
        video: bool,
        audio: bool,
    ) -> Result<Self, SessionError> {
        let rejected = |e: framewise::RegistryError| SessionError::Processor(e.to_string());
        if !video && !audio {
            return Err(SessionError::NoMedia);
        }
        let video_pipeline = match (&request.processor, video) {
            (Some(_), false) => return Err(SessionError::NoVideo),
            (None, true) => {
                return Err(SessionError::Processor(
                    "the offer has video but the request names no \"processor\": add one of \
                     GET /api/processors"
                        .into(),
                ))
            }
            (Some(name), true) => Some(
                state
                    .registry
                    .video(name, &request.params)
                    .map_err(rejected)?,
            ),
            (None, false) => None,
        };
        let audio_processor = match (&request.audio_processor, audio) {
            (Some(_), false) => return Err(SessionError::NoAudio),
            (Some(name), true) => {
                let pipeline = state
                    .registry
                    .audio(name, &request.audio_params)
                    .map_err(rejected)?;
                Some(AudioProcessor::new(pipeline)?)
            }
            (None, _) => None,
        };
        let hears = video_pipeline
            .as_ref()
            .is_some_and(|p| p.info().hears_audio);
        let hearing = match hears && audio {
            true => Some(Hearing::new()?),
            false => None,
        };
        Ok(Self {
            video: video_pipeline,
            audio: audio_processor,
            hearing,
        })
    }
}

/// A peer connection with VP8 (and Opus) and the default interceptors
/// (NACK, RTCP reports), bound to the configured IP.
async fn build_peer(
    config: &crate::ServerConfig,
    handler: Arc<Handler>,
) -> Result<Arc<dyn PeerConnection>, SessionError> {
    let mut media_engine = codecs::media_engine().map_err(SessionError::WebRtc)?;
    let interceptors = register_default_interceptors(Interceptors::new(), &mut media_engine)
        .map_err(webrtc_error)?
        .with(keyframe_requests::slot(), KeyframeRequests::default());
    let ice_servers = config
        .ice_servers
        .iter()
        .map(|server| RTCIceServer {
            urls: server.urls.clone(),
            username: server.username.clone(),
            credential: server.credential.clone(),
        })
        .collect();
    let configuration = RTCConfigurationBuilder::new()
        .with_ice_servers(ice_servers)
        .build();
    let runtime = webrtc::runtime::default_runtime()
        .ok_or_else(|| SessionError::WebRtc("no async runtime compiled in".into()))?;
    // The browser (the offerer) starts the DTLS handshake: as DTLS
    // client, Chromium answered the server's first ClientHello only
    // after ~200 ms.
    let settings = SettingEngineBuilder::new()
        .with_answering_dtls_role(RTCDtlsRole::Server)
        .build();
    let peer = PeerConnectionBuilder::new()
        .with_configuration(configuration)
        .with_setting_engine(settings)
        .with_media_engine(media_engine)
        .with_interceptor_registry(interceptors)
        .with_handler(handler)
        .with_runtime(runtime)
        .with_udp_addrs(vec![format!("{}:0", config.udp_ip)])
        .build()
        .await
        .map_err(webrtc_error)?;
    Ok(Arc::new(peer))
}

/// Adds the outgoing tracks (`video`: none for a send-only offer),
/// answers `offer` and waits (bounded) for ICE
/// gathering; returns the answer's SDP.
async fn answer(
    peer: &Arc<dyn PeerConnection>,
    shared: &Arc<Shared>,
    offer: RTCSessionDescription,
    (video, audio): (bool, bool),
    gather_timeout: Duration,
    gathered: oneshot::Receiver<()>,
) -> Result<String, SessionError> {
    let video_out = if video {
        let (track, ssrc) = codecs::local_track("framewise", RtpCodecKind::Video, &codecs::vp8());
        let out =
            Arc::new(TrackLocalStaticSample::new(Instant::now(), track).map_err(webrtc_error)?);
        let sender = peer
            .add_track(out.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(webrtc_error)?;
        Some((out, ssrc, sender))
    } else {
        None
    };
    let audio_out = if audio {
        let (track, ssrc) = codecs::local_track("framewise", RtpCodecKind::Audio, &codecs::opus());
        let out = Arc::new(TrackLocalStaticRTP::new(track));
        peer.add_track(out.clone() as Arc<dyn TrackLocal>)
            .await
            .map_err(webrtc_error)?;
        Some((out, ssrc))
    } else {
        None
    };
    peer.set_remote_description(offer)
        .await
        .map_err(|e| SessionError::BadSdp(e.to_string()))?;
    let answer = peer.create_answer(None).await.map_err(webrtc_error)?;
    peer.set_local_description(answer)
        .await
        .map_err(webrtc_error)?;
    if tokio::time::timeout(gather_timeout, gathered)
        .await
        .is_err()
    {
        tracing::warn!(
            "ICE gathering took over {gather_timeout:?}; answering with what is gathered"
        );
    }
    if let Some((track, ssrc, sender)) = video_out {
        let payload_type = sender
            .get_parameters()
            .await
            .map_err(webrtc_error)?
            .rtp_parameters
            .codecs
            .first()
            .map(|codec| codec.payload_type)
            .unwrap_or(codecs::VP8_PAYLOAD_TYPE);
        *lock(&shared.video_out) = Some(VideoOut {
            track,
            ssrc,
            payload_type,
        });
    }
    *lock(&shared.audio_out) = audio_out;
    peer.local_description()
        .await
        .map(|description| codecs::with_ptime(&description.sdp, codecs::AUDIO_PTIME_MS))
        .ok_or_else(|| SessionError::WebRtc("no local description after answering".into()))
}

/// The answer's video track and how to write to it.
struct VideoOut {
    track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    payload_type: PayloadType,
}

/// What a session's tasks share.
struct Shared {
    /// Cancelled when the session must end.
    token: CancellationToken,
    tracker: TaskTracker,
    /// Decoded frames waiting for processing (latest wins), with their
    /// RTP timestamps.
    slot: Mutex<LatestSlot<(I420Frame, u32)>>,
    frame_ready: Notify,
    /// The video processor (none in an audio-only session).
    processor: Option<Arc<Mutex<FrameProcessor>>>,
    /// The microphone decoded for a video processor that hears it
    /// (none when it does not, or the offer has no audio).
    hearing: Option<Mutex<Hearing>>,
    /// Whether the request named an audio processor.
    runs_audio: bool,
    /// The audio processor, until the audio task takes it (none: audio
    /// passes through).
    audio_processor: Mutex<Option<AudioProcessor>>,
    /// Params from the DataChannel, applied before the next frame.
    pending_params: Mutex<Option<Value>>,
    /// Audio params from the DataChannel, applied before the next block.
    pending_audio_params: Mutex<Option<Value>>,
    channel: Mutex<Option<Arc<dyn DataChannel>>>,
    stats: Mutex<RemoteStats>,
    /// When media last arrived, for the idle timeout.
    last_media: Mutex<Instant>,
    video_out: Mutex<Option<VideoOut>>,
    audio_out: Mutex<Option<(Arc<TrackLocalStaticRTP>, u32)>>,
    /// Per-frame errors so far.
    errors: AtomicU64,
    /// The browser asked for a keyframe (PLI/FIR) of the processed video.
    keyframe_wanted: AtomicBool,
}

/// webrtc-rs frees a closed connection's last parts on its own tasks,
/// up to a couple of seconds after the session's own parts are gone.
const LAST_PARTS_FREED: Duration = Duration::from_secs(2);

impl Drop for Shared {
    /// The session's tasks and codecs are gone: the memory they freed
    /// goes back to the system, now and once more when webrtc-rs has
    /// freed the connection's last parts, so the server's RSS falls back
    /// after sessions end instead of staying at its high-water mark.
    fn drop(&mut self) {
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(async {
                let _ = tokio::task::spawn_blocking(framewise_vpx::release_free_memory).await;
                tokio::time::sleep(LAST_PARTS_FREED).await;
                let _ = tokio::task::spawn_blocking(framewise_vpx::release_free_memory).await;
            })),
            Err(_) => drop(framewise_vpx::release_free_memory()),
        }
    }
}

impl Shared {
    /// Sends `message` on the DataChannel, if it is open.
    async fn send(&self, message: &ServerMessage) {
        let channel = lock(&self.channel).clone();
        if let Some(channel) = channel {
            if let Err(error) = channel.send_text(&wire::encode(message)).await {
                tracing::debug!("DataChannel send failed: {error}");
            }
        }
    }

    /// Decodes an audio packet for the video processor, if it hears
    /// audio; a packet that does not decode is skipped.
    fn hear(&self, packet: &RtpPacket) {
        if let Some(hearing) = &self.hearing {
            let heard = lock(hearing).hear(packet.header.timestamp, &packet.payload);
            if let Err(error) = heard {
                tracing::debug!("hearing the microphone: {error}");
            }
        }
    }

    /// Sends an error, unless [`MAX_REPORTED_ERRORS`] were sent already.
    async fn report(&self, message: String) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < MAX_REPORTED_ERRORS {
            self.send(&ServerMessage::Error { message }).await;
        }
    }
}

/// The peer connection's events.
struct Handler {
    shared: Arc<Shared>,
    gathered: GatheringDone,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        self.gathered.on_state(state);
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::debug!("connection state: {state}");
        if matches!(
            state,
            RTCPeerConnectionState::Failed
                | RTCPeerConnectionState::Disconnected
                | RTCPeerConnectionState::Closed
        ) {
            self.shared.token.cancel();
        }
    }

    async fn on_data_channel(&self, channel: Arc<dyn DataChannel>) {
        let shared = self.shared.clone();
        self.shared.tracker.spawn(control(shared, channel));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let shared = self.shared.clone();
        match track.kind().await {
            RtpCodecKind::Video => {
                self.shared
                    .tracker
                    .spawn(receive_video(shared.clone(), track));
                self.shared.tracker.spawn(process_video(shared));
            }
            RtpCodecKind::Audio => {
                let processor = lock(&self.shared.audio_processor).take();
                match processor {
                    Some(processor) => {
                        self.shared
                            .tracker
                            .spawn(process_audio(shared, track, processor));
                    }
                    None => {
                        self.shared.tracker.spawn(pass_audio(shared, track));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The session's own task: waits for its end, then closes everything.
async fn run(
    peer: Arc<dyn PeerConnection>,
    shared: Arc<Shared>,
    guard: SessionGuard,
    idle_timeout: Duration,
) {
    let check = idle_timeout.min(Duration::from_secs(1));
    loop {
        tokio::select! {
            () = shared.token.cancelled() => break,
            () = tokio::time::sleep(check) => {
                if lock(&shared.last_media).elapsed() > idle_timeout {
                    tracing::info!("session idle for {idle_timeout:?}: ending it");
                    break;
                }
            }
        }
    }
    shared.token.cancel();
    lock(&shared.channel).take();
    if let Err(error) = peer.close().await {
        tracing::warn!("closing a peer connection: {error}");
    }
    drop(guard);
    tracing::info!("session ended");
}

/// The browser's keyframe requests (PLI/FIR) about the processed video,
/// which arrive on the answer's track: the next frame is encoded as a
/// keyframe.
async fn keyframe_requests(shared: Arc<Shared>) {
    let Some(track) = lock(&shared.video_out)
        .as_ref()
        .map(|out| out.track.clone())
    else {
        return;
    };
    loop {
        let Some(event) = shared.token.run_until_cancelled(track.poll()).await else {
            break;
        };
        match event {
            Some(TrackLocalEvent::OnRtcpPacket(packets)) => {
                // Only keyframe requests get here (see keyframe_requests).
                if packets
                    .iter()
                    .any(|p| keyframe_requests::is_keyframe_request(p.as_ref()))
                {
                    shared.keyframe_wanted.store(true, Ordering::Relaxed);
                }
            }
            Some(_) => {}
            None => break,
        }
    }
}

/// The browser's video: packets → frames → decoded frames in the slot.
async fn receive_video(shared: Arc<Shared>, track: Arc<dyn TrackRemote>) {
    let media_ssrc = track.ssrcs().await.first().copied().unwrap_or(0);
    let mut assembler = FrameAssembler::new();
    let mut decoder = match VideoDecoder::new() {
        Ok(decoder) => decoder,
        Err(error) => {
            shared
                .report(format!("the server cannot decode video: {error}"))
                .await;
            shared.token.cancel();
            return;
        }
    };
    let mut last_pli: Option<Instant> = None;
    while let Some(packet) = next_packet(&shared, &track).await {
        *lock(&shared.last_media) = Instant::now();
        let header = &packet.header;
        match assembler.push(
            header.sequence_number,
            header.timestamp,
            header.marker,
            &packet.payload,
        ) {
            Ok(Some(frame)) => {
                let timestamp_us = i64::from(frame.rtp_timestamp) * 1_000_000 / 90_000;
                match decoder.decode(&frame.data, timestamp_us) {
                    Ok(frames) => {
                        for decoded in frames {
                            lock(&shared.slot).put((decoded, frame.rtp_timestamp));
                            shared.frame_ready.notify_one();
                        }
                    }
                    Err(error) => tracing::debug!("a frame did not decode: {error}"),
                }
                decoder.fill(&mut lock(&shared.stats));
            }
            Ok(None) => {}
            Err(error) => tracing::debug!("{error}"),
        }
        if assembler.wants_keyframe() && last_pli.is_none_or(|at| at.elapsed() >= PLI_INTERVAL) {
            last_pli = Some(Instant::now());
            let pli = PictureLossIndication {
                sender_ssrc: 0,
                media_ssrc,
            };
            if let Err(error) = track.write_rtcp(vec![Box::new(pli)]).await {
                tracing::debug!("PLI not sent: {error}");
            }
        }
    }
}

/// The newest decoded frame → the processor → VP8 on the answer's track.
async fn process_video(shared: Arc<Shared>) {
    let Some(frame_processor) = shared.processor.clone() else {
        return;
    };
    let mut last_taken: Option<u32> = None;
    // The encoder's clock (90 kHz, as RTP's), counted from zero.
    let mut pts: i64 = 0;
    let mut stats_sent_at: Option<Instant> = None;
    loop {
        if shared
            .token
            .run_until_cancelled(shared.frame_ready.notified())
            .await
            .is_none()
        {
            break;
        }
        let Some((frame, rtp_timestamp)) = lock(&shared.slot).take() else {
            continue;
        };
        // Time since the previous processed frame, in RTP ticks: the
        // sample's duration (frames skipped by the slot included).
        let ticks = last_taken.map_or(codecs::VIDEO_CLOCK_HZ / 30, |last| {
            rtp_timestamp.wrapping_sub(last)
        });
        last_taken = Some(rtp_timestamp);
        pts += i64::from(ticks);
        let duration =
            Duration::from_secs_f64(f64::from(ticks) / f64::from(codecs::VIDEO_CLOCK_HZ));
        let params = lock(&shared.pending_params).take();
        let keyframe = shared.keyframe_wanted.swap(false, Ordering::Relaxed);
        let heard = shared.hearing.as_ref().map(|h| lock(h).take());
        let processor = frame_processor.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut processor = lock(&processor);
            let configured = params.map(|params| processor.set_params(&params));
            for block in heard.iter().flatten() {
                processor.hear(block);
            }
            if keyframe {
                processor.request_keyframe();
            }
            let processed = processor.process(&frame, pts);
            (configured, processed)
        })
        .await;
        let Ok((configured, processed)) = work else {
            shared
                .report("the processor panicked on a frame".into())
                .await;
            continue;
        };
        if let Some(Err(error)) = configured {
            shared
                .send(&ServerMessage::Error {
                    message: error.to_string(),
                })
                .await;
        }
        let processed = match processed {
            Ok(processed) => processed,
            Err(error) => {
                shared.report(error.to_string()).await;
                continue;
            }
        };
        let out = lock(&shared.video_out)
            .as_ref()
            .map(|out| (out.track.clone(), out.ssrc, out.payload_type));
        if let Some((track, ssrc, payload_type)) = out {
            for encoded in processed.encoded {
                let sample = Sample {
                    data: Bytes::from(encoded.data),
                    duration,
                    ..Sample::new(Instant::now())
                };
                if let Err(error) = track
                    .sample_writer(ssrc, payload_type)
                    .write_sample(&sample)
                    .await
                {
                    tracing::debug!("writing a sample: {error}");
                }
            }
        }
        if !processed.results.is_empty() {
            shared
                .send(&ServerMessage::Results {
                    results: processed.results,
                })
                .await;
        }
        let stats = {
            let mut stats = lock(&shared.stats).clone();
            stats.dropped = lock(&shared.slot).dropped();
            lock(&frame_processor).fill(&mut stats);
            stats
        };
        let due = stats_sent_at.is_none_or(|at| at.elapsed() >= STATS_INTERVAL);
        if due || stats.sent.is_multiple_of(STATS_EVERY) {
            stats_sent_at = Some(Instant::now());
            shared.send(&ServerMessage::Stats(stats)).await;
        }
    }
}

/// The next RTP packet of `track`; `None` once the track or the session
/// ended.
async fn next_packet(shared: &Shared, track: &Arc<dyn TrackRemote>) -> Option<RtpPacket> {
    loop {
        match shared.token.run_until_cancelled(track.poll()).await?? {
            TrackRemoteEvent::OnRtpPacket(packet) => return Some(packet),
            TrackRemoteEvent::OnEnded => return None,
            _ => {}
        }
    }
}

/// The browser's audio, passed back unchanged on the answer's audio track.
async fn pass_audio(shared: Arc<Shared>, track: Arc<dyn TrackRemote>) {
    let Some((out, ssrc)) = lock(&shared.audio_out).clone() else {
        return;
    };
    while let Some(mut packet) = next_packet(&shared, &track).await {
        *lock(&shared.last_media) = Instant::now();
        shared.hear(&packet);
        packet.header.ssrc = ssrc;
        if let Err(error) = out.write_rtp(packet).await {
            tracing::debug!("audio passthrough: {error}");
        }
    }
}

/// The browser's audio through the audio processor: each Opus packet
/// decoded, processed and encoded on this task (a block takes well under
/// a millisecond), sent on the answer's audio track under its own RTP
/// numbers; results on the DataChannel (at most ~30 messages a second),
/// and in an audio-only session the stats too.
async fn process_audio(
    shared: Arc<Shared>,
    track: Arc<dyn TrackRemote>,
    mut processor: AudioProcessor,
) {
    let Some((out, ssrc)) = lock(&shared.audio_out).clone() else {
        return;
    };
    let audio_only = shared.processor.is_none();
    let mut stats_sent_at = Instant::now();
    let mut results: Vec<Value> = Vec::new();
    let mut results_sent_at = Instant::now();
    while let Some(packet) = next_packet(&shared, &track).await {
        *lock(&shared.last_media) = Instant::now();
        shared.hear(&packet);
        let params = lock(&shared.pending_audio_params).take();
        if let Some(Err(error)) = params.map(|params| processor.set_params(&params)) {
            let message = error.to_string();
            shared.send(&ServerMessage::Error { message }).await;
        }
        let header = &packet.header;
        let processed =
            processor.process(header.sequence_number, header.timestamp, &packet.payload);
        let processed = match processed {
            Ok(processed) => processed,
            Err(error) => {
                shared.report(error.to_string()).await;
                continue;
            }
        };
        for made in processed.packets {
            let mut outgoing = packet.clone();
            outgoing.header.ssrc = ssrc;
            outgoing.header.sequence_number = made.sequence;
            outgoing.header.timestamp = made.timestamp;
            outgoing.payload = Bytes::from(made.payload);
            if let Err(error) = out.write_rtp(outgoing).await {
                tracing::debug!("writing audio: {error}");
            }
        }
        results.extend(processed.results);
        let excess = results
            .len()
            .saturating_sub(framewise::processor::MAX_RESULTS_PER_FRAME);
        results.drain(..excess);
        if !results.is_empty() && results_sent_at.elapsed() >= AUDIO_RESULTS_INTERVAL {
            results_sent_at = Instant::now();
            let results = std::mem::take(&mut results);
            shared.send(&ServerMessage::Results { results }).await;
        }
        processor.fill(&mut lock(&shared.stats));
        if audio_only && stats_sent_at.elapsed() >= STATS_INTERVAL {
            stats_sent_at = Instant::now();
            let stats = lock(&shared.stats).clone();
            shared.send(&ServerMessage::Stats(stats)).await;
        }
    }
}

/// The browser's DataChannel: params in; results, stats and errors out
/// (through [`Shared::send`]).
async fn control(shared: Arc<Shared>, channel: Arc<dyn DataChannel>) {
    // A channel the browser created is usually open already.
    *lock(&shared.channel) = Some(channel.clone());
    loop {
        let Some(event) = shared.token.run_until_cancelled(channel.poll()).await else {
            break;
        };
        match event {
            Some(DataChannelEvent::OnOpen) => *lock(&shared.channel) = Some(channel.clone()),
            Some(DataChannelEvent::OnMessage(message)) => {
                let text = String::from_utf8_lossy(&message.data);
                match wire::decode::<ClientMessage>(&text) {
                    Ok(ClientMessage::Params { params }) => {
                        *lock(&shared.pending_params) = Some(params);
                    }
                    Ok(ClientMessage::AudioParams { params }) if shared.runs_audio => {
                        *lock(&shared.pending_audio_params) = Some(params);
                    }
                    Ok(ClientMessage::AudioParams { .. }) => {
                        let message = "audio params, but this session runs no audio processor: \
                                       name one as \"audio_processor\" when starting it"
                            .to_owned();
                        shared.send(&ServerMessage::Error { message }).await;
                    }
                    Err(error) => {
                        shared
                            .send(&ServerMessage::Error {
                                message: error.to_string(),
                            })
                            .await;
                    }
                }
            }
            Some(DataChannelEvent::OnClose) | None => break,
            Some(_) => {}
        }
    }
    lock(&shared.channel).take();
}
