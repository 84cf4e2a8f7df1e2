//! The parts of the `portmap` command other crates reuse: the topology file
//! parser (read by the fuzz targets in `/fuzz` and their corpus replay).
//! The command itself is `main.rs`.

pub mod topology_file;
