#![no_main]
// Properties and input layout: layers_connect::fuzzing::rfc3339.
libfuzzer_sys::fuzz_target!(|data: &[u8]| layers_connect::fuzzing::rfc3339(data));
