//! The core stays portable: its normal dependencies, for every target,
//! include no browser bindings, no async runtime and no networking.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

#[test]
fn core_depends_on_no_platform_or_io_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "framewise",
            "-e",
            "normal",
            "--target",
            "all",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        tree.contains("serde_json"),
        "unexpected cargo tree output:\n{tree}"
    );
    for banned in [
        "web-sys",
        "js-sys",
        "wasm-bindgen",
        "tokio",
        "mio",
        "socket2",
        "hyper",
        "getrandom",
    ] {
        let found = tree
            .lines()
            .any(|line| line.split_whitespace().next() == Some(banned));
        assert!(!found, "framewise must not depend on {banned}:\n{tree}");
    }
}
