//! The VP8 encoder: real-time settings, one call per frame.

use std::ffi::{c_int, c_long, c_uint, c_ulong};
use std::ptr;

use framewise::I420Frame;
use vpx_sys::{
    vp8e_enc_control_id, vpx_codec_cx_pkt_kind, vpx_codec_enc_cfg_t, vpx_codec_enc_config_default,
    vpx_codec_encode, vpx_codec_get_cx_data, vpx_codec_iter_t, vpx_codec_vp8_cx, vpx_image_t,
    vpx_img_fmt, vpx_img_wrap, vpx_kf_mode, vpx_rational, vpx_rc_mode, VPX_DL_REALTIME,
    VPX_EFLAG_FORCE_KF, VPX_ERROR_RESILIENT_DEFAULT, VPX_FRAME_IS_KEY,
};

use crate::codec::{err_text, Context};
use crate::VpxError;

/// Ticks per second of the encoder's timestamps: the 90 kHz RTP video clock.
pub const TIMEBASE_HZ: i64 = 90_000;

/// How far a pts may be from the stream's first: libvpx multiplies the
/// difference (plus a frame) by 1000 in 64 bits (10 MHz ticks over 90 kHz),
/// and an overflow there is undefined behaviour in C. About 3200 years.
const PTS_SPAN: i64 = i64::MAX / 1_000 - TIMEBASE_HZ;

/// Largest width or height VP8 can code (14 bits in the keyframe header).
const MAX_SIDE: u32 = 16_383;

/// Encoder speed, libvpx's `cpu_used`. In real-time mode a negative value
/// fixes the speed at its magnitude; a positive one lets libvpx adapt the
/// speed to measured encode time (which picks the slowest, speed 4, when
/// there is time to spare). Fixed 12 of 16: about 1.5 ms per 640×480 frame
/// on one core; 16 is no faster, 8 is ~15% slower for ~0.5 dB.
const CPU_USED: c_int = -12;

/// Largest keyframe, in percent of an average frame's bits, so a keyframe
/// does not burst far beyond the bitrate.
const MAX_INTRA_BITRATE_PCT: c_uint = 900;

/// What to encode: size, frame rate and target bitrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderConfig {
    /// Width in pixels, 1..=16383.
    pub width: u32,
    /// Height in pixels, 1..=16383.
    pub height: u32,
    /// Frames per second the stream is meant to run at (at least 1).
    pub fps: u32,
    /// Target bitrate in kbit/s (at least 1); the rate control is CBR.
    pub bitrate_kbps: u32,
}

impl EncoderConfig {
    /// Fewest kbit/s [`EncoderConfig::for_size`] picks.
    pub const MIN_KBPS: u32 = 300;
    /// Most kbit/s [`EncoderConfig::for_size`] picks.
    pub const MAX_KBPS: u32 = 8_000;

    /// A config with a bitrate that suits the size: one kbit/s per 300
    /// pixels at up to 30 fps (1024 kbit/s at 640×480, 3072 at 1280×720),
    /// more above 30 fps, clamped to [`Self::MIN_KBPS`]..=[`Self::MAX_KBPS`].
    ///
    /// ```
    /// let config = framewise_vpx::EncoderConfig::for_size(640, 480, 30);
    /// assert!(config.bitrate_kbps >= 1000);
    /// ```
    pub fn for_size(width: u32, height: u32, fps: u32) -> Self {
        let pixels = u64::from(width) * u64::from(height);
        let kbps = pixels * u64::from(fps.max(30)) / 30 / 300;
        let bitrate_kbps = kbps.clamp(u64::from(Self::MIN_KBPS), u64::from(Self::MAX_KBPS));
        Self {
            width,
            height,
            fps,
            bitrate_kbps: bitrate_kbps as u32,
        }
    }

    /// Checks what libvpx would otherwise reject with less helpful text.
    fn validate(&self) -> Result<(), VpxError> {
        let side_ok = |side: u32| (1..=MAX_SIDE).contains(&side);
        if !side_ok(self.width) || !side_ok(self.height) {
            return Err(VpxError::Config(format!(
                "size {}x{} is outside VP8's 1..={MAX_SIDE} per side",
                self.width, self.height
            )));
        }
        if self.fps == 0 || i64::from(self.fps) > TIMEBASE_HZ {
            return Err(VpxError::Config(format!(
                "{} fps is outside 1..={TIMEBASE_HZ}",
                self.fps
            )));
        }
        if self.bitrate_kbps == 0 {
            return Err(VpxError::Config("bitrate must be at least 1 kbit/s".into()));
        }
        Ok(())
    }

    /// One frame's duration in [`TIMEBASE_HZ`] ticks.
    fn frame_ticks(&self) -> c_ulong {
        (TIMEBASE_HZ / i64::from(self.fps.max(1))).max(1) as c_ulong
    }

    /// libvpx's configuration: its VP8 defaults with real-time settings.
    fn to_vpx(self) -> Result<vpx_codec_enc_cfg_t, VpxError> {
        let mut cfg = std::mem::MaybeUninit::<vpx_codec_enc_cfg_t>::uninit();
        // SAFETY: the interface is libvpx's static VP8 encoder and `cfg` is
        // writable; usage 0 is the only one libvpx knows.
        let err = unsafe { vpx_codec_enc_config_default(vpx_codec_vp8_cx(), cfg.as_mut_ptr(), 0) };
        if err != vpx_sys::VPX_CODEC_OK {
            return Err(VpxError::Init(format!(
                "no VP8 default config: {}",
                err_text(err)
            )));
        }
        // SAFETY: on success libvpx copied a whole default config into `cfg`.
        let mut cfg = unsafe { cfg.assume_init() };
        cfg.g_w = self.width;
        cfg.g_h = self.height;
        cfg.g_timebase = vpx_rational {
            num: 1,
            den: TIMEBASE_HZ as c_int,
        };
        cfg.g_threads = threads_for(self.width, self.height);
        cfg.g_lag_in_frames = 0;
        cfg.g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
        cfg.rc_end_usage = vpx_rc_mode::VPX_CBR;
        cfg.rc_target_bitrate = self.bitrate_kbps;
        cfg.rc_dropframe_thresh = 0;
        cfg.rc_resize_allowed = 0;
        cfg.rc_min_quantizer = 2;
        cfg.rc_max_quantizer = 56;
        cfg.rc_undershoot_pct = 100;
        cfg.rc_overshoot_pct = 15;
        cfg.rc_buf_initial_sz = 500;
        cfg.rc_buf_optimal_sz = 600;
        cfg.rc_buf_sz = 1000;
        cfg.kf_mode = vpx_kf_mode::VPX_KF_AUTO;
        cfg.kf_min_dist = 0;
        cfg.kf_max_dist = self.fps.saturating_mul(KEYFRAME_SECONDS);
        Ok(cfg)
    }
}

/// Longest time between keyframes, so a receiver that lost one (or joined
/// late) recovers without asking.
const KEYFRAME_SECONDS: u32 = 3;

/// Encoder threads: one up to 640×480, two above. At 640×480 a second
/// thread saves under half a millisecond, and VP8's threads wait on each
/// other row by row, which stalls badly when the cores are busy (as on a
/// server running many encoders).
fn threads_for(width: u32, height: u32) -> c_uint {
    if u64::from(width) * u64::from(height) > 640 * 480 {
        2
    } else {
        1
    }
}

/// One compressed VP8 frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// The VP8 bitstream of the frame (an RTP payloader splits it).
    pub data: Vec<u8>,
    /// Whether this is a keyframe, decodable without earlier frames.
    pub keyframe: bool,
    /// Presentation time in [`TIMEBASE_HZ`] ticks: the `pts` given to
    /// [`Vp8Encoder::encode`] for this frame.
    pub pts: i64,
}

/// A VP8 encoder with real-time settings: CBR, no lookahead, error
/// resilient, a keyframe at least every 3 s, a fixed high speed.
pub struct Vp8Encoder {
    config: EncoderConfig,
    codec: Context,
    /// The first pts this encoder saw; libvpx counts time from it.
    first_pts: Option<i64>,
}

impl std::fmt::Debug for Vp8Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vp8Encoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Vp8Encoder {
    /// Starts an encoder for `config`.
    pub fn new(config: EncoderConfig) -> Result<Self, VpxError> {
        config.validate()?;
        let mut codec = Context::vp8_encoder(&config.to_vpx()?)?;
        codec.control_int(vp8e_enc_control_id::VP8E_SET_CPUUSED as u32, CPU_USED)?;
        codec.control_uint(
            vp8e_enc_control_id::VP8E_SET_MAX_INTRA_BITRATE_PCT as u32,
            MAX_INTRA_BITRATE_PCT,
        )?;
        Ok(Self {
            config,
            codec,
            first_pts: None,
        })
    }

    /// The current config (its size follows the last encoded frame).
    pub fn config(&self) -> EncoderConfig {
        self.config
    }

    /// Encodes one frame at `pts` ([`TIMEBASE_HZ`] ticks, e.g.
    /// `timestamp_us * 9 / 100`), as a keyframe if `keyframe` is set (e.g.
    /// on a receiver's request).
    ///
    /// `pts` should increase from frame to frame (the rate control reads
    /// frame rate from it); repeats and steps back are accepted, but a pts
    /// about 3000 years away from the first one is [`VpxError::Encode`].
    ///
    /// Returns the compressed frames libvpx gives back: exactly one per
    /// call with these settings (no lookahead, no frame dropping). A frame
    /// of another size than the config's restarts the encoder at that
    /// size, keeping fps and bitrate; that frame comes out as a keyframe.
    pub fn encode(
        &mut self,
        frame: &I420Frame,
        pts: i64,
        keyframe: bool,
    ) -> Result<Vec<EncodedFrame>, VpxError> {
        if (frame.width(), frame.height()) != (self.config.width, self.config.height) {
            let config = EncoderConfig {
                width: frame.width(),
                height: frame.height(),
                ..self.config
            };
            *self = Self::new(config)?;
        }
        let first = *self.first_pts.get_or_insert(pts);
        if pts
            .checked_sub(first)
            .is_none_or(|span| span.abs() > PTS_SPAN)
        {
            return Err(VpxError::Encode(format!(
                "pts {pts} is too far from the stream's first pts {first}"
            )));
        }
        let flags = if keyframe {
            VPX_EFLAG_FORCE_KF as c_long
        } else {
            0
        };
        let duration = self.config.frame_ticks();
        let image = wrap(frame)?;
        // SAFETY: the context is an initialised encoder; `image` describes
        // `frame`'s planes, which outlive the call and which libvpx only
        // reads (and copies: no lookahead keeps them).
        let err = unsafe {
            vpx_codec_encode(
                self.codec.raw(),
                &image,
                pts,
                duration,
                flags,
                VPX_DL_REALTIME as c_ulong,
            )
        };
        self.codec.check(err, VpxError::Encode)?;
        Ok(self.take_packets(pts))
    }

    /// Copies out the frame packets of the last `vpx_codec_encode`, which
    /// encoded the frame at `pts`. (libvpx's own packet pts goes through its
    /// 10 MHz clock and comes back one tick off for a pts before the first.)
    fn take_packets(&mut self, pts: i64) -> Vec<EncodedFrame> {
        let mut out = Vec::new();
        let mut iter: vpx_codec_iter_t = ptr::null();
        loop {
            // SAFETY: an initialised encoder and an iterator that started
            // NULL after the last encode call.
            let pkt = unsafe { vpx_codec_get_cx_data(self.codec.raw(), &mut iter) };
            if pkt.is_null() {
                return out;
            }
            // SAFETY: `pkt` points to a packet valid until the next encode
            // call. `kind` is read as its integer, so an unknown kind is no
            // invalid enum; for a frame packet, `data.frame` is the field
            // libvpx filled.
            let frame = unsafe {
                let kind = ptr::addr_of!((*pkt).kind).cast::<u32>().read();
                if kind != vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT as u32 {
                    continue;
                }
                (*pkt).data.frame
            };
            let data = if frame.buf.is_null() {
                Vec::new()
            } else {
                // SAFETY: libvpx's frame buffer holds `sz` bytes until the
                // next encode call; they are copied here.
                unsafe { std::slice::from_raw_parts(frame.buf.cast::<u8>(), frame.sz as usize) }
                    .to_vec()
            };
            out.push(EncodedFrame {
                data,
                keyframe: frame.flags & VPX_FRAME_IS_KEY != 0,
                pts,
            });
        }
    }
}

/// An image descriptor over `frame`'s planes, without copying: rows of
/// `width` luma and `ceil(width / 2)` chroma bytes, as `I420Frame` keeps
/// them (libvpx's own wrap would assume even-width chroma rows).
fn wrap(frame: &I420Frame) -> Result<vpx_image_t, VpxError> {
    // SAFETY: `vpx_image_t` holds integers, raw pointers and C enums whose
    // zero is a valid variant: all zero is a valid value.
    let mut image: vpx_image_t = unsafe { std::mem::zeroed() };
    let data = frame.data().as_ptr().cast_mut();
    // SAFETY: `image` is writable; `data` points to the frame's buffer,
    // which libvpx only records (we replace the plane pointers below).
    let wrapped = unsafe {
        vpx_img_wrap(
            &mut image,
            vpx_img_fmt::VPX_IMG_FMT_I420,
            frame.width(),
            frame.height(),
            1,
            data,
        )
    };
    if wrapped.is_null() {
        return Err(VpxError::Encode(format!(
            "libvpx cannot describe a {}x{} I420 image",
            frame.width(),
            frame.height()
        )));
    }
    let luma_stride = frame.width() as c_int;
    let chroma_stride = frame.width().div_ceil(2) as c_int;
    image.planes[0] = frame.y().as_ptr().cast_mut();
    image.planes[1] = frame.u().as_ptr().cast_mut();
    image.planes[2] = frame.v().as_ptr().cast_mut();
    image.planes[3] = ptr::null_mut();
    image.stride = [luma_stride, chroma_stride, chroma_stride, 0];
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitrate_scales_with_pixels_and_is_clamped() {
        assert!(EncoderConfig::for_size(640, 480, 30).bitrate_kbps >= 1000);
        assert!(EncoderConfig::for_size(640, 480, 15).bitrate_kbps >= 1000);
        let hd = EncoderConfig::for_size(1280, 720, 30).bitrate_kbps;
        assert!((2500..=3500).contains(&hd), "{hd}");
        assert!(
            EncoderConfig::for_size(1280, 720, 60).bitrate_kbps > hd,
            "more frames, more bits"
        );
        assert_eq!(
            EncoderConfig::for_size(16, 16, 30).bitrate_kbps,
            EncoderConfig::MIN_KBPS
        );
        assert_eq!(
            EncoderConfig::for_size(7680, 4320, 60).bitrate_kbps,
            EncoderConfig::MAX_KBPS
        );
    }

    #[test]
    fn bad_configs_are_errors() {
        let good = EncoderConfig::for_size(64, 64, 30);
        for bad in [
            EncoderConfig { width: 0, ..good },
            EncoderConfig {
                height: MAX_SIDE + 1,
                ..good
            },
            EncoderConfig { fps: 0, ..good },
            EncoderConfig {
                bitrate_kbps: 0,
                ..good
            },
        ] {
            assert!(
                matches!(Vp8Encoder::new(bad), Err(VpxError::Config(_))),
                "{bad:?}"
            );
        }
        assert!(Vp8Encoder::new(good).is_ok());
    }

    #[test]
    fn keyframe_interval_is_a_few_seconds() {
        let cfg = EncoderConfig::for_size(640, 480, 30)
            .to_vpx()
            .expect("default config");
        assert_eq!(cfg.kf_max_dist, 90);
        assert_eq!(cfg.g_lag_in_frames, 0);
    }
}
