#![no_main]
// Properties and input layout: layers_connect::fuzzing::persisted.
libfuzzer_sys::fuzz_target!(|data: &[u8]| layers_connect::fuzzing::persisted(data));
