//! Compiles the protocol files in `/proto` without a system `protoc`:
//! `protox` parses them into a descriptor set, `tonic-prost-build` generates
//! the Rust code into `OUT_DIR`.
//!
//! Code is generated for `tfplugin6.proto`, `tfplugin5.proto` and
//! `grpc_controller.proto`. The full descriptor set is also written to
//! `OUT_DIR/tfplugin_descriptors.bin` so tests can check every protocol file
//! compiles and declares what the server relies on.

use std::path::PathBuf;

use prost::Message as _;

const PROTO_FILES: [&str; 3] = [
    "tfplugin6.proto",
    "tfplugin5.proto",
    "grpc_controller.proto",
];
const GENERATED: [&str; 3] = [
    "tfplugin6.proto",
    "tfplugin5.proto",
    "grpc_controller.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_dir = manifest_dir.join("../../proto");
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={}", proto_dir.join(file).display());
    }

    let all = protox::compile(PROTO_FILES, [&proto_dir])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("tfplugin_descriptors.bin"),
        all.encode_to_vec(),
    )?;

    // google/protobuf types map to prost-types and need no code of their own.
    let mut fds = all;
    fds.file.retain(|f| {
        let name = f.name();
        GENERATED.contains(&name) || name.starts_with("google/protobuf/")
    });
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .generate_default_stubs(true)
        .emit_rerun_if_changed(false)
        .compile_fds(fds)?;
    Ok(())
}
