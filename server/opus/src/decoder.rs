//! The decoder: Opus packets in, blocks of samples out.

use std::ffi::c_int;
use std::ptr::NonNull;

use opusic_sys as sys;

use crate::{message, OpusError, MAX_PACKET_SAMPLES, SAMPLE_RATE};

/// An Opus decoder for one stream, giving mono 48 kHz samples (a stereo
/// stream is mixed down by libopus).
pub struct OpusDecoder {
    raw: NonNull<sys::OpusDecoder>,
    pcm: Vec<f32>,
    /// Samples in the last packet decoded: how much a lost one conceals.
    last_samples: usize,
}

impl std::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusDecoder").finish_non_exhaustive()
    }
}

// SAFETY: the decoder state is owned by this value alone and libopus keeps
// no thread-local state, so it may move between threads.
unsafe impl Send for OpusDecoder {}

impl OpusDecoder {
    /// A decoder.
    pub fn new() -> Result<Self, OpusError> {
        let mut error: c_int = 0;
        // SAFETY: valid rate and channel count; `error` is a valid
        // out-pointer. The returned state is freed in Drop.
        let raw = unsafe { sys::opus_decoder_create(SAMPLE_RATE as i32, 1, &mut error) };
        match NonNull::new(raw) {
            Some(raw) if error == sys::OPUS_OK => Ok(Self {
                raw,
                pcm: vec![0.0; MAX_PACKET_SAMPLES],
                last_samples: 960,
            }),
            _ => Err(OpusError::Init(message(error))),
        }
    }

    /// Decodes one packet into its samples. A packet that is not Opus is
    /// an [`OpusError::Decode`]; the decoder stays usable.
    pub fn decode(&mut self, packet: &[u8]) -> Result<Vec<f32>, OpusError> {
        if packet.is_empty() {
            return Err(OpusError::Decode("an empty packet".into()));
        }
        let len = i32::try_from(packet.len())
            .map_err(|_| OpusError::Decode(format!("{} bytes is too large", packet.len())))?;
        // SAFETY: a live decoder; `packet` is readable for `len` bytes;
        // `pcm` is writable for MAX_PACKET_SAMPLES mono samples.
        let decoded = unsafe {
            sys::opus_decode_float(
                self.raw.as_ptr(),
                packet.as_ptr(),
                len,
                self.pcm.as_mut_ptr(),
                MAX_PACKET_SAMPLES as c_int,
                0,
            )
        };
        let samples = usize::try_from(decoded).map_err(|_| OpusError::Decode(message(decoded)))?;
        self.last_samples = samples;
        Ok(self.pcm[..samples].to_vec())
    }

    /// Samples standing in for one lost packet (libopus's concealment),
    /// as long as the last packet decoded.
    pub fn conceal(&mut self) -> Result<Vec<f32>, OpusError> {
        // SAFETY: a live decoder; a NULL packet asks for concealment of
        // `frame_size` samples, which `pcm` has room for.
        let decoded = unsafe {
            sys::opus_decode_float(
                self.raw.as_ptr(),
                std::ptr::null(),
                0,
                self.pcm.as_mut_ptr(),
                self.last_samples as c_int,
                0,
            )
        };
        let samples = usize::try_from(decoded).map_err(|_| OpusError::Decode(message(decoded)))?;
        Ok(self.pcm[..samples].to_vec())
    }
}

impl Drop for OpusDecoder {
    fn drop(&mut self) {
        // SAFETY: made by opus_decoder_create, freed once.
        unsafe { sys::opus_decoder_destroy(self.raw.as_ptr()) };
    }
}
