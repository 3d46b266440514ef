use super::FrameError;

/// Highest sample rate accepted, in Hz.
pub const MAX_SAMPLE_RATE: u32 = 384_000;
/// Most channels accepted.
pub const MAX_CHANNELS: u32 = 32;

/// One block of audio: interleaved f32 samples in -1.0..=1.0, a channel
/// count, a sample rate and a timestamp in microseconds.
///
/// ```
/// use framewise::AudioFrame;
///
/// let stereo = AudioFrame::new(48_000, 2, vec![0.0; 960], 0)?;
/// assert_eq!(stereo.samples_per_channel(), 480);
/// assert!(AudioFrame::new(48_000, 2, vec![0.0; 3], 0).is_err());
/// # Ok::<(), framewise::FrameError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AudioFrame {
    sample_rate: u32,
    channels: u16,
    timestamp_us: i64,
    samples: Vec<f32>,
}

impl AudioFrame {
    /// Wraps interleaved samples; their count must be a non-zero multiple
    /// of `channels`.
    pub fn new(
        sample_rate: u32,
        channels: u16,
        samples: Vec<f32>,
        timestamp_us: i64,
    ) -> Result<Self, FrameError> {
        if sample_rate == 0 {
            return Err(FrameError::EmptyAudio("sample rate is 0 Hz"));
        }
        if sample_rate > MAX_SAMPLE_RATE {
            return Err(FrameError::AudioLimit {
                what: "sample rate",
                value: sample_rate,
                max: MAX_SAMPLE_RATE,
            });
        }
        if u32::from(channels) > MAX_CHANNELS {
            return Err(FrameError::AudioLimit {
                what: "channel count",
                value: u32::from(channels),
                max: MAX_CHANNELS,
            });
        }
        if channels == 0 {
            return Err(FrameError::EmptyAudio("no channels"));
        }
        if samples.is_empty() {
            return Err(FrameError::EmptyAudio("no samples"));
        }
        if !samples.len().is_multiple_of(usize::from(channels)) {
            return Err(FrameError::RaggedAudio {
                samples: samples.len(),
                channels,
            });
        }
        Ok(Self {
            sample_rate,
            channels,
            timestamp_us,
            samples,
        })
    }

    /// Samples per second, per channel.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Number of interleaved channels.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Timestamp of the first sample in microseconds.
    pub fn timestamp_us(&self) -> i64 {
        self.timestamp_us
    }

    /// Moves the block to another time (a stream reusing one buffer).
    pub fn set_timestamp_us(&mut self, timestamp_us: i64) {
        self.timestamp_us = timestamp_us;
    }

    /// Samples in each channel.
    pub fn samples_per_channel(&self) -> usize {
        self.samples.len() / usize::from(self.channels)
    }

    /// The interleaved samples.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// The interleaved samples, mutable; the count cannot change.
    pub fn samples_mut(&mut self) -> &mut [f32] {
        &mut self.samples
    }

    /// Gives the samples back.
    pub fn into_samples(self) -> Vec<f32> {
        self.samples
    }
}
