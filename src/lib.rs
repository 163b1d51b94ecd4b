//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
//!
//! What you call:
//! - [`flow`]: the sans-IO core, a pure state machine with every polling rule.
//! - [`api`]: the proxy's requests, responses and the crate's error type.
//! - [`in_app`]: which in-app browser (Instagram, TikTok, Facebook,
//!   Messenger) a user agent names, and the Android handoff link.
//! - [`messages`]: every string, in five languages ([`messages::Messages`]),
//!   and per-instance replacements ([`messages::Overrides`]).
//! - `ui` (wasm only): the [`ui::LayersConnect`] component, and the
//!   [`ui::use_connect`] hook for your own markup.
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
//! the link expires. Compiled for `wasm32-unknown-unknown` (client-side
//! rendering):
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
// `ui` only exists on wasm, where these docs' links to it resolve.
#![cfg_attr(not(target_arch = "wasm32"), allow(rustdoc::broken_intra_doc_links))]

/// Items only the browser shell uses: compiled for wasm, and natively only
/// for the tests that check them, so a native build has no dead code.
macro_rules! shell_only {
    ($($item:item)*) => { $( #[cfg(any(target_arch = "wasm32", test, feature = "fuzzing"))] #[cfg_attr(feature = "fuzzing", allow(dead_code))] $item )* };
}

pub mod api;
pub mod flow;
pub mod in_app;
pub mod messages;
#[cfg(target_arch = "wasm32")]
pub mod ui;

mod url;
shell_only! {
    mod attributes;
    mod copy;
    mod json;
    mod persisted;
    mod screen;
}
#[cfg(any(test, feature = "fuzzing"))] #[doc(hidden)] pub mod fuzzing;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod element;
