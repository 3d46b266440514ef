//! Test media as files a browser can play: a Y4M video of moving shapes
//! with each frame's index in a strip along the top, and a WAV tone.
//! Chromium plays them as a fake camera and microphone
//! (`--use-file-for-fake-video-capture`, `--use-file-for-fake-audio-capture`).
//!
//! These functions return bytes; writing them is the caller's business.

use super::index_strip;
use crate::frame::{AudioFrame, ColorRange, I420Frame, VideoFrame};

/// Colour of the flat background.
pub const BACKGROUND: [u8; 3] = [40, 50, 70];
/// Colour of the shape that never moves.
pub const STILL_COLOR: [u8; 3] = [230, 80, 40];
/// Colour of the moving disc.
pub const DISC_COLOR: [u8; 3] = [250, 220, 60];

/// Where the rectangle that never moves sits: `(x0, y0, x1, y1)`, end
/// exclusive. Its borders are where edge detectors must find edges.
pub fn still_rect(width: u32, height: u32) -> (u32, u32, u32, u32) {
    (width / 16, height * 5 / 8, width / 4, height * 7 / 8)
}

/// Frame `index` of the moving-shapes video: a flat background, a still
/// rectangle ([`still_rect`]), a disc moving left to right, a square
/// moving up and down, and the index strip on top. No noise and no
/// gradients: areas away from the shapes are perfectly flat.
pub fn moving_frame(width: u32, height: u32, index: u32, timestamp_us: i64) -> VideoFrame {
    let (width, height) = (width.max(1), height.max(1));
    let (w, h) = (i64::from(width), i64::from(height));
    let t = i64::from(index);
    let radius = (h / 8).max(1);
    let (cx, cy) = ((t * 4) % (w + 2 * radius) - radius, h * 3 / 8);
    let side = (h / 6).max(1);
    let span = (h * 7 / 8 - h / 4 - side).max(1);
    let bounce = (t * 3) % (2 * span);
    let (sx, sy) = (
        w * 3 / 5,
        h / 4
            + if bounce < span {
                bounce
            } else {
                2 * span - bounce
            },
    );
    let (rx0, ry0, rx1, ry1) = still_rect(width, height);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x - cx, y - cy);
            let color = if dx * dx + dy * dy < radius * radius {
                DISC_COLOR
            } else if (sx..sx + side).contains(&x) && (sy..sy + side).contains(&y) {
                [40, 200, 120]
            } else if (i64::from(rx0)..i64::from(rx1)).contains(&x)
                && (i64::from(ry0)..i64::from(ry1)).contains(&y)
            {
                STILL_COLOR
            } else {
                BACKGROUND
            };
            data.extend_from_slice(&[color[0], color[1], color[2], 255]);
        }
    }
    let mut frame = match VideoFrame::from_rgba(width, height, data, timestamp_us) {
        Ok(frame) => frame,
        Err(_) => unreachable!("the buffer is built for the size"),
    };
    index_strip::write(&mut frame, index);
    frame
}

/// A Y4M file (4:2:0, BT.601 limited range, progressive) of `frames`
/// frames of [`moving_frame`] at `fps`. Chromium loops it.
pub fn y4m(width: u32, height: u32, fps: u32, frames: u32) -> Vec<u8> {
    let fps = fps.max(1);
    let header = format!("YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n");
    let frame_len = I420Frame::buffer_len(width.max(1), height.max(1));
    let mut out = Vec::with_capacity(header.len() + frames as usize * (6 + frame_len));
    out.extend_from_slice(header.as_bytes());
    for index in 0..frames {
        let timestamp = i64::from(index) * 1_000_000 / i64::from(fps);
        let frame = moving_frame(width, height, index, timestamp);
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(I420Frame::from_rgba(&frame, ColorRange::Limited).data());
    }
    out
}

/// A 16-bit PCM WAV file: a sine of `hz` at half scale in every channel.
pub fn wav(sample_rate: u32, channels: u16, seconds: f64, hz: f64) -> Vec<u8> {
    let (sample_rate, channels) = (sample_rate.max(1), channels.max(1));
    let frames = (seconds.max(0.0) * f64::from(sample_rate)) as usize;
    wav_of(&super::sine(sample_rate, channels, frames.max(1), hz, 0.5))
}

/// `audio` as a 16-bit PCM WAV file (samples clipped to ±1).
pub fn wav_of(audio: &AudioFrame) -> Vec<u8> {
    let (sample_rate, channels) = (audio.sample_rate(), audio.channels());
    let data_len = (audio.samples().len() * 2) as u32;
    let block_align = channels * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in audio.samples() {
        let v = (s.clamp(-1.0, 1.0) * 32_767.0) as i16;
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}
