//! portmap core: the vendor port catalog, topologies, flow computation and
//! least-privilege rule shaping.
//!
//! This crate is pure: no IO, no async, no Terraform protocol. The provider
//! and the CLI are thin shells around it.

pub mod audit;
pub mod catalog;
pub mod cloud;
pub mod diagram;
pub mod flows;
pub mod issue;
pub mod nftables;
pub mod output;
pub mod perimeter;
pub mod ports;
pub mod render;
pub mod report;
pub mod rules;
pub mod suggest;
pub mod topology;
pub mod topology_file;
pub mod yaml;
pub mod zones;

pub use catalog::Catalog;
pub use issue::{Issue, Path, Severity};
pub use rules::{Computation, Direction, Rule, compute, compute_for_port};
pub use topology::Topology;
