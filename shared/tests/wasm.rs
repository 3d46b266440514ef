//! The core in a real browser (headless Chromium through
//! wasm-bindgen-test-runner): every built-in processor gives exactly the
//! output the native build gives — the hashes in tests/reference, which the
//! native `reference` test checks too. Processors through `std` float
//! maths are held to a measured figure instead.
#![cfg(target_arch = "wasm32")]

mod common;

use framewise::{Registry, VideoFrame};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn wasm_output_is_bit_identical_to_native() {
    let registry = Registry::with_builtins();
    let cases = common::cases(&registry);
    assert!(
        cases.len() > 30,
        "expected every built-in processor, got {} cases",
        cases.len()
    );
    let mismatches: Vec<String> = cases
        .iter()
        .filter(|case| !common::NOT_BIT_IDENTICAL.contains(&case.processor.as_str()))
        .filter(|case| common::run_case(&registry, case).ok() != common::expected(&case.key()))
        .map(|case| case.key())
        .collect();
    assert!(
        mismatches.is_empty(),
        "wasm output differs from native for: {mismatches:#?}"
    );
}

#[wasm_bindgen_test]
fn noise_suppression_reduces_noise_as_much_as_natively() {
    let reduction = common::noise_reduction_db(&Registry::with_builtins());
    assert!(
        (reduction - common::NOISE_REDUCTION_DB).abs() < 0.5,
        "wasm lowers the noise by {reduction:.3} dB, native by {:.3} dB",
        common::NOISE_REDUCTION_DB
    );
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_in_wasm_too() {
    assert!(VideoFrame::from_rgba(4, 4, vec![0; 10], 0).is_err());
    let err = Registry::with_builtins()
        .video("nope", &serde_json::json!({}))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("unknown video processor \"nope\""), "{err}");
}
