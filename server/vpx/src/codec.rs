//! The one owner of a libvpx codec context: starts it, reports its errors,
//! sets controls and destroys it. Everything else in the crate reaches
//! libvpx through this module or through a few documented calls next to it.

use std::ffi::{c_int, c_uint, CStr};
use std::os::raw::c_char;

use vpx_sys::{
    vpx_codec_ctx_t, vpx_codec_dec_cfg_t, vpx_codec_dec_init_ver, vpx_codec_destroy,
    vpx_codec_enc_cfg_t, vpx_codec_enc_init_ver, vpx_codec_err_t, vpx_codec_err_to_string,
    vpx_codec_error, vpx_codec_error_detail, vpx_codec_vp8_cx, vpx_codec_vp8_dx,
    VPX_DECODER_ABI_VERSION, VPX_ENCODER_ABI_VERSION,
};

use crate::VpxError;

/// An initialised libvpx codec context, destroyed on drop.
///
/// The context sits in a `Box` so its address never changes while libvpx
/// knows it.
pub(crate) struct Context {
    ctx: Box<vpx_codec_ctx_t>,
}

// SAFETY: a libvpx context has no thread affinity (no thread-locals, no
// callbacks into the creating thread); it only must not be used from two
// threads at once, and every use goes through `&mut self`.
unsafe impl Send for Context {}

impl Context {
    /// Starts a VP8 encoder with `cfg`.
    pub(crate) fn vp8_encoder(cfg: &vpx_codec_enc_cfg_t) -> Result<Self, VpxError> {
        let mut ctx = zeroed_ctx();
        // SAFETY: `ctx` is a writable, zeroed context; `cfg` is a complete
        // configuration that libvpx copies during init; the interface is
        // libvpx's static VP8 encoder; the ABI version is the one the
        // bindings were generated for.
        let err = unsafe {
            vpx_codec_enc_init_ver(
                &mut *ctx,
                vpx_codec_vp8_cx(),
                cfg,
                0,
                VPX_ENCODER_ABI_VERSION as c_int,
            )
        };
        check_init(err, "encoder")?;
        Ok(Self { ctx })
    }

    /// Starts a VP8 decoder.
    pub(crate) fn vp8_decoder(threads: u32) -> Result<Self, VpxError> {
        let mut ctx = zeroed_ctx();
        let cfg = vpx_codec_dec_cfg_t {
            threads,
            w: 0,
            h: 0,
        };
        // SAFETY: as for the encoder: a writable zeroed context, a complete
        // configuration libvpx copies, the static VP8 decoder interface and
        // the bindings' ABI version.
        let err = unsafe {
            vpx_codec_dec_init_ver(
                &mut *ctx,
                vpx_codec_vp8_dx(),
                &cfg,
                0,
                VPX_DECODER_ABI_VERSION as c_int,
            )
        };
        check_init(err, "decoder")?;
        Ok(Self { ctx })
    }

    /// The raw context, for one libvpx call at a time.
    pub(crate) fn raw(&mut self) -> *mut vpx_codec_ctx_t {
        &mut *self.ctx
    }

    /// `Ok` for `VPX_CODEC_OK`, otherwise `wrap` around libvpx's message for
    /// this context's last error.
    pub(crate) fn check(
        &mut self,
        err: vpx_codec_err_t,
        wrap: fn(String) -> VpxError,
    ) -> Result<(), VpxError> {
        if err == vpx_codec_err_t::VPX_CODEC_OK {
            return Ok(());
        }
        // SAFETY: the context is initialised; both functions return NULL or
        // a NUL-terminated string that stays valid until the next call on
        // the context, and `c_text` copies it before that.
        let (error, detail) = unsafe {
            (
                c_text(vpx_codec_error(self.raw())),
                c_text(vpx_codec_error_detail(self.raw())),
            )
        };
        let error = error.unwrap_or_else(|| err_text(err));
        Err(wrap(match detail {
            Some(detail) if !detail.is_empty() => format!("{error}: {detail}"),
            _ => error,
        }))
    }

    /// Sets an integer codec control (`VP8E_SET_…`).
    pub(crate) fn control_int(&mut self, id: u32, value: c_int) -> Result<(), VpxError> {
        // SAFETY: the context is initialised and the caller passes a control
        // whose argument libvpx reads as an `int`.
        let err = unsafe { vpx_sys::vpx_codec_control_(self.raw(), id as c_int, value) };
        self.check(err, VpxError::Config)
    }

    /// Sets an unsigned codec control (`VP8E_SET_…`).
    pub(crate) fn control_uint(&mut self, id: u32, value: c_uint) -> Result<(), VpxError> {
        // SAFETY: the context is initialised and the caller passes a control
        // whose argument libvpx reads as an `unsigned int`.
        let err = unsafe { vpx_sys::vpx_codec_control_(self.raw(), id as c_int, value) };
        self.check(err, VpxError::Config)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // SAFETY: the context was initialised (a `Context` exists only after
        // a successful init) and nothing uses it after this.
        let _ = unsafe { vpx_codec_destroy(self.raw()) };
    }
}

/// A zeroed context for libvpx's init functions to fill in.
fn zeroed_ctx() -> Box<vpx_codec_ctx_t> {
    // SAFETY: `vpx_codec_ctx_t` holds raw pointers, integers, a union of
    // pointers and `err`, whose zero is `VPX_CODEC_OK`: all zero is valid.
    Box::new(unsafe { std::mem::zeroed::<vpx_codec_ctx_t>() })
}

/// Turns an init status into a result. A failed init has already destroyed
/// the context, so only the status's own text is safe to read.
fn check_init(err: vpx_codec_err_t, what: &str) -> Result<(), VpxError> {
    if err == vpx_codec_err_t::VPX_CODEC_OK {
        Ok(())
    } else {
        Err(VpxError::Init(format!("VP8 {what}: {}", err_text(err))))
    }
}

/// libvpx's text for a status code.
pub(crate) fn err_text(err: vpx_codec_err_t) -> String {
    // SAFETY: `vpx_codec_err_to_string` returns a static string for any code.
    unsafe { c_text(vpx_codec_err_to_string(err)) }.unwrap_or_else(|| format!("{err:?}"))
}

/// Copies a C string, `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the call.
unsafe fn c_text(ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated, as the caller promises.
    Some(
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned(),
    )
}
