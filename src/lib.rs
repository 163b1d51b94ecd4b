//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
//!
//! - [`flow`]: the sans-IO core, a pure state machine with every polling rule.
//! - [`api`]: the proxy's requests, responses and the crate's error type.
//! - [`messages`] and [`copy`]: every string, in five languages, and which
//!   one a phase shows.
//! - [`attributes`]: the custom element's attributes, validated.
//! - `browser` (wasm only): the shell that runs the core's effects.
//! - `ui` (wasm only): the [`ui::LayersConnect`] component and the
//!   [`ui::use_connect`] hook.
//! - `element` (wasm only): the `Widget` behind `<layers-connect>`.
#![deny(missing_docs)]

pub mod api;
pub mod attributes;
pub mod copy;
pub mod flow;
pub mod messages;

#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod element;
#[cfg(target_arch = "wasm32")]
pub mod ui;
