#![cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn runs_in_a_real_browser() {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    assert!(ua.contains("Chrome"), "{ua}");
}
