//! Fuzz target `msgpack_decode`: see `portmap_fuzz::msgpack_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portmap_fuzz::msgpack_decode(data));
