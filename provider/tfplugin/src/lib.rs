//! The Terraform plugin protocol, server side.
//!
//! A provider implements [`server::Provider`] with plain synchronous methods
//! on [`value::Value`]s, describes itself with [`schema`] types, reports
//! problems as [`diag::Diagnostic`]s, and calls [`server::serve`] from
//! `main`. This crate does the rest: the go-plugin handshake, AutoMTLS,
//! gRPC (`tfplugin6`, and `tfplugin5` for hosts that offer only protocol 5),
//! and the msgpack encoding of values.
//!
//! ```no_run
//! use tfplugin::diag::Diagnostics;
//! use tfplugin::schema::{Attribute, Block, ProviderSchema, Schema};
//! use tfplugin::server::{FunctionError, Provider, serve};
//! use tfplugin::value::{Type, Value};
//!
//! struct Demo;
//!
//! impl Provider for Demo {
//!     fn schema(&self) -> ProviderSchema {
//!         let mut s = ProviderSchema::default();
//!         s.data_sources.insert(
//!             "demo_echo".into(),
//!             Schema::new(
//!                 Block::new("Echoes its input.")
//!                     .attribute(Attribute::required("input", Type::String, "What to echo."))
//!                     .attribute(Attribute::computed("output", Type::String, "The input.")),
//!             ),
//!         );
//!         s
//!     }
//!     fn validate_provider_config(&self, _config: &Value) -> Diagnostics { Diagnostics::new() }
//!     fn configure_provider(&self, _version: &str, _config: &Value) -> Diagnostics { Diagnostics::new() }
//!     fn validate_data_source_config(&self, _type_name: &str, _config: &Value) -> Diagnostics { Diagnostics::new() }
//!     fn read_data_source(&self, _type_name: &str, config: &Value) -> (Option<Value>, Diagnostics) {
//!         let input = config.get("input").cloned().unwrap_or_default();
//!         (Some(Value::object([("input", input.clone()), ("output", input)])), Diagnostics::new())
//!     }
//!     fn call_function(&self, name: &str, _args: &[Value]) -> Result<Value, FunctionError> {
//!         Err(FunctionError::new(format!("no function {name}")))
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     serve(Demo)
//! }
//! ```

pub mod diag;
pub mod schema;
pub mod server;
#[cfg(feature = "test-client")]
pub mod test_client;
pub mod value;

/// Generated protocol types and gRPC stubs (from `/proto`). Exposed for tests
/// and tools that talk the protocol as a client; not a stable API.
#[doc(hidden)]
pub mod proto {
    /// `tfplugin6.proto` (protocol 6.10).
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        missing_docs
    )]
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }

    /// `tfplugin5.proto` (protocol 5.10).
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        missing_docs
    )]
    pub mod tfplugin5 {
        tonic::include_proto!("tfplugin5");
    }

    /// go-plugin's `plugin.GRPCController`.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        missing_docs
    )]
    pub mod plugin {
        tonic::include_proto!("plugin");
    }

    /// The serialized `FileDescriptorSet` of every file in `/proto`
    /// (`tfplugin6.proto`, `tfplugin5.proto`, `grpc_controller.proto` and the
    /// `google/protobuf/timestamp.proto` they import).
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/tfplugin_descriptors.bin"));
}
