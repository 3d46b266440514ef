//! The encoder: blocks of samples in, Opus packets out.

use std::ffi::c_int;
use std::ptr::NonNull;

use opusic_sys as sys;

use crate::{message, OpusError, BITRATES, SAMPLE_RATE};

/// Bytes an encoded packet may take: far above what 510 kbit/s needs for
/// 60 ms, as libopus recommends.
const MAX_PACKET_BYTES: usize = 4_000;

/// An Opus encoder for one mono 48 kHz stream, tuned for real-time
/// ("restricted low delay" off: the full codec; in-band FEC on, as the
/// browser's own encoder sends it).
pub struct OpusEncoder {
    raw: NonNull<sys::OpusEncoder>,
    out: Vec<u8>,
}

impl std::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusEncoder").finish_non_exhaustive()
    }
}

// SAFETY: the encoder state is owned by this value alone and libopus keeps
// no thread-local state, so it may move between threads.
unsafe impl Send for OpusEncoder {}

impl OpusEncoder {
    /// An encoder at `bitrate` bits per second (one of [`BITRATES`]).
    pub fn new(bitrate: i32) -> Result<Self, OpusError> {
        if !BITRATES.contains(&bitrate) {
            return Err(OpusError::Config(format!(
                "a bitrate of {bitrate} bit/s is outside {}..={}",
                BITRATES.start(),
                BITRATES.end()
            )));
        }
        let mut error: c_int = 0;
        // SAFETY: valid rate, channel count and application; `error` is a
        // valid out-pointer. The returned state is freed in Drop.
        let raw = unsafe {
            sys::opus_encoder_create(
                SAMPLE_RATE as i32,
                1,
                sys::OPUS_APPLICATION_VOIP,
                &mut error,
            )
        };
        let raw = match NonNull::new(raw) {
            Some(raw) if error == sys::OPUS_OK => raw,
            _ => return Err(OpusError::Init(message(error))),
        };
        let encoder = Self {
            raw,
            out: vec![0; MAX_PACKET_BYTES],
        };
        encoder.set(sys::OPUS_SET_BITRATE_REQUEST, bitrate)?;
        encoder.set(sys::OPUS_SET_INBAND_FEC_REQUEST, 1)?;
        Ok(encoder)
    }

    /// One `OPUS_SET_*` request with an integer value.
    fn set(&self, request: c_int, value: i32) -> Result<(), OpusError> {
        // SAFETY: a live encoder; every SET request used here takes one
        // opus_int32 argument.
        let code = unsafe { sys::opus_encoder_ctl(self.raw.as_ptr(), request, value) };
        if code == sys::OPUS_OK {
            Ok(())
        } else {
            Err(OpusError::Config(message(code)))
        }
    }

    /// Encodes one block: 2.5, 5, 10, 20, 40 or 60 ms of samples (120 to
    /// 2880 at 48 kHz). Any other length is an [`OpusError::Encode`].
    pub fn encode(&mut self, block: &[f32]) -> Result<Vec<u8>, OpusError> {
        if ![120, 240, 480, 960, 1920, 2880].contains(&block.len()) {
            return Err(OpusError::Encode(format!(
                "a block of {} samples is not 2.5, 5, 10, 20, 40 or 60 ms at 48 kHz",
                block.len()
            )));
        }
        // SAFETY: a live encoder; `block` holds exactly `frame_size`
        // samples of one channel; `out` is writable for its length.
        let written = unsafe {
            sys::opus_encode_float(
                self.raw.as_ptr(),
                block.as_ptr(),
                block.len() as c_int,
                self.out.as_mut_ptr(),
                self.out.len() as i32,
            )
        };
        let written = usize::try_from(written).map_err(|_| OpusError::Encode(message(written)))?;
        Ok(self.out[..written].to_vec())
    }
}

impl Drop for OpusEncoder {
    fn drop(&mut self) {
        // SAFETY: made by opus_encoder_create, freed once.
        unsafe { sys::opus_encoder_destroy(self.raw.as_ptr()) };
    }
}
