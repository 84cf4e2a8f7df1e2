//! Fuzz target `topology_file`: see `portmap_fuzz::topology_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portmap_fuzz::topology_file(data));
