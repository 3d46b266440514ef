//! Frame constructors, their errors, and the RGBA ↔ I420 conversions.

use framewise::{synth, AudioFrame, ColorRange, FrameError, I420Frame, VideoFrame};

#[test]
fn rgba_constructor_checks_size_and_length() {
    assert!(matches!(
        VideoFrame::from_rgba(0, 4, vec![], 0),
        Err(FrameError::EmptySize { .. })
    ));
    assert!(matches!(
        VideoFrame::from_rgba(4, 0, vec![], 0),
        Err(FrameError::EmptySize { .. })
    ));
    assert!(matches!(
        VideoFrame::from_rgba(20_000, 1, vec![], 0),
        Err(FrameError::TooLarge { .. })
    ));
    let err = VideoFrame::from_rgba(3, 2, vec![0; 23], 0).unwrap_err();
    assert_eq!(
        err,
        FrameError::WrongLength {
            format: "RGBA",
            width: 3,
            height: 2,
            expected: 24,
            actual: 23
        }
    );
    assert_eq!(
        err.to_string(),
        "RGBA buffer for 3x2 must be 24 bytes, got 23"
    );
    let frame = VideoFrame::from_rgba(3, 2, vec![7; 24], 123).unwrap();
    assert_eq!(
        (frame.width(), frame.height(), frame.timestamp_us()),
        (3, 2, 123)
    );
    assert_eq!(frame.pixel(2, 1), Some([7; 4]));
    assert_eq!(frame.pixel(3, 0), None);
}

#[test]
fn i420_constructor_uses_rounded_up_chroma_planes() {
    assert_eq!(I420Frame::buffer_len(4, 4), 16 + 4 + 4);
    assert_eq!(I420Frame::buffer_len(5, 3), 15 + 6 + 6);
    assert_eq!(I420Frame::buffer_len(1, 1), 3);
    let err = I420Frame::new(5, 3, vec![0; 26], 0).unwrap_err();
    assert!(matches!(
        err,
        FrameError::WrongLength {
            format: "I420",
            expected: 27,
            actual: 26,
            ..
        }
    ));
    assert!(matches!(
        I420Frame::new(0, 3, vec![], 0),
        Err(FrameError::EmptySize { .. })
    ));
    let frame = I420Frame::new(5, 3, (0..27).collect(), 9).unwrap();
    assert_eq!(frame.y().len(), 15);
    assert_eq!(frame.u(), &[15, 16, 17, 18, 19, 20]);
    assert_eq!(frame.v(), &[21, 22, 23, 24, 25, 26]);
}

#[test]
fn audio_constructor_checks_every_field() {
    assert!(matches!(
        AudioFrame::new(0, 1, vec![0.0], 0),
        Err(FrameError::EmptyAudio(_))
    ));
    assert!(matches!(
        AudioFrame::new(48_000, 0, vec![0.0], 0),
        Err(FrameError::EmptyAudio(_))
    ));
    assert!(matches!(
        AudioFrame::new(48_000, 1, vec![], 0),
        Err(FrameError::EmptyAudio(_))
    ));
    assert!(matches!(
        AudioFrame::new(48_000, 2, vec![0.0; 3], 0),
        Err(FrameError::RaggedAudio { .. })
    ));
    assert!(matches!(
        AudioFrame::new(10_000_000, 1, vec![0.0], 0),
        Err(FrameError::AudioLimit { .. })
    ));
    assert!(matches!(
        AudioFrame::new(48_000, 1000, vec![0.0; 1000], 0),
        Err(FrameError::AudioLimit { .. })
    ));
    let frame = AudioFrame::new(44_100, 2, vec![0.5; 8], 77).unwrap();
    assert_eq!(
        (
            frame.samples_per_channel(),
            frame.channels(),
            frame.sample_rate()
        ),
        (4, 2, 44_100)
    );
}

#[test]
fn image_conversions_keep_the_pixels() {
    let frame = synth::textured_frame(33, 17, 4);
    let image = frame.clone().into_image();
    assert_eq!(image.dimensions(), (33, 17));
    assert_eq!(image.get_pixel(5, 6).0, frame.pixel(5, 6).unwrap());
    let back = VideoFrame::from_image(image, frame.timestamp_us()).unwrap();
    assert_eq!(back, frame);
    let mut edited = frame.clone();
    edited
        .as_image_mut()
        .put_pixel(0, 0, image::Rgba([1, 2, 3, 4]));
    assert_eq!(edited.pixel(0, 0), Some([1, 2, 3, 4]));
}

fn max_channel_error(a: &VideoFrame, b: &VideoFrame) -> u8 {
    a.data()
        .chunks_exact(4)
        .zip(b.data().chunks_exact(4))
        .flat_map(|(p, q)| (0..3).map(move |c| p[c].abs_diff(q[c])))
        .max()
        .unwrap_or(0)
}

/// A frame whose 2×2 blocks are flat, so chroma subsampling loses nothing
/// and only the quantisation of the matrix remains.
fn blocky_frame(width: u32, height: u32) -> VideoFrame {
    let source = synth::textured_frame(width.div_ceil(2), height.div_ceil(2), 9);
    let mut data = Vec::new();
    for y in 0..height {
        for x in 0..width {
            data.extend_from_slice(&source.pixel(x / 2, y / 2).expect("inside the source"));
        }
    }
    VideoFrame::from_rgba(width, height, data, 0).expect("sized for the frame")
}

#[test]
fn i420_round_trip_error_is_bounded_at_odd_sizes() {
    for (width, height) in [(1, 1), (1, 7), (7, 1), (5, 3), (64, 48), (97, 61)] {
        let frame = blocky_frame(width, height);
        for (range, bound) in [(ColorRange::Limited, 4), (ColorRange::Full, 3)] {
            let yuv = I420Frame::from_rgba(&frame, range);
            assert_eq!(yuv.data().len(), I420Frame::buffer_len(width, height));
            let back = yuv.to_rgba(range);
            assert_eq!((back.width(), back.height()), (width, height));
            let error = max_channel_error(&frame, &back);
            assert!(
                error <= bound,
                "{range:?} {width}x{height}: error {error} > {bound}"
            );
        }
    }
}

#[test]
fn i420_round_trip_of_grey_is_close_for_any_texture() {
    let mut frame = synth::textured_frame(31, 19, 2);
    framewise::processors::video::grayscale::grayscale_mut(frame.data_mut());
    let back = I420Frame::from_rgba(&frame, ColorRange::Limited).to_rgba(ColorRange::Limited);
    assert!(max_channel_error(&frame, &back) <= 2);
}

#[test]
fn limited_range_maps_black_and_white_to_16_and_235() {
    let white = VideoFrame::filled(2, 2, [255, 255, 255, 255], 0).unwrap();
    let black = VideoFrame::filled(2, 2, [0, 0, 0, 255], 0).unwrap();
    let limited = |f: &VideoFrame| I420Frame::from_rgba(f, ColorRange::Limited);
    assert_eq!(limited(&white).y(), &[235; 4]);
    assert_eq!(limited(&black).y(), &[16; 4]);
    assert_eq!(limited(&white).u(), &[128]);
    assert_eq!(
        I420Frame::from_rgba(&white, ColorRange::Full).y(),
        &[255; 4]
    );
    // Pure red in BT.601 limited range: Y 82, Cb 90, Cr 240.
    let red = VideoFrame::filled(1, 1, [255, 0, 0, 255], 0).unwrap();
    assert_eq!(limited(&red).data(), &[82, 90, 240]);
}

/// BT.601 in 8-bit fixed point, one pixel at a time: what the conversions
/// must compute, written the plain way.
mod reference {
    use framewise::ColorRange;

    fn clamp(v: i32) -> u8 {
        v.clamp(0, 255) as u8
    }

    /// Y of one pixel's R, G, B.
    pub fn luma(range: ColorRange, [r, g, b]: [i32; 3]) -> u8 {
        match range {
            ColorRange::Limited => clamp(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16),
            ColorRange::Full => clamp((77 * r + 150 * g + 29 * b + 128) >> 8),
        }
    }

    /// U and V of a block's rounded mean R, G, B.
    pub fn chroma(range: ColorRange, [r, g, b]: [i32; 3]) -> [u8; 2] {
        let (u, v) = match range {
            ColorRange::Limited => ([-38, -74, 112], [112, -94, -18]),
            ColorRange::Full => ([-43, -85, 128], [128, -107, -21]),
        };
        [u, v].map(|[kr, kg, kb]| clamp(((kr * r + kg * g + kb * b + 128) >> 8) + 128))
    }

    pub fn rgb(range: ColorRange, y: u8, u: u8, v: u8) -> [u8; 3] {
        let (d, e) = (i32::from(u) - 128, i32::from(v) - 128);
        let (c, [rv, gu, gv, bu]) = match range {
            ColorRange::Limited => (298 * (i32::from(y) - 16), [409, 100, 208, 516]),
            ColorRange::Full => (256 * i32::from(y), [359, 88, 183, 454]),
        };
        [
            clamp((c + rv * e + 128) >> 8),
            clamp((c - gu * d - gv * e + 128) >> 8),
            clamp((c + bu * d + 128) >> 8),
        ]
    }
}

#[test]
fn i420_conversions_match_the_per_pixel_formulas() {
    for (width, height) in [(1, 1), (2, 2), (3, 5), (8, 3), (97, 61)] {
        let frame = synth::textured_frame(width, height, 5);
        let rgb = |x: u32, y: u32| {
            let p = frame.pixel(x, y).expect("inside the frame");
            [p[0], p[1], p[2]].map(i32::from)
        };
        let (w, cw) = (width as usize, width.div_ceil(2) as usize);
        for range in [ColorRange::Limited, ColorRange::Full] {
            let yuv = I420Frame::from_rgba(&frame, range);
            let back = yuv.to_rgba(range);
            for y in 0..height {
                for x in 0..width {
                    let (i, c) = (
                        y as usize * w + x as usize,
                        (y / 2) as usize * cw + (x / 2) as usize,
                    );
                    assert_eq!(
                        yuv.y()[i],
                        reference::luma(range, rgb(x, y)),
                        "{range:?} Y at {x},{y}"
                    );
                    let [r, g, b] = reference::rgb(range, yuv.y()[i], yuv.u()[c], yuv.v()[c]);
                    assert_eq!(
                        back.pixel(x, y),
                        Some([r, g, b, 255]),
                        "{range:?} RGBA at {x},{y}"
                    );
                }
            }
            for cy in 0..height.div_ceil(2) {
                for cx in 0..width.div_ceil(2) {
                    // The block's pixels, inside the frame; the mean rounds.
                    let block: Vec<[i32; 3]> = (cy * 2..(cy * 2 + 2).min(height))
                        .flat_map(|y| (cx * 2..(cx * 2 + 2).min(width)).map(move |x| (x, y)))
                        .map(|(x, y)| rgb(x, y))
                        .collect();
                    let n = block.len() as i32;
                    let mean =
                        [0, 1, 2].map(|k| (block.iter().map(|p| p[k]).sum::<i32>() + n / 2) / n);
                    let c = cy as usize * cw + cx as usize;
                    assert_eq!(
                        [yuv.u()[c], yuv.v()[c]],
                        reference::chroma(range, mean),
                        "{range:?} UV at block {cx},{cy}"
                    );
                }
            }
        }
    }
}
