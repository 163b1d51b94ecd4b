//! The proxy client's types: requests, responses and errors of the three
//! widget-facing routes, which mirror Layers' paths without `/v1`:
//!
//! | route | request | answer |
//! |---|---|---|
//! | `POST {endpoint}/projects/{projectId}/social/oauth-url` | [`OAuthUrlRequest`] | [`OAuthUrl`] |
//! | `GET {endpoint}/social/oauth-status/{state}` | — | [`OAuthStatus`] |
//! | `GET {endpoint}/projects/{projectId}/social-accounts` | — | [`SocialAccounts`] |
//! | `GET {endpoint}/social/oauth-events/{state}` (optional) | — | server-sent events, read by `events` |
//!
//! A request that does not yield its answer is the crate's one error type,
//! [`ApiError`]. The codes Layers promises to extend ([`FailureCode`],
//! [`ErrorCode`], [`KillSwitchScope`]) keep unknown values instead of failing.
//!
//! Inside, one file per job, all pure and I/O-free: `wire` (the bodies),
//! `codes` (the open code sets), `error` ([`ApiError`] and Layers' error
//! envelope), `response` (a status, `Retry-After` and body become an answer
//! or an error) and `routes` (the URLs). The browser shell fetches and hands
//! the exchange to `response`.

mod codes;
mod error;
mod wire;
shell_only! {
    mod events;
    mod response;
    mod routes;
}

pub use codes::{ErrorCode, FailureCode, KillSwitchScope};
pub use error::ApiError;
pub use wire::{
    Connection, OAuthStatus, OAuthUrl, OAuthUrlRequest, Platform, SocialAccount, SocialAccounts,
};

// The fuzz targets' way into the private `error` and `response` (src/fuzzing.rs).
#[cfg(any(test, feature = "fuzzing"))] pub(crate) mod fuzz_access { pub(crate) use super::{error::ErrorEnvelope, response::{classify, parse_retry_after}}; }
#[cfg(browser)]
pub(crate) use {
    error::ErrorEnvelope,
    events::{stream_signal, EVENT_NAMES},
    response::classify,
    routes::{oauth_events_url, oauth_status_url, oauth_url_url, social_accounts_url},
};
