//! layers-connect: the "Connect your TikTok / Instagram account" widget for
//! partners of the Layers API.
//!
//! - [`flow`]: the sans-IO core, a pure state machine with every polling rule.
//! - [`api`]: the proxy's requests, responses and the crate's error type.
#![deny(missing_docs)]

pub mod api;
pub mod flow;
