//! A processor built from the registry, with its params: the one object a
//! worker or a server session drives frame by frame.
//!
//! Param changes are validated when they arrive and applied just before
//! the next frame, so a processor never sees half an update.

use serde_json::Value;

use crate::frame::{AudioFrame, VideoFrame};
use crate::params::{ParamError, Params};
use crate::processor::{
    AudioProcessor, Configure, ProcessError, ProcessorInfo, Results, VideoProcessor,
};

/// Why a pipeline could not take params or process a frame.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    /// Params were rejected (by the schema or by the processor).
    #[error("{processor}: {source}")]
    Params {
        /// The processor's name.
        processor: String,
        /// What was wrong.
        source: ParamError,
    },
    /// The processor failed on a frame.
    #[error("{processor}: {source}")]
    Process {
        /// The processor's name.
        processor: String,
        /// What went wrong.
        source: ProcessError,
    },
}

/// A processor with its description and params. Build one with
/// [`Registry::video`](crate::Registry::video) or
/// [`Registry::audio`](crate::Registry::audio).
pub struct Pipeline<P: ?Sized> {
    info: ProcessorInfo,
    /// The params the processor runs with.
    params: Params,
    /// Accepted changes, applied before the next frame.
    pending: Option<Params>,
    results: Results,
    processor: Box<P>,
}

/// A video processor with its params.
pub type VideoPipeline = Pipeline<dyn VideoProcessor>;
/// An audio processor with its params.
pub type AudioPipeline = Pipeline<dyn AudioProcessor>;

impl<P: ?Sized + Configure> Pipeline<P> {
    /// Validates `initial` params (missing ones take defaults) and
    /// configures the processor with them.
    pub(crate) fn new(
        info: ProcessorInfo,
        mut processor: Box<P>,
        initial: &Value,
    ) -> Result<Self, PipelineError> {
        let mut params = Params::defaults(&info.params);
        let rejected = |source| PipelineError::Params {
            processor: info.name.clone(),
            source,
        };
        params.apply(&info.params, initial).map_err(rejected)?;
        processor.configure(&params).map_err(rejected)?;
        Ok(Self {
            info,
            params,
            pending: None,
            results: Results::new(),
            processor,
        })
    }

    /// The processor's description and schema.
    pub fn info(&self) -> &ProcessorInfo {
        &self.info
    }

    /// The newest accepted params (applied at the next frame if pending).
    pub fn params(&self) -> &Params {
        self.pending.as_ref().unwrap_or(&self.params)
    }

    /// Validates `changes` (some or all params, as a JSON object) now and
    /// applies them before the next frame. On error nothing changes.
    pub fn set_params(&mut self, changes: &Value) -> Result<(), PipelineError> {
        let mut next = self.params().clone();
        next.apply(&self.info.params, changes)
            .map_err(|source| self.params_error(source))?;
        self.pending = Some(next);
        Ok(())
    }

    fn params_error(&self, source: ParamError) -> PipelineError {
        PipelineError::Params {
            processor: self.info.name.clone(),
            source,
        }
    }

    fn process_error(&self, source: ProcessError) -> PipelineError {
        PipelineError::Process {
            processor: self.info.name.clone(),
            source,
        }
    }

    /// Applies pending params: between frames, never during one. If the
    /// processor rejects them, it keeps running with the params it had.
    fn apply_pending(&mut self) -> Result<(), PipelineError> {
        if let Some(next) = self.pending.take() {
            self.processor
                .configure(&next)
                .map_err(|source| self.params_error(source))?;
            self.params = next;
        }
        Ok(())
    }
}

impl Pipeline<dyn VideoProcessor> {
    /// Processes one frame in place and returns the results it emitted.
    pub fn process(&mut self, frame: &mut VideoFrame) -> Result<Vec<Value>, PipelineError> {
        self.apply_pending()?;
        self.results.take();
        let outcome = self.processor.process(frame, &mut self.results);
        outcome.map_err(|source| self.process_error(source))?;
        Ok(self.results.take())
    }

    /// Gives the processor a block of the sound heard since the last
    /// frame; ignored unless its info says it
    /// [hears audio](ProcessorInfo::hears_audio).
    pub fn hear(&mut self, audio: &AudioFrame) {
        if self.info.hears_audio {
            self.processor.hear(audio);
        }
    }
}

impl Pipeline<dyn AudioProcessor> {
    /// Processes one block in place and returns the results it emitted.
    pub fn process(&mut self, frame: &mut AudioFrame) -> Result<Vec<Value>, PipelineError> {
        self.apply_pending()?;
        self.results.take();
        let outcome = self.processor.process(frame, &mut self.results);
        outcome.map_err(|source| self.process_error(source))?;
        Ok(self.results.take())
    }
}
