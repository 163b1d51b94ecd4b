//! One name for a condition the crate tests in many places: `cfg(browser)`,
//! the browser shell is compiled (wasm, with the `csr` or `hydrate` feature).
//! Under `ssr`, or without a rendering feature, it is not, and the view
//! renders without running the flow.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(browser)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    let client = ["CARGO_FEATURE_CSR", "CARGO_FEATURE_HYDRATE"].iter().any(|f| std::env::var_os(f).is_some());
    if wasm && client {
        println!("cargo::rustc-cfg=browser");
    }
}
