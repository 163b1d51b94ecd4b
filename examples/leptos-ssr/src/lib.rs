//! The app, shared by both builds: the server renders it (`ssr`), the
//! browser hydrates it (`hydrate`). Without either feature the crate is
//! empty (see Cargo.toml).
#![cfg(any(feature = "ssr", feature = "hydrate"))]

pub mod app;

/// Called by the script `HydrationScripts` puts in the page, once the wasm
/// is loaded: takes over the server's HTML without re-rendering it.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(app::App);
}
