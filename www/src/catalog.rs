//! What the demo page knows of the processors: the built-in video ones
//! as a registry (the still-image view runs them here, in the page) and
//! the audio ones as descriptions only (they run in the worklet, which
//! loads the worker's wasm), so the page's own wasm carries no audio
//! code or model weights.

use framewise::processors::builtin_audio_infos;
use framewise::{ProcessorInfo, Registry};

/// The page's processors.
pub struct Catalog {
    /// The video processors, to run.
    pub video: Registry,
    /// Every processor's description, by name.
    infos: Vec<ProcessorInfo>,
}

impl Catalog {
    /// The built-ins.
    pub fn builtins() -> Self {
        let video = Registry::with_builtin_video();
        let mut infos: Vec<ProcessorInfo> = video.infos().cloned().collect();
        infos.extend(builtin_audio_infos());
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        Self { video, infos }
    }

    /// The description of `name`, if it is one.
    pub fn info(&self, name: &str) -> Option<&ProcessorInfo> {
        self.infos.iter().find(|info| info.name == name)
    }

    /// Every description, by name.
    pub fn infos(&self) -> impl Iterator<Item = &ProcessorInfo> {
        self.infos.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_describes_every_builtin_and_runs_the_video_ones() {
        let catalog = Catalog::builtins();
        let everything = Registry::with_builtins();
        assert_eq!(catalog.infos().count(), everything.infos().count());
        for info in everything.infos() {
            assert_eq!(catalog.info(&info.name), Some(info));
        }
        assert!(catalog
            .video
            .video("invert", &serde_json::json!({}))
            .is_ok());
        assert!(catalog.video.audio("gain", &serde_json::json!({})).is_err());
    }
}
