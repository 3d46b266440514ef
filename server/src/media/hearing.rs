//! The microphone a video processor that hears audio is given
//! ([`framewise::VideoProcessor::hear`]): the session's audio packets
//! decoded (a decoder of its own, so the audio path, processed or passed
//! through, is untouched) into a bounded queue of 48 kHz blocks, handed
//! to the processor before each frame.

use std::collections::VecDeque;

use framewise::AudioFrame;
use framewise_opus::{OpusDecoder, SAMPLE_RATE};

use super::audio::AudioError;

/// Blocks kept between two frames (Opus packets are 20 ms: two seconds);
/// when more arrive the oldest are dropped.
pub const MAX_HEARD_BLOCKS: usize = 100;

/// Decodes the microphone for the video processor.
pub struct Hearing {
    decoder: OpusDecoder,
    blocks: VecDeque<AudioFrame>,
    /// Blocks dropped because the queue was full.
    dropped: u64,
}

impl Hearing {
    /// A decoder and an empty queue.
    pub fn new() -> Result<Self, AudioError> {
        Ok(Self {
            decoder: OpusDecoder::new()?,
            blocks: VecDeque::new(),
            dropped: 0,
        })
    }

    /// Decodes one Opus packet (RTP `timestamp`) into the queue.
    pub fn hear(&mut self, timestamp: u32, payload: &[u8]) -> Result<(), AudioError> {
        let samples = self.decoder.decode(payload)?;
        let timestamp_us = i64::from(timestamp) * 1_000_000 / i64::from(SAMPLE_RATE);
        let block = AudioFrame::new(SAMPLE_RATE, 1, samples, timestamp_us)?;
        if self.blocks.len() == MAX_HEARD_BLOCKS {
            self.blocks.pop_front();
            self.dropped += 1;
        }
        self.blocks.push_back(block);
        Ok(())
    }

    /// Every block heard since the last call, the oldest first.
    pub fn take(&mut self) -> Vec<AudioFrame> {
        self.blocks.drain(..).collect()
    }

    /// Blocks dropped so far because the video fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use framewise_opus::OpusEncoder;

    fn packets(count: usize) -> Vec<Vec<u8>> {
        let mut encoder = OpusEncoder::new(32_000).unwrap();
        let tone = framewise::synth::sine(48_000, 1, 960 * count, 440.0, 0.5);
        tone.samples()
            .chunks(960)
            .map(|block| encoder.encode(block).unwrap())
            .collect()
    }

    #[test]
    fn packets_become_blocks_in_order_and_the_queue_is_bounded() {
        let mut hearing = Hearing::new().unwrap();
        for (i, packet) in packets(3).iter().enumerate() {
            hearing.hear(960 * i as u32, packet).unwrap();
        }
        let blocks = hearing.take();
        assert_eq!(blocks.len(), 3);
        assert!(blocks.iter().all(|b| b.samples().len() == 960));
        assert_eq!(blocks[2].timestamp_us(), 40_000);
        assert!(hearing.take().is_empty());
        for packet in packets(MAX_HEARD_BLOCKS + 7) {
            hearing.hear(0, &packet).unwrap();
        }
        assert_eq!(hearing.take().len(), MAX_HEARD_BLOCKS);
        assert_eq!(hearing.dropped(), 7);
    }

    #[test]
    fn a_packet_that_is_not_opus_is_an_error_and_changes_nothing() {
        let mut hearing = Hearing::new().unwrap();
        assert!(hearing.hear(0, &[0xff; 3]).is_err());
        assert!(hearing.take().is_empty());
    }
}
