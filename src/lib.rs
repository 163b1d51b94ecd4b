//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
//!
//! - [`flow`]: the sans-IO core, a pure state machine with every polling rule.
//! - [`api`]: the proxy's requests, responses and the crate's error type.
//! - [`messages`], [`copy`] and [`screen`]: every string, in five languages,
//!   which one a phase shows, and everything the widget shows at a moment.
//! - [`attributes`]: the custom element's attributes, validated.
//! - [`json`]: how answers and settings are read from parsed JSON.
//! - [`persisted`]: what a widget keeps in sessionStorage while an attempt runs.
//! - `browser` (wasm only): the shell that runs the core's effects.
//! - `ui` (wasm only): the [`ui::LayersConnect`] component and the
//!   [`ui::use_connect`] hook.
//! - `element` (wasm only): the `Widget` behind `<layers-connect>`.
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
//! For your own markup, `ui::use_connect` returns the phase as a signal and
//! the `connect`, `retry`, `cancel` and `reset` actions.
#![deny(missing_docs)]
// `ui` only exists on wasm, where these docs' links to it resolve.
#![cfg_attr(not(target_arch = "wasm32"), allow(rustdoc::broken_intra_doc_links))]

pub mod api;
pub mod attributes;
pub mod copy;
pub mod flow;
pub mod json;
pub mod messages;
pub mod persisted;
pub mod screen;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod element;
#[cfg(target_arch = "wasm32")]
pub mod ui;
