//! One session's video work, synchronous and free of I/O: decode a VP8
//! frame ([`VideoDecoder`]), and turn a decoded frame into the processed,
//! re-encoded one ([`FrameProcessor`]: I420 → RGBA → the `framewise`
//! processor → I420 → VP8). The session's tasks call these (on blocking
//! threads) and move the bytes; tests call them directly.

use std::time::Instant;

use framewise::window::Window;
use framewise::wire::RemoteStats;
use framewise::{ColorRange, I420Frame, PipelineError, VideoPipeline};
use framewise_vpx::{EncodedFrame, EncoderConfig, Vp8Decoder, Vp8Encoder, VpxError};
use serde_json::Value;

/// How many recent frames the timing percentiles cover.
const TIMING_WINDOW: usize = 120;

/// What can go wrong with one frame.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// libvpx refused to decode or encode.
    #[error(transparent)]
    Codec(#[from] VpxError),
    /// The processor failed on this frame or refused params.
    #[error(transparent)]
    Processor(#[from] PipelineError),
}

/// Decodes VP8 frames, timing each.
pub struct VideoDecoder {
    decoder: Vp8Decoder,
    decode_ms: Window,
    decoded: u64,
}

impl VideoDecoder {
    /// A decoder for one incoming stream.
    pub fn new() -> Result<Self, MediaError> {
        Ok(Self {
            decoder: Vp8Decoder::new()?,
            decode_ms: Window::new(TIMING_WINDOW),
            decoded: 0,
        })
    }

    /// Decodes one compressed frame into the frames it yields.
    pub fn decode(&mut self, data: &[u8], timestamp_us: i64) -> Result<Vec<I420Frame>, MediaError> {
        let started = Instant::now();
        let frames = self.decoder.decode(data, timestamp_us)?;
        self.decode_ms.push(started.elapsed().as_secs_f64() * 1e3);
        self.decoded += frames.len() as u64;
        Ok(frames)
    }

    /// Writes the decoding counters into `stats`.
    pub fn fill(&self, stats: &mut RemoteStats) {
        stats.decoded = self.decoded;
        stats.decode_ms_p50 = self.decode_ms.percentile(50.0).unwrap_or(0.0);
    }
}

/// A processed frame, encoded, and what the processor said about it.
#[derive(Debug)]
pub struct Processed {
    /// The VP8 frames to send (usually one).
    pub encoded: Vec<EncodedFrame>,
    /// The processor's results for this frame.
    pub results: Vec<Value>,
}

/// Runs the session's processor on decoded frames and encodes the output.
pub struct FrameProcessor {
    pipeline: VideoPipeline,
    /// Encode the output (off: results only, for a send-only client).
    encodes: bool,
    encoder: Option<(Vp8Encoder, (u32, u32))>,
    fps: u32,
    keyframe_requested: bool,
    sent: u64,
    process_ms: Window,
    encode_ms: Window,
    size: (u32, u32),
}

impl FrameProcessor {
    /// Runs `pipeline`; the encoder is made for the first frame's size at
    /// `fps` (the bitrate follows the size).
    pub fn new(pipeline: VideoPipeline, fps: u32) -> Self {
        Self {
            pipeline,
            encodes: true,
            encoder: None,
            fps: fps.max(1),
            keyframe_requested: true,
            sent: 0,
            process_ms: Window::new(TIMING_WINDOW),
            encode_ms: Window::new(TIMING_WINDOW),
            size: (0, 0),
        }
    }

    /// Runs `pipeline` for its results only: nothing is converted back or
    /// encoded (a send-only client gets no video).
    pub fn results_only(pipeline: VideoPipeline) -> Self {
        Self {
            encodes: false,
            ..Self::new(pipeline, 1)
        }
    }

    /// New params for the processor, applied before the next frame; a
    /// rejected change keeps the old params.
    pub fn set_params(&mut self, params: &Value) -> Result<(), MediaError> {
        Ok(self.pipeline.set_params(params)?)
    }

    /// Whether the processor hears audio (give it the microphone with
    /// [`hear`](Self::hear)).
    pub fn hears_audio(&self) -> bool {
        self.pipeline.info().hears_audio
    }

    /// Gives the processor a block of the sound heard since the last
    /// frame.
    pub fn hear(&mut self, audio: &framewise::AudioFrame) {
        self.pipeline.hear(audio);
    }

    /// The next encoded frame will be a keyframe (the receiver lost one).
    pub fn request_keyframe(&mut self) {
        self.keyframe_requested = true;
    }

    /// Processes one decoded frame and encodes the result; `pts` is the
    /// frame's time in the encoder's 90 kHz clock, increasing.
    pub fn process(&mut self, frame: &I420Frame, pts: i64) -> Result<Processed, MediaError> {
        let started = Instant::now();
        let mut rgba = frame.to_rgba(ColorRange::Limited);
        let results = self.pipeline.process(&mut rgba)?;
        if !self.encodes {
            self.process_ms.push(started.elapsed().as_secs_f64() * 1e3);
            self.sent += 1;
            self.size = (rgba.width(), rgba.height());
            return Ok(Processed {
                encoded: Vec::new(),
                results,
            });
        }
        let output = I420Frame::from_rgba(&rgba, ColorRange::Limited);
        let processed_at = Instant::now();
        self.process_ms
            .push((processed_at - started).as_secs_f64() * 1e3);
        let size = (output.width(), output.height());
        let encoder = match &mut self.encoder {
            Some((encoder, at)) if *at == size => encoder,
            slot => {
                let config = EncoderConfig::for_size(size.0, size.1, self.fps);
                self.keyframe_requested = true;
                &mut slot.insert((Vp8Encoder::new(config)?, size)).0
            }
        };
        let keyframe = std::mem::take(&mut self.keyframe_requested);
        let encoded = encoder.encode(&output, pts, keyframe)?;
        self.encode_ms
            .push(processed_at.elapsed().as_secs_f64() * 1e3);
        self.sent += 1;
        self.size = size;
        Ok(Processed { encoded, results })
    }

    /// Writes the processing counters into `stats`.
    pub fn fill(&self, stats: &mut RemoteStats) {
        stats.sent = self.sent;
        stats.process_ms_p50 = self.process_ms.percentile(50.0).unwrap_or(0.0);
        stats.process_ms_p95 = self.process_ms.percentile(95.0).unwrap_or(0.0);
        stats.encode_ms_p50 = self.encode_ms.percentile(50.0).unwrap_or(0.0);
        (stats.width, stats.height) = self.size;
    }
}

#[cfg(test)]
mod tests {
    use framewise::{synth, ColorRange, I420Frame, Registry};
    use serde_json::json;

    use super::FrameProcessor;

    fn frame_stats() -> framewise::VideoPipeline {
        Registry::with_builtins()
            .video("frame-stats", &json!({}))
            .expect("a built-in processor")
    }

    #[test]
    fn results_only_processes_without_encoding() {
        let frame = I420Frame::from_rgba(&synth::moving_frame(64, 48, 0, 0), ColorRange::Limited);
        let mut both = FrameProcessor::new(frame_stats(), 30);
        let mut results_only = FrameProcessor::results_only(frame_stats());
        let encoded = both.process(&frame, 0).expect("processed");
        let only = results_only.process(&frame, 0).expect("processed");
        assert!(!encoded.encoded.is_empty(), "a two-way session sends video");
        assert!(
            only.encoded.is_empty(),
            "a send-only session encodes nothing"
        );
        assert_eq!(only.results, encoded.results, "the same results either way");
        assert!(!only.results.is_empty());
        let mut stats = framewise::wire::RemoteStats::default();
        results_only.fill(&mut stats);
        assert_eq!((stats.sent, stats.width, stats.encode_ms_p50), (1, 64, 0.0));
    }
}
