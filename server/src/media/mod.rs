//! The media path of a session, as plain synchronous code: VP8 packets
//! joined into frames ([`vp8_rtp`]), the latest-frame-wins slot between
//! decoding and processing ([`slot`]), decode / process / encode of video
//! ([`processor`]) and of audio, Opus packet by packet ([`audio`]), and
//! the microphone decoded for a video processor that hears it
//! ([`hearing`]). The
//! session's tasks ([`crate::session`]) drive it.

pub mod audio;
pub mod hearing;
pub mod processor;
pub mod slot;
pub mod vp8_rtp;

pub use audio::{AudioError, AudioPacket, AudioProcessor, ProcessedAudio};
pub use hearing::Hearing;
pub use processor::{FrameProcessor, MediaError, Processed, VideoDecoder};
pub use slot::LatestSlot;
pub use vp8_rtp::{FrameAssembler, Vp8Frame};
