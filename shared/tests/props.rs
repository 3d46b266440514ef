//! Property tests over every built-in processor: arbitrary valid frames and
//! blocks never make one fail or panic, sizes are kept, and a size change
//! between calls is handled. Native only: the wasm suite checks that the
//! same code gives the same output there.
#![cfg(not(target_arch = "wasm32"))]

use framewise::{synth, AudioFrame, Registry, VideoFrame};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::json;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x00F2_A3E0_15E0_0001),
        failure_persistence: None,
        ..Config::default()
    }
}

fn video_names(registry: &Registry) -> Vec<String> {
    registry
        .infos()
        .filter(|i| i.kind == framewise::MediaKind::Video)
        .map(|i| i.name.clone())
        .collect()
}

fn audio_names(registry: &Registry) -> Vec<String> {
    registry
        .infos()
        .filter(|i| i.kind == framewise::MediaKind::Audio)
        .map(|i| i.name.clone())
        .collect()
}

/// A frame of arbitrary bytes with a size from 1×1 up to 48×48, leaning on
/// the thin shapes (1×N, N×1) where edge handling breaks first.
fn arbitrary_frame() -> impl Strategy<Value = VideoFrame> {
    let side = prop_oneof![Just(1u32), Just(2u32), 1u32..=48];
    (side.clone(), side).prop_flat_map(|(w, h)| {
        proptest::collection::vec(any::<u8>(), (w * h * 4) as usize).prop_map(move |data| {
            VideoFrame::from_rgba(w, h, data, 0).expect("sized for the frame")
        })
    })
}

fn arbitrary_audio() -> impl Strategy<Value = AudioFrame> {
    (
        prop_oneof![Just(8_000u32), Just(44_100), Just(48_000), 1u32..=384_000],
        1u16..=8,
        1usize..=256,
    )
        .prop_flat_map(|(rate, channels, n)| {
            proptest::collection::vec(-1.5f32..1.5, n * usize::from(channels)).prop_map(move |s| {
                AudioFrame::new(rate, channels, s, 0).expect("sized for the block")
            })
        })
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn video_processors_keep_size_across_size_changes(a in arbitrary_frame(), b in arbitrary_frame()) {
        let registry = Registry::with_builtins();
        for name in video_names(&registry) {
            let mut pipeline = registry.video(&name, &json!({})).unwrap();
            for input in [&a, &b, &a] {
                let mut frame = input.clone();
                let result = pipeline.process(&mut frame);
                prop_assert!(result.is_ok(), "{} failed on {}x{}: {:?}", name, input.width(), input.height(), result);
                prop_assert_eq!((frame.width(), frame.height()), (input.width(), input.height()), "{} changed the size", name);
            }
        }
    }

    #[test]
    fn audio_processors_keep_length_across_format_changes(a in arbitrary_audio(), b in arbitrary_audio()) {
        let registry = Registry::with_builtins();
        for name in audio_names(&registry) {
            let mut pipeline = registry.audio(&name, &json!({})).unwrap();
            for input in [&a, &b, &a] {
                let mut frame = input.clone();
                prop_assert!(pipeline.process(&mut frame).is_ok(), "{} failed", name);
                prop_assert_eq!(frame.samples().len(), input.samples().len());
                prop_assert!(frame.samples().iter().all(|s| s.is_finite()), "{} made a non-finite sample", name);
            }
        }
    }
}

/// Large frames are too slow for many proptest cases in debug builds, so
/// they get a fixed walk: 1280×720, 1920×1080, a tall strip and back.
#[test]
fn video_processors_handle_large_frames_and_switches() {
    let registry = Registry::with_builtins();
    let sizes = [
        (1280, 720),
        (1, 1),
        (1920, 1080),
        (3, 1000),
        (1000, 3),
        (1281, 721),
    ];
    for name in video_names(&registry) {
        let mut pipeline = registry.video(&name, &json!({})).unwrap();
        for (i, (w, h)) in sizes.into_iter().enumerate() {
            let mut frame = synth::textured_frame(w, h, i as u64);
            pipeline
                .process(&mut frame)
                .unwrap_or_else(|e| panic!("{name} at {w}x{h}: {e}"));
            assert_eq!((frame.width(), frame.height()), (w, h), "{name}");
        }
    }
}
