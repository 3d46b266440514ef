//! The processing behind the worklet's exports: a [`Registry`], the
//! processor opened from it, and the buffers reused for every render
//! quantum.

use framewise::{AudioFrame, AudioPipeline, PipelineError, Registry, RegistryError};
use serde_json::Value;

use crate::protocol::ToWorker;

use super::{Host, ResultQueue, MAX_CHANNELS, MAX_QUANTUM};

/// Why the worklet could not open or run a processor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkletError {
    /// The processor is unknown, not an audio one, or its params are bad.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Params were rejected, or the processor failed on a block.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The message is not a Start or Configure [`ToWorker`].
    #[error("not a processor-and-params message: {0}")]
    Message(String),
    /// The format asked for cannot be processed.
    #[error("cannot process {channels} channel(s) at {sample_rate} Hz in blocks of {frames}")]
    Format {
        /// Channels asked for.
        channels: usize,
        /// Sample rate asked for.
        sample_rate: u32,
        /// Frames per block asked for.
        frames: usize,
    },
    /// A block came before a processor was opened.
    #[error("no audio processor is open")]
    NotOpen,
}

/// The registry a worker's `main` handed over, and what runs.
pub(super) struct RegistryHost {
    registry: Registry,
    running: Option<Running>,
    error: Option<String>,
}

impl RegistryHost {
    pub(super) fn new(registry: Registry) -> Self {
        Self {
            registry,
            running: None,
            error: None,
        }
    }

    /// Runs `f`; an error is kept for [`Host::take_error`].
    fn attempt(&mut self, f: impl FnOnce(&mut Self) -> Result<(), WorkletError>) -> bool {
        match f(self) {
            Ok(()) => true,
            Err(error) => {
                self.error = Some(error.to_string());
                false
            }
        }
    }

    fn running(&mut self) -> Result<&mut Running, WorkletError> {
        self.running.as_mut().ok_or(WorkletError::NotOpen)
    }
}

impl Host for RegistryHost {
    fn open(&mut self, job: &str, sample_rate: u32, channels: usize) -> bool {
        self.attempt(|host| {
            let (processor, params) = read_job(job)?;
            let running =
                Running::open(&host.registry, &processor, &params, sample_rate, channels)?;
            host.running = Some(running);
            Ok(())
        })
    }

    fn samples(&mut self, frames: usize) -> *mut f32 {
        let mut block = std::ptr::null_mut();
        self.attempt(|host| {
            let running = host.running()?;
            running.resize(frames)?;
            block = running.planar.as_mut_ptr();
            Ok(())
        });
        block
    }

    fn process(&mut self, time_s: f64) -> bool {
        self.attempt(|host| host.running()?.process(time_s))
    }

    fn configure(&mut self, job: &str) -> bool {
        self.attempt(|host| {
            let (_, params) = read_job(job)?;
            host.running()?.pipeline.set_params(&params)?;
            Ok(())
        })
    }

    fn results(&mut self) -> Option<String> {
        self.running.as_mut()?.results.take_json()
    }

    fn dropped(&mut self) -> u32 {
        self.running
            .as_mut()
            .map_or(0, |r| r.results.take_dropped())
    }

    fn take_error(&mut self) -> Option<String> {
        self.error.take()
    }
}

/// An open processor and its buffers, reused for every quantum (or, in
/// the worker's audio loop, every `AudioData` block).
pub(crate) struct Running {
    pipeline: AudioPipeline,
    frame: AudioFrame,
    /// The planar block the processor class reads and writes.
    planar: Vec<f32>,
    channels: usize,
    sample_rate: u32,
    results: ResultQueue,
}

/// The processor and params of a Start or Configure message (the same
/// JSON the worker reads, so the worklet adds no parser of its own).
fn read_job(job: &str) -> Result<(String, Value), WorkletError> {
    match ToWorker::parse(job) {
        Some(
            ToWorker::Start {
                processor, params, ..
            }
            | ToWorker::Configure { processor, params },
        ) => Ok((processor, params)),
        _ => Err(WorkletError::Message(job.chars().take(80).collect())),
    }
}

impl Running {
    /// Opens `processor` with `params` for `channels` at `sample_rate`.
    pub(crate) fn open(
        registry: &Registry,
        processor: &str,
        params: &Value,
        sample_rate: u32,
        channels: usize,
    ) -> Result<Self, WorkletError> {
        let pipeline = registry.audio(processor, params)?;
        let format = WorkletError::Format {
            channels,
            sample_rate,
            frames: 128,
        };
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(format);
        }
        let frame = AudioFrame::new(sample_rate, channels as u16, vec![0.0; 128 * channels], 0)
            .map_err(|_| format)?;
        Ok(Self {
            pipeline,
            frame,
            planar: vec![0.0; 128 * channels],
            channels,
            sample_rate,
            results: ResultQueue::default(),
        })
    }

    /// Makes the buffers hold `frames` per channel (only when the quantum
    /// size changes).
    fn resize(&mut self, frames: usize) -> Result<(), WorkletError> {
        let samples = frames * self.channels;
        if self.planar.len() == samples {
            return Ok(());
        }
        if !(1..=MAX_QUANTUM).contains(&frames) {
            return Err(WorkletError::Format {
                channels: self.channels,
                sample_rate: self.sample_rate,
                frames,
            });
        }
        self.planar = vec![0.0; samples];
        let timestamp = self.frame.timestamp_us();
        self.frame = AudioFrame::new(
            self.sample_rate,
            self.channels as u16,
            vec![0.0; samples],
            timestamp,
        )
        .map_err(|_| WorkletError::Format {
            channels: self.channels,
            sample_rate: self.sample_rate,
            frames,
        })?;
        Ok(())
    }

    /// The planar block (channel after channel) sized for `frames` per
    /// channel, to fill before [`Running::process`].
    pub(crate) fn block_mut(&mut self, frames: usize) -> Result<&mut [f32], WorkletError> {
        self.resize(frames)?;
        Ok(&mut self.planar)
    }

    /// The planar block as processed.
    pub(crate) fn block(&self) -> &[f32] {
        &self.planar
    }

    /// Channels and sample rate it was opened for.
    pub(crate) fn format(&self) -> (usize, u32) {
        (self.channels, self.sample_rate)
    }

    /// New params, applied before the next block.
    pub(crate) fn set_params(&mut self, params: &Value) -> Result<(), PipelineError> {
        self.pipeline.set_params(params)
    }

    /// The results collected since the last call, as a
    /// [`FromWorker::Results`](crate::protocol::FromWorker::Results)
    /// message, and how many were dropped.
    pub(crate) fn take_results(&mut self) -> (Option<String>, u32) {
        (self.results.take_json(), self.results.take_dropped())
    }

    /// Runs the processor on the planar block, in place.
    pub(crate) fn process(&mut self, time_s: f64) -> Result<(), WorkletError> {
        let frames = self.planar.len() / self.channels;
        let channels = self.channels;
        for (i, sample) in self.frame.samples_mut().iter_mut().enumerate() {
            *sample = self.planar[(i % channels) * frames + i / channels];
        }
        self.frame.set_timestamp_us((time_s * 1e6) as i64);
        let results = self.pipeline.process(&mut self.frame)?;
        self.results.extend(results);
        for (i, &sample) in self.frame.samples().iter().enumerate() {
            self.planar[(i % channels) * frames + i / channels] = sample;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn open(processor: &str, params: &str, channels: usize) -> Result<Running, WorkletError> {
        let params: Value = serde_json::from_str(params).unwrap();
        Running::open(
            &Registry::with_builtins(),
            processor,
            &params,
            48_000,
            channels,
        )
    }

    #[test]
    fn a_block_is_processed_per_channel_and_handed_back_planar() {
        let mut running = open("gain", r#"{"gain_db": -6.0206}"#, 2).unwrap();
        running.resize(4).unwrap();
        running
            .planar
            .copy_from_slice(&[0.1, 0.2, 0.3, 0.4, -1.0, -0.5, 0.0, 0.5]);
        running.process(0.5).unwrap();
        let halved: Vec<f32> = [0.1, 0.2, 0.3, 0.4, -1.0, -0.5, 0.0, 0.5]
            .iter()
            .map(|v| v / 2.0)
            .collect();
        for (got, want) in running.planar.iter().zip(&halved) {
            assert!((got - want).abs() < 1e-4, "{:?}", running.planar);
        }
        assert_eq!(running.frame.timestamp_us(), 500_000);
    }

    #[test]
    fn channels_stay_apart() {
        // A 1 ms delay (48 samples at 48 kHz) with no dry signal moves
        // each channel's click within its own channel.
        let mut running = open("delay", r#"{"delay_ms": 1, "mix": 1, "feedback": 0}"#, 2).unwrap();
        running.resize(128).unwrap();
        running.planar.fill(0.0);
        running.planar[0] = 1.0; // channel 0, sample 0
        running.planar[128 + 10] = 0.5; // channel 1, sample 10
        running.process(0.0).unwrap();
        let (left, right) = running.planar.split_at(128);
        let loud = |channel: &[f32]| -> Vec<(usize, f32)> {
            channel
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| *v != 0.0)
                .collect()
        };
        assert_eq!(loud(left), vec![(48, 1.0)]);
        assert_eq!(loud(right), vec![(58, 0.5)]);
    }

    #[test]
    fn results_wait_for_the_next_post() {
        let mut running = open("level-meter", "{}", 1).unwrap();
        running.resize(128).unwrap();
        running.planar.fill(0.5);
        running.process(0.0).unwrap();
        running.process(0.0).unwrap();
        let post: Value = serde_json::from_str(&running.results.take_json().unwrap()).unwrap();
        assert_eq!(post["results"].as_array().map(Vec::len), Some(2));
        assert_eq!(post["results"][0]["rms"], json!([0.5]));
    }

    #[test]
    fn unknown_processors_bad_params_and_formats_are_named() {
        let unknown = open("no-such", "{}", 1).err().unwrap().to_string();
        assert!(unknown.contains("no-such"), "{unknown}");
        let video = open("invert", "{}", 1).err().unwrap().to_string();
        assert!(video.contains("invert"), "{video}");
        let range = open("gain", r#"{"gain_db": 100}"#, 1)
            .err()
            .unwrap()
            .to_string();
        assert!(range.contains("gain_db"), "{range}");
        let message = read_job("{").unwrap_err();
        assert!(matches!(message, WorkletError::Message(_)), "{message}");
        let stop = read_job(r#"{"type": "stop"}"#).unwrap_err();
        assert!(stop.to_string().contains("stop"), "{stop}");
        let job = r#"{"type": "configure", "processor": "gain", "params": {"gain_db": 3}}"#;
        assert_eq!(
            read_job(job).unwrap(),
            ("gain".to_owned(), json!({"gain_db": 3}))
        );
        let channels = open("gain", "{}", 3).err().unwrap();
        assert!(matches!(channels, WorkletError::Format { channels: 3, .. }));
        let mut running = open("gain", "{}", 1).unwrap();
        let huge = running.resize(MAX_QUANTUM + 1).unwrap_err();
        assert!(huge.to_string().contains("blocks of 4097"), "{huge}");
    }
}
