//! A faithful local emulator of the Layers social OAuth API.
//!
//! It serves the two Layers endpoints (`POST /v1/projects/{id}/social/oauth-url`,
//! `GET /v1/social/oauth-status/{state}`) plus the social-accounts list, consent
//! pages that stand in for TikTok and Instagram, the Layers callback, and
//! `/_sandbox/*` controls (faults, kill switch, settings, request log, webhook
//! delivery log, reset), and `social_account.connected` webhooks when configured.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let running = layers_sandbox::spawn(
//!     layers_sandbox::Config::default(),
//!     "127.0.0.1:0".parse().unwrap(),
//! ).await?;
//! println!("Layers sandbox at {}", running.url());
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! [`check_proxy`] is the conformance kit for a partner's own proxy
//! (`layers-sandbox check-proxy`, `docs/check-proxy.md`).
//!
//! User documentation: `docs/sandbox.md` in the repository.
#![deny(missing_docs)]

mod api;
mod attempts;
mod avatar;
mod budget;
pub mod check_proxy;
mod clock;
mod config;
mod control_origin;
mod controls;
mod error;
mod faults;
mod kill_switch;
mod platform;
mod poll_budget;
mod request_log;
mod sandbox;
mod server;
mod social;
mod webhook_signing;
mod webhooks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ApiKey, Config, FixtureError, Fixtures, Organization, SCOPE_READ, SCOPE_WRITE};
pub use sandbox::Sandbox;
pub use server::{spawn, spawn_with_clock, RunningSandbox};
pub use webhook_signing::WebhookSecret;
pub use webhooks::{WebhookRetry, WebhookTarget, CONNECTED};
