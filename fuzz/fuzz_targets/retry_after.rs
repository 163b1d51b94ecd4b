#![no_main]
// Properties and input layout: layers_connect::fuzzing::retry_after.
libfuzzer_sys::fuzz_target!(|data: &[u8]| layers_connect::fuzzing::retry_after(data));
