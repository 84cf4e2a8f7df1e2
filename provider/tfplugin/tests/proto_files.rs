//! The protocol files compile (build.rs compiles them with protox into a
//! descriptor set) and declare the services and RPCs the server relies on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use prost::Message as _;
use prost_types::{FileDescriptorProto, FileDescriptorSet, ServiceDescriptorProto};

fn descriptors() -> FileDescriptorSet {
    FileDescriptorSet::decode(tfplugin::proto::FILE_DESCRIPTOR_SET).expect("descriptor set")
}

fn file<'a>(set: &'a FileDescriptorSet, name: &str) -> &'a FileDescriptorProto {
    set.file
        .iter()
        .find(|f| f.name() == name)
        .unwrap_or_else(|| panic!("{name} not compiled"))
}

fn service<'a>(f: &'a FileDescriptorProto, name: &str) -> &'a ServiceDescriptorProto {
    f.service
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("service {name} missing"))
}

fn assert_rpc(s: &ServiceDescriptorProto, rpc: &str, input: &str, output: &str) {
    let m = s
        .method
        .iter()
        .find(|m| m.name() == rpc)
        .unwrap_or_else(|| panic!("rpc {rpc} missing"));
    assert_eq!(m.input_type(), input, "{rpc} input");
    assert_eq!(m.output_type(), output, "{rpc} output");
    assert!(
        !m.client_streaming() && !m.server_streaming(),
        "{rpc} is unary"
    );
}

#[test]
fn tfplugin6_declares_what_the_server_serves() {
    let set = descriptors();
    let f = file(&set, "tfplugin6.proto");
    assert_eq!(f.package(), "tfplugin6");
    assert!(
        f.dependency
            .iter()
            .any(|d| d == "google/protobuf/timestamp.proto")
    );
    let p = service(f, "Provider");
    for rpc in [
        "GetMetadata",
        "GetProviderSchema",
        "ValidateProviderConfig",
        "ConfigureProvider",
        "ValidateDataResourceConfig",
        "ReadDataSource",
        "GetFunctions",
        "CallFunction",
        "StopProvider",
    ] {
        let (req, resp) = (
            format!(".tfplugin6.{rpc}.Request"),
            format!(".tfplugin6.{rpc}.Response"),
        );
        assert_rpc(p, rpc, &req, &resp);
    }
    // The whole 6.10 service as Terraform v1.15.5 has it (36 RPCs).
    assert_eq!(p.method.len(), 36);
    for rpc in [
        "GetResourceIdentitySchemas",
        "ListResource",
        "InvokeAction",
        "LockState",
        "WriteStateBytes",
    ] {
        assert!(p.method.iter().any(|m| m.name() == rpc), "{rpc}");
    }
    // Fields the server depends on.
    let caps = f
        .message_type
        .iter()
        .find(|m| m.name() == "ServerCapabilities")
        .unwrap();
    let field = caps
        .field
        .iter()
        .find(|x| x.name() == "get_provider_schema_optional")
        .unwrap();
    assert_eq!(field.number(), 2);
}

#[test]
fn tfplugin5_compiles() {
    let set = descriptors();
    let f = file(&set, "tfplugin5.proto");
    assert_eq!(f.package(), "tfplugin5");
    let p = service(f, "Provider");
    assert_rpc(
        p,
        "GetSchema",
        ".tfplugin5.GetProviderSchema.Request",
        ".tfplugin5.GetProviderSchema.Response",
    );
    assert_rpc(
        p,
        "ReadDataSource",
        ".tfplugin5.ReadDataSource.Request",
        ".tfplugin5.ReadDataSource.Response",
    );
    assert_rpc(
        p,
        "CallFunction",
        ".tfplugin5.CallFunction.Request",
        ".tfplugin5.CallFunction.Response",
    );
    assert_eq!(p.method.len(), 28);
    service(f, "Provisioner");
}

#[test]
fn grpc_controller_declares_shutdown() {
    let set = descriptors();
    let f = file(&set, "grpc_controller.proto");
    assert_eq!(f.package(), "plugin");
    let c = service(f, "GRPCController");
    assert_eq!(c.method.len(), 1);
    assert_rpc(c, "Shutdown", ".plugin.Empty", ".plugin.Empty");
    let empty = f.message_type.iter().find(|m| m.name() == "Empty").unwrap();
    assert!(empty.field.is_empty());
}

#[test]
fn proto_texts_are_the_expected_versions() {
    let v6 = include_str!("../../../proto/tfplugin6.proto");
    let v5 = include_str!("../../../proto/tfplugin5.proto");
    assert!(v6.contains("// Terraform Plugin RPC protocol version 6.10\n"));
    assert!(v5.contains("// Terraform Plugin RPC protocol version 5.10\n"));
    // Present in Terraform v1.15.5's compiled protocol, absent before it.
    assert!(v6.contains("string deprecation_message = 12;"));
    assert!(v5.contains("string deprecation_message = 11;"));
}
