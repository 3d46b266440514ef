//! The demo app, built by trunk as `cargo xtask demo` serves it, loaded in
//! headless Chromium: the chosen processor really runs in WebAssembly and
//! produces exactly what the same processor produces natively.

use framewise::{synth, Registry, VideoFrame};
use framewise_e2e::{fnv1a_hex, run_demo};
use serde_json::{json, Value};

/// The page's input: the same generator, size and seed.
fn input() -> VideoFrame {
    synth::textured_frame(640, 480, 1)
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad JSON from the page ({e}): {text}"))
}

#[test]
#[ignore = "needs a trunk build of www/ and Chromium; `cargo xtask test` runs it"]
fn invert_runs_in_wasm_and_matches_native() {
    let page = run_demo("invert").unwrap();
    assert_eq!(page["status"], "ok", "page error: {:?}", page.get("error"));
    assert_eq!(page["processor"], "invert");
    assert_eq!(
        (page["width"].as_str(), page["height"].as_str()),
        ("640", "480")
    );

    // The page generated the same input in wasm.
    let input = input();
    assert_eq!(page["inputChecksum"], fnv1a_hex(input.data()));

    // Pixels read back from the output canvas are 255 - input, alpha kept.
    let samples = json_of(&page["outputSamples"]);
    let samples = samples.as_array().expect("outputSamples is a list");
    assert!(samples.len() >= 4, "too few samples: {samples:?}");
    for sample in samples {
        let v: Vec<u32> = serde_json::from_value(sample.clone()).unwrap();
        let [x, y, r, g, b, a] = v[..] else {
            panic!("bad sample {sample}")
        };
        let p = input.pixel(x, y).unwrap().map(u32::from);
        assert_eq!(
            [r, g, b, a],
            [255 - p[0], 255 - p[1], 255 - p[2], p[3]],
            "pixel {x},{y}"
        );
    }

    // The whole output frame is bit-identical to the native run.
    let mut native = input.clone();
    Registry::with_builtins()
        .video("invert", &json!({}))
        .unwrap()
        .process(&mut native)
        .unwrap();
    assert_eq!(page["outputChecksum"], fnv1a_hex(native.data()));
}

#[test]
#[ignore = "needs a trunk build of www/ and Chromium; `cargo xtask test` runs it"]
fn frame_stats_results_reach_the_page_and_match_native() {
    let page = run_demo("frame-stats").unwrap();
    assert_eq!(page["status"], "ok", "page error: {:?}", page.get("error"));
    let input = input();
    // The picture is unchanged.
    assert_eq!(page["outputChecksum"], fnv1a_hex(input.data()));
    // The page ran the same frame several times; so does the native side.
    let mut stats = Registry::with_builtins()
        .video("frame-stats", &json!({}))
        .unwrap();
    stats.process(&mut input.clone()).unwrap();
    let native = stats.process(&mut input.clone()).unwrap();
    assert!(!native.is_empty());
    assert_eq!(json_of(&page["results"]), Value::from(native));
}

#[test]
#[ignore = "needs a trunk build of www/ and Chromium; `cargo xtask test` runs it"]
fn an_unknown_processor_is_a_clear_error_on_the_page() {
    let page = run_demo("no-such-filter").unwrap();
    assert_eq!(page["status"], "error");
    let error = &page["error"];
    assert!(
        error.contains("unknown video processor \"no-such-filter\""),
        "{error}"
    );
    assert!(
        error.contains("invert"),
        "the error should list the known names: {error}"
    );
}
