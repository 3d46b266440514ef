//! # framewise — the processor core
//!
//! Frames, processors, their params and the registry that builds them by
//! name. The same code runs natively (in `framewise-server`) and in
//! WebAssembly (in the browser worker of `framewise-yew`), so this crate
//! never reads a clock, touches a socket or a file, or depends on a
//! platform API: time arrives with the frames.
//!
//! ```
//! use framewise::{Registry, VideoFrame};
//!
//! let registry = Registry::with_builtins();
//! let mut invert = registry.video("invert", &serde_json::json!({}))?;
//! let mut frame = VideoFrame::from_rgba(2, 1, vec![0, 10, 20, 255, 255, 255, 255, 255], 0)?;
//! invert.process(&mut frame)?;
//! assert_eq!(frame.data(), &[255, 245, 235, 255, 0, 0, 0, 255]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod frame;
pub mod params;
pub mod pipeline;
pub mod processor;
pub mod processors;
pub mod registry;
pub mod synth;
pub mod window;
pub mod wire;

pub use frame::{AudioFrame, ColorRange, FrameError, I420Frame, VideoFrame};
pub use params::{ParamError, ParamKind, ParamSpec, ParamValue, Params};
pub use pipeline::{AudioPipeline, Pipeline, PipelineError, VideoPipeline};
pub use processor::{
    AudioProcessor, Configure, Cost, MediaKind, ProcessError, ProcessorInfo, Results,
    VideoProcessor,
};
pub use registry::{Registry, RegistryError};
