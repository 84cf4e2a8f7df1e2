//! What the protocol tests share: the test client (feature `test-client`),
//! a test provider, and the example provider binary.
#![allow(dead_code, clippy::unwrap_used)]

pub mod test_provider;

pub use tfplugin::test_client::*;

/// The example provider binary, built by `cargo test`/`cargo nextest` with
/// the tests (examples are part of the default test build).
pub fn example_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("examples").join(format!(
        "terraform-provider-portmapdemo{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p portmap-tfplugin --examples` (cargo test builds it)",
        path.display()
    );
    path
}
