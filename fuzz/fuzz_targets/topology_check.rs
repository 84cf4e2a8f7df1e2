//! Fuzz target `topology_check`: see `portmap_fuzz::topology_check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portmap_fuzz::topology_check(data));
