//! The registry: processor factories by name, with their descriptions.
//!
//! Processors are never passed around as live values. A browser worker runs
//! its own wasm instance and a server its own process; each builds "the
//! same processor" from a name and JSON params through a registry compiled
//! into it. An app registers its own processors next to the built-ins.
//!
//! ```
//! use framewise::{Configure, Cost, MediaKind, ParamError, Params, ParamSpec, ProcessError,
//!     ProcessorInfo, Registry, Results, VideoFrame, VideoProcessor};
//! use serde_json::json;
//!
//! #[derive(Default)]
//! struct Tint { red: u8 }
//!
//! impl Configure for Tint {
//!     fn configure(&mut self, params: &Params) -> Result<(), ParamError> {
//!         self.red = params.int("red")? as u8;
//!         Ok(())
//!     }
//! }
//!
//! impl VideoProcessor for Tint {
//!     fn process(&mut self, frame: &mut VideoFrame, _: &mut Results) -> Result<(), ProcessError> {
//!         frame.data_mut().chunks_exact_mut(4).for_each(|p| p[0] = self.red);
//!         Ok(())
//!     }
//! }
//!
//! let mut registry = Registry::with_builtins();
//! let info = ProcessorInfo::new("tint", MediaKind::Video, Cost::Light, "Sets red.")
//!     .param(ParamSpec::int("red", "Red", 0, 255, 1, 128));
//! registry.register_video(info, Tint::default)?;
//!
//! let mut tint = registry.video("tint", &json!({ "red": 7 }))?;
//! let mut frame = VideoFrame::filled(1, 1, [0, 0, 0, 255], 0)?;
//! tint.process(&mut frame)?;
//! assert_eq!(frame.pixel(0, 0), Some([7, 0, 0, 255]));
//!
//! let err = registry.video("tnit", &json!({})).err().unwrap().to_string();
//! assert!(err.contains("unknown video processor \"tnit\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use crate::params::{ParamError, Params};
use crate::pipeline::{AudioPipeline, Pipeline, PipelineError, VideoPipeline};
use crate::processor::{AudioProcessor, MediaKind, ProcessorInfo, VideoProcessor};

/// Why a processor could not be registered or built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// No processor of that kind has this name.
    #[error("unknown {kind} processor \"{name}\"; known {kind} processors: {known}")]
    Unknown {
        /// The name asked for.
        name: String,
        /// "video" or "audio".
        kind: &'static str,
        /// The names of that kind, comma-separated.
        known: String,
    },
    /// The name is taken.
    #[error("a processor named \"{0}\" is already registered")]
    Duplicate(String),
    /// Names are lowercase ASCII letters, digits and '-'.
    #[error("processor name \"{0}\" must be 1-64 lowercase letters, digits or '-'")]
    BadName(String),
    /// Registered as video but described as audio, or the other way round.
    #[error("processor \"{0}\" is described with the wrong media kind")]
    WrongKind(String),
    /// A default in the schema is not valid for the schema itself.
    #[error("processor \"{name}\" has an invalid default: {source}")]
    BadDefault {
        /// The processor.
        name: String,
        /// What is wrong.
        source: ParamError,
    },
    /// The params given at creation were rejected.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

type Factory<P> = Box<dyn Fn() -> Box<P> + Send + Sync>;

struct Entry<P: ?Sized> {
    info: ProcessorInfo,
    make: Factory<P>,
}

/// Processor factories by name, video and audio.
#[derive(Default)]
pub struct Registry {
    video: BTreeMap<String, Entry<dyn VideoProcessor>>,
    audio: BTreeMap<String, Entry<dyn AudioProcessor>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn check_new(&self, info: &ProcessorInfo, kind: MediaKind) -> Result<(), RegistryError> {
        let name = &info.name;
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(RegistryError::BadName(name.clone()));
        }
        if info.kind != kind {
            return Err(RegistryError::WrongKind(name.clone()));
        }
        if self.video.contains_key(name) || self.audio.contains_key(name) {
            return Err(RegistryError::Duplicate(name.clone()));
        }
        let mut params = Params::default();
        params
            .apply(&info.params, &Params::defaults(&info.params).to_json())
            .map_err(|source| RegistryError::BadDefault {
                name: name.clone(),
                source,
            })
    }

    /// Adds a video processor: its description and a function that makes a
    /// fresh one.
    pub fn register_video<P, F>(
        &mut self,
        info: ProcessorInfo,
        make: F,
    ) -> Result<(), RegistryError>
    where
        P: VideoProcessor + 'static,
        F: Fn() -> P + Send + Sync + 'static,
    {
        self.check_new(&info, MediaKind::Video)?;
        let make: Factory<dyn VideoProcessor> = Box::new(move || Box::new(make()));
        self.video.insert(info.name.clone(), Entry { info, make });
        Ok(())
    }

    /// Adds an audio processor: its description and a function that makes a
    /// fresh one.
    pub fn register_audio<P, F>(
        &mut self,
        info: ProcessorInfo,
        make: F,
    ) -> Result<(), RegistryError>
    where
        P: AudioProcessor + 'static,
        F: Fn() -> P + Send + Sync + 'static,
    {
        self.check_new(&info, MediaKind::Audio)?;
        let make: Factory<dyn AudioProcessor> = Box::new(move || Box::new(make()));
        self.audio.insert(info.name.clone(), Entry { info, make });
        Ok(())
    }

    /// Builds the video processor `name` with `params` (a JSON object;
    /// missing params take their defaults).
    pub fn video(&self, name: &str, params: &Value) -> Result<VideoPipeline, RegistryError> {
        let entry = find(&self.video, name, "video")?;
        Ok(Pipeline::new(entry.info.clone(), (entry.make)(), params)?)
    }

    /// Builds the audio processor `name` with `params`.
    pub fn audio(&self, name: &str, params: &Value) -> Result<AudioPipeline, RegistryError> {
        let entry = find(&self.audio, name, "audio")?;
        Ok(Pipeline::new(entry.info.clone(), (entry.make)(), params)?)
    }

    /// Every processor's description: video first, then audio, each by name.
    pub fn infos(&self) -> impl Iterator<Item = &ProcessorInfo> {
        let video = self.video.values().map(|e| &e.info);
        video.chain(self.audio.values().map(|e| &e.info))
    }

    /// One processor's description.
    pub fn info(&self, name: &str) -> Option<&ProcessorInfo> {
        self.infos().find(|info| info.name == name)
    }
}

fn find<'a, P: ?Sized>(
    entries: &'a BTreeMap<String, Entry<P>>,
    name: &str,
    kind: &'static str,
) -> Result<&'a Entry<P>, RegistryError> {
    entries.get(name).ok_or_else(|| RegistryError::Unknown {
        name: name.to_owned(),
        kind,
        known: entries.keys().cloned().collect::<Vec<_>>().join(", "),
    })
}
