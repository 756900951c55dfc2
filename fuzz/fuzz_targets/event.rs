#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| hookguard_fuzz::event(data));
