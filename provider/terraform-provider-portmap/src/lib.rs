//! The portmap provider as a library: the `Provider` implementation, its
//! data sources, resources and functions. The binary (`main.rs`) serves it; the docs
//! generator reads its schemas.

pub mod convert;
pub mod data_sources;
pub mod functions;
pub mod provider;
pub mod resources;
pub mod shape_common;
pub mod topology_input;

pub use provider::PortmapProvider;
