//! The portmap provider as a library: [`PortmapProvider`], the
//! `tfplugin::server::Provider` with its data sources, resources and
//! functions. The binary (`main.rs`) serves it; the docs generator reads
//! its schemas. Everything else is private to the crate, but for
//! [`fuzzing`].

mod convert;
mod data_sources;
mod functions;
mod provider;
mod resources;

pub use provider::PortmapProvider;

/// The topology input every data source shares, for the fuzz entry points
/// (`provider/portmap-fuzz`), their seeds and the gRPC tests: its
/// attributes, its decoding and the inverse, encoding. Not an API.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::data_sources::topology_input::{accepted_risks, attributes, decode, encode};
}
