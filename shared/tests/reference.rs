//! Regression check of every built-in processor against committed output
//! hashes. The wasm suite checks the same hashes in headless Chromium, so
//! together they prove native and wasm32 output is bit-identical.
//!
//! After an intended change of an algorithm, regenerate with
//! `FRAMEWISE_BLESS=1 cargo test -p framewise --test reference`.

mod common;

use framewise::Registry;

#[test]
fn noise_suppression_reduces_noise_by_its_reference_figure() {
    let reduction = common::noise_reduction_db(&Registry::with_builtins());
    assert!(
        (reduction - common::NOISE_REDUCTION_DB).abs() < 0.01,
        "{reduction:.3} dB, the reference says {:.3} dB (tests/common/mod.rs)",
        common::NOISE_REDUCTION_DB
    );
}

#[test]
fn every_processor_matches_its_reference_output() {
    let registry = Registry::with_builtins();
    let cases = common::cases(&registry);
    let mut lines = Vec::new();
    let mut mismatches = Vec::new();
    for case in &cases {
        let key = case.key();
        let hash = common::run_case(&registry, case).unwrap_or_else(|e| panic!("{key}: {e}"));
        if common::expected(&key) != Some(hash) {
            mismatches.push(key.clone());
        }
        lines.push(format!("{key}\t{hash:016x}\n"));
    }
    if std::env::var_os("FRAMEWISE_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/outputs.tsv");
        std::fs::write(path, lines.concat()).unwrap();
        return;
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} outputs differ from tests/reference/outputs.tsv (regenerate with FRAMEWISE_BLESS=1 if intended): {mismatches:#?}",
        mismatches.len(),
        cases.len()
    );
}
