//! Fuzz target `catalog_load`: see `portmap_fuzz::catalog_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portmap_fuzz::catalog_load(data));
