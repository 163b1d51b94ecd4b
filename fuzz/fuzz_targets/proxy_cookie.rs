#![no_main]
// Properties and input layout: layers_proxy::fuzzing::cookie.
libfuzzer_sys::fuzz_target!(|data: &[u8]| layers_proxy::fuzzing::cookie(data));
