//! The return page's script, for servers that do not install the npm
//! package (a Leptos SSR app): serve it as a JavaScript file and import
//! `handleReturn` from it on the page at your `return_url`, as
//! `examples/leptos-ssr/` does. It is `js/return.js`, the npm package's
//! `layers-connect/return`, byte for byte: no wasm, so the page is instant.

/// `js/return.js`: exports `handleReturn()`, which reads and strips
/// `layers_oauth_error`, tells the widget through a `BroadcastChannel`, and
/// tries to close the tab.
pub const SCRIPT: &str = include_str!("../js/return.js");
