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
