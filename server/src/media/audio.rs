//! One session's audio work, synchronous and free of I/O: an Opus packet
//! from the browser → samples (libopus) → the `framewise` audio processor
//! → an Opus packet back, one packet out per packet in, on the same RTP
//! sequence numbers and timestamps so the browser plays it on the
//! incoming timing. The session's audio task calls it and moves the bytes.
//!
//! A gap in the sequence numbers (packets lost on the way in) of up to
//! [`MAX_CONCEALED`] packets is filled with libopus's concealment, run
//! through the processor and sent under the missing numbers, so a
//! processor with memory (a delay line) keeps its timing. Packets older
//! than the last one processed (late or repeated) are dropped.

use std::time::Instant;

use framewise::window::Window;
use framewise::wire::RemoteStats;
use framewise::{AudioFrame, AudioPipeline, PipelineError};
use framewise_opus::{OpusDecoder, OpusEncoder, OpusError, SAMPLE_RATE};
use serde_json::Value;

/// Bitrate of the processed audio: Opus at this rate is transparent for
/// speech and music in mono.
pub const AUDIO_BITRATE: i32 = 64_000;
/// Most lost packets in a row filled with concealment; a longer gap
/// starts afresh from the packet after it.
pub const MAX_CONCEALED: u16 = 5;
/// How many recent blocks the timing percentile covers.
const TIMING_WINDOW: usize = 250;

/// What can go wrong with one packet.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// libopus refused to decode or encode.
    #[error(transparent)]
    Codec(#[from] OpusError),
    /// The processor failed on this block or refused params.
    #[error(transparent)]
    Processor(#[from] PipelineError),
    /// The decoded samples are not a block the processor takes.
    #[error("a decoded audio block is not usable: {0}")]
    Frame(#[from] framewise::FrameError),
}

/// One packet to send: its RTP sequence number, timestamp and Opus
/// payload.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioPacket {
    /// RTP sequence number (that of the packet it was made from).
    pub sequence: u16,
    /// RTP timestamp, 48 kHz.
    pub timestamp: u32,
    /// The Opus payload.
    pub payload: Vec<u8>,
}

/// The packets one incoming packet turned into, and the results.
#[derive(Debug, Default)]
pub struct ProcessedAudio {
    /// Usually one; more after a gap (the concealed ones first), none for
    /// a late packet.
    pub packets: Vec<AudioPacket>,
    /// The processor's results for these blocks.
    pub results: Vec<Value>,
}

/// Where the stream is: the last packet processed and its length.
#[derive(Debug, Clone, Copy)]
struct Position {
    sequence: u16,
    timestamp: u32,
    samples: u32,
}

/// Runs the session's audio processor on the browser's Opus packets.
pub struct AudioProcessor {
    pipeline: AudioPipeline,
    decoder: OpusDecoder,
    encoder: OpusEncoder,
    last: Option<Position>,
    blocks: u64,
    process_us: Window,
}

impl AudioProcessor {
    /// Runs `pipeline`, encoding at [`AUDIO_BITRATE`].
    pub fn new(pipeline: AudioPipeline) -> Result<Self, AudioError> {
        Ok(Self {
            pipeline,
            decoder: OpusDecoder::new()?,
            encoder: OpusEncoder::new(AUDIO_BITRATE)?,
            last: None,
            blocks: 0,
            process_us: Window::new(TIMING_WINDOW),
        })
    }

    /// New params for the processor, applied before the next block; a
    /// rejected change keeps the old params.
    pub fn set_params(&mut self, params: &Value) -> Result<(), AudioError> {
        Ok(self.pipeline.set_params(params)?)
    }

    /// Processes the packet numbered `sequence` with RTP `timestamp`.
    /// A packet that does not decode is an error and changes nothing;
    /// the next one goes on.
    pub fn process(
        &mut self,
        sequence: u16,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<ProcessedAudio, AudioError> {
        let mut out = ProcessedAudio::default();
        let ahead = self.last.map(|last| sequence.wrapping_sub(last.sequence));
        match ahead {
            // Late or repeated (a wrapped difference in the upper half).
            Some(0) => return Ok(out),
            Some(n) if n >= 0x8000 => return Ok(out),
            _ => {}
        }
        let started = Instant::now();
        let samples = self.decoder.decode(payload)?;
        if let (Some(last), Some(ahead)) = (self.last, ahead) {
            if (2..=MAX_CONCEALED + 1).contains(&ahead) {
                self.conceal(last, ahead - 1, &mut out)?;
            }
        }
        let block = samples.len() as u32;
        let packet = self.run(sequence, timestamp, samples, &mut out.results)?;
        out.packets.push(packet);
        self.last = Some(Position {
            sequence,
            timestamp,
            samples: block,
        });
        self.process_us
            .push(started.elapsed().as_secs_f64() * 1e6 / out.packets.len() as f64);
        Ok(out)
    }

    /// Fills `missing` lost packets after `last` with concealment.
    fn conceal(
        &mut self,
        last: Position,
        missing: u16,
        out: &mut ProcessedAudio,
    ) -> Result<(), AudioError> {
        for k in 1..=missing {
            let samples = self.decoder.conceal()?;
            let sequence = last.sequence.wrapping_add(k);
            let timestamp = last
                .timestamp
                .wrapping_add(last.samples.wrapping_mul(u32::from(k)));
            let packet = self.run(sequence, timestamp, samples, &mut out.results)?;
            out.packets.push(packet);
        }
        Ok(())
    }

    /// One block through the processor and the encoder.
    fn run(
        &mut self,
        sequence: u16,
        timestamp: u32,
        samples: Vec<f32>,
        results: &mut Vec<Value>,
    ) -> Result<AudioPacket, AudioError> {
        let timestamp_us = i64::from(timestamp) * 1_000_000 / i64::from(SAMPLE_RATE);
        let mut frame = AudioFrame::new(SAMPLE_RATE, 1, samples, timestamp_us)?;
        results.extend(self.pipeline.process(&mut frame)?);
        let payload = self.encoder.encode(frame.samples())?;
        self.blocks += 1;
        Ok(AudioPacket {
            sequence,
            timestamp,
            payload,
        })
    }

    /// Writes the audio counters into `stats`.
    pub fn fill(&self, stats: &mut RemoteStats) {
        stats.audio_blocks = self.blocks;
        stats.audio_process_us_p50 = self.process_us.percentile(50.0).unwrap_or(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use framewise::Registry;
    use serde_json::json;

    const BLOCK: usize = 960;

    fn tone(n: usize) -> Vec<f32> {
        (0..BLOCK)
            .map(|i| {
                let t = (n * BLOCK + i) as f32 / SAMPLE_RATE as f32;
                0.5 * (t * 440.0 * std::f32::consts::TAU).sin()
            })
            .collect()
    }

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
    }

    fn gain(db: f64) -> AudioProcessor {
        let registry = Registry::with_builtins();
        AudioProcessor::new(registry.audio("gain", &json!({"gain_db": db})).unwrap()).unwrap()
    }

    /// Sends `count` packets of the tone numbered from `first`, skipping
    /// those in `lost`; returns what came out, decoded.
    fn stream(
        processor: &mut AudioProcessor,
        first: u16,
        count: usize,
        lost: &[usize],
    ) -> Vec<AudioPacket> {
        let mut encoder = OpusEncoder::new(64_000).unwrap();
        let mut out = Vec::new();
        for n in 0..count {
            let payload = encoder.encode(&tone(n)).unwrap();
            if lost.contains(&n) {
                continue;
            }
            let sequence = first.wrapping_add(n as u16);
            let timestamp = (n * BLOCK) as u32;
            out.extend(
                processor
                    .process(sequence, timestamp, &payload)
                    .unwrap()
                    .packets,
            );
        }
        out
    }

    fn decoded(packets: &[AudioPacket]) -> Vec<f32> {
        let mut decoder = OpusDecoder::new().unwrap();
        packets
            .iter()
            .flat_map(|p| decoder.decode(&p.payload).unwrap())
            .collect()
    }

    #[test]
    fn minus_6_db_halves_the_level_through_the_codec() {
        let unity = decoded(&stream(&mut gain(0.0), 0, 50, &[]));
        let halved = decoded(&stream(&mut gain(-6.0), 0, 50, &[]));
        let ratio = rms(&halved[BLOCK * 10..]) / rms(&unity[BLOCK * 10..]);
        assert!((ratio - 0.501).abs() < 0.02, "ratio {ratio}");
    }

    #[test]
    fn packets_keep_their_numbers_and_gaps_are_filled() {
        let mut processor = gain(0.0);
        // Numbers wrap past 65535 on the way.
        let packets = stream(&mut processor, 65_530, 20, &[5, 6, 12]);
        let sequences: Vec<u16> = packets.iter().map(|p| p.sequence).collect();
        let expected: Vec<u16> = (0..20u16).map(|n| 65_530u16.wrapping_add(n)).collect();
        assert_eq!(sequences, expected);
        let timestamps: Vec<u32> = packets.iter().map(|p| p.timestamp).collect();
        let expected: Vec<u32> = (0..20u32).map(|n| n * BLOCK as u32).collect();
        assert_eq!(timestamps, expected);
        let mut stats = RemoteStats::default();
        processor.fill(&mut stats);
        assert_eq!(stats.audio_blocks, 20);
        assert!(stats.audio_process_us_p50 > 0.0);
    }

    #[test]
    fn late_packets_are_dropped_and_bad_ones_are_errors() {
        let mut processor = gain(0.0);
        let mut encoder = OpusEncoder::new(64_000).unwrap();
        let payload = encoder.encode(&tone(0)).unwrap();
        assert_eq!(processor.process(10, 0, &payload).unwrap().packets.len(), 1);
        assert!(processor
            .process(10, 0, &payload)
            .unwrap()
            .packets
            .is_empty());
        assert!(processor
            .process(9, 0, &payload)
            .unwrap()
            .packets
            .is_empty());
        let error = processor.process(11, 960, &[0xff, 0xff, 0x00]).unwrap_err();
        assert!(error.to_string().contains("Opus decode failed"), "{error}");
        // A long gap starts afresh: no concealment, just the packet.
        assert_eq!(
            processor.process(100, 0, &payload).unwrap().packets.len(),
            1
        );
        let error = processor.set_params(&json!({"gain_db": 99})).unwrap_err();
        assert!(error.to_string().contains("gain_db"), "{error}");
    }
}
