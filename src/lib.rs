//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
//!
//! What you call:
//! - [`flow`]: the sans-IO core, a pure state machine with every polling rule.
//! - [`api`]: the proxy's requests, responses and the crate's error type.
//! - [`messages`]: every string, in five languages ([`messages::Messages`]),
//!   and per-instance replacements ([`messages::Overrides`]).
//! - `ui` (with the `csr`, `ssr` or `hydrate` feature): the
//!   [`ui::LayersConnect`] component, and the [`ui::use_connect`] hook for
//!   your own markup.
//! - the `<layers-connect>` custom element's wasm exports (`Widget`), which
//!   `js/layers-connect.js` drives.
//!
//! Inside (private, so they change without breaking you): `copy` and
//! `screen` (which words and parts a phase shows), `attributes` (the
//! element's attributes, validated), `json` (reading parsed JSON without
//! serde's `Deserialize`), `persisted` (the sessionStorage record), `browser`
//! (the wasm shell that runs the core's effects) and `element` (the `Widget`
//! behind `<layers-connect>`).
//!
//! # In a Leptos app
//!
//! The component talks only to your backend proxy (which holds the Layers
//! key; see the `layers-proxy` crate), opens the platform's consent page in a
//! new tab, and polls until the account is connected, the attempt fails, or
//! the link expires.
//!
//! Turn on the crate feature for your build's rendering mode; it is passed
//! on to Leptos, and the crate turns none on by itself (without one, only the
//! sans-IO core and the API types compile):
//!
//! | your build | feature | what the component does |
//! |---|---|---|
//! | client-side rendering (wasm) | `csr` | renders and runs the flow |
//! | SSR app, the server | `ssr` | renders the first screen: the buttons, or what is wrong with the props |
//! | SSR app, the wasm | `hydrate` | hydrates that HTML, then runs the flow as with `csr` |
//!
//! Under `ssr` nothing touches a browser: no timer, storage, request or
//! listener; in a hydrated page they start once the page is hydrated.
//! `examples/leptos-ssr/` is a whole cargo-leptos app (axum, the proxy at
//! `/api/layers`, the return page), and [`return_page::SCRIPT`] is the
//! return page's script for servers without npm.
//!
//! ```ignore
//! use layers_connect::flow::{ConnectedEvent, FailedEvent};
//! use layers_connect::ui::LayersConnect;
//! use leptos::prelude::*;
//!
//! #[component]
//! fn SocialAccounts() -> impl IntoView {
//!     view! {
//!         <LayersConnect
//!             endpoint="/api/layers"
//!             project_id="prj_123"
//!             return_url="/return.html".to_string()
//!             on_connected=Callback::new(|e: ConnectedEvent| leptos::logging::log!("connected {}", e.social_account_id))
//!             on_failed=Callback::new(|e: FailedEvent| leptos::logging::warn!("{}: {}", e.code, e.message))
//!         />
//!     }
//! }
//! ```
//!
//! For your own markup, `ui::use_connect(endpoint, project_id)` (or
//! `ui::use_connect_with_options(endpoint, project_id, options)`, whose
//! `UseConnectOptions` has a `Default`) returns the phase as a signal and the
//! `connect`, `retry`, `cancel` and `reset` actions.
//!
//! The enums Layers may extend (`FailureCode`, `ErrorCode`,
//! `KillSwitchScope`, `Phase`, `PhaseName`, `Event`) are `#[non_exhaustive]`.
#![deny(missing_docs)]
// `ui` and `return_page` only exist with rendering features, where these docs' links to them resolve.
#![cfg_attr(not(feature = "ssr"), allow(rustdoc::broken_intra_doc_links))]

// Where each part compiles. Without a rendering feature only the sans-IO
// core does (fast native tests); the view also renders on the server
// (`ssr`); the browser shell, which runs the flow's effects, only on wasm
// with `csr` or `hydrate` (`cfg(browser)`, set by build.rs); the custom
// element only with `csr`. Items used by
// one part also compile natively for the tests that check them, so no build
// has dead code.

/// Items the view needs: with any rendering feature, and for tests.
macro_rules! view_only {
    ($($item:item)*) => { $( #[cfg(any(feature = "csr", feature = "hydrate", feature = "ssr", test, feature = "fuzzing"))] #[cfg_attr(feature = "fuzzing", allow(dead_code))] $item )* };
}
/// Items only the browser shell uses: on wasm with `csr` or `hydrate`, and for tests.
macro_rules! shell_only {
    ($($item:item)*) => { $( #[cfg(any(browser, test, feature = "fuzzing"))] #[cfg_attr(feature = "fuzzing", allow(dead_code))] $item )* };
}

pub mod api;
pub mod flow;
pub mod messages;
#[cfg(any(feature = "csr", feature = "hydrate", feature = "ssr"))]
pub mod ui;
#[cfg(feature = "ssr")]
pub mod return_page;

mod url;
view_only! {
    mod attributes;
    mod copy;
    mod screen;
}
shell_only! {
    mod json;
    mod persisted;
}
#[cfg(any(test, feature = "fuzzing"))] #[doc(hidden)] pub mod fuzzing;
#[cfg(browser)]
mod browser;
#[cfg(all(browser, feature = "csr"))]
mod element;
