#![no_main]
// Properties and input layout: layers_proxy::fuzzing::mint.
libfuzzer_sys::fuzz_target!(|data: &[u8]| layers_proxy::fuzzing::mint(data));
