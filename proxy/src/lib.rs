//! Reference partner proxy for `<layers-connect>`: the widget talks to this
//! router, the router holds the Layers API key.
//!
//! ```no_run
//! # async fn run() {
//! use layers_proxy::{ApiKey, Config};
//! let config = Config::new("https://api.layers.com".parse().unwrap(), ApiKey::new("lp_live_…"))
//!     .allow_projects(["prj_01HX9Y7K8M2P4RSTUV56789AB"])
//!     .allow_return_url("https://app.example.com/connect/return".parse().unwrap());
//! let app = axum::Router::new().nest("/api/layers", layers_proxy::router(config));
//! # let _ = app;
//! # }
//! ```
//!
//! Security model and error codes: `docs/proxy.md`.
#![deny(missing_docs)]

mod access_log;
mod allowlist;
mod authorize_url;
mod backplane;
mod config;
mod csrf;
mod error;
mod events;
mod extract;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod hub;
mod mint_limit;
#[cfg(feature = "redis")]
mod redis_link;
mod replay;
mod routes;
mod session;
mod upstream;
mod webhook;
mod webhook_signature;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

pub use allowlist::ReturnUrlAllowlist;
pub use authorize_url::PLATFORM_AUTHORIZE_HOSTS;
pub use config::{
    ApiKey, Config, ConfigError, CookieSecret, MintLimit, ProjectAuthorizer, RequestContext,
    SecureCookies, UpstreamBase, COOKIE_SECRET_MIN_BYTES, DEFAULT_BODY_TIMEOUT,
    DEFAULT_EVENT_HEARTBEAT, DEFAULT_MAX_EVENT_STREAMS,
};
pub use extract::MAX_BODY_BYTES;
pub use session::{COOKIE_NAME, DEFAULT_STATE_MAX_AGE, MAX_STATES, STATE_COOKIE_PREFIX};
pub use webhook_signature::{WebhookSecret, DEFAULT_WEBHOOK_TOLERANCE};

/// The widget-facing routes (Layers' paths without `/v1`), ready to nest under
/// any prefix. Every other path answers 404 with the error envelope.
pub fn router(config: Config) -> Router {
    if config.cookie_secret_is_generated() {
        tracing::warn!(
            "no cookie secret configured: generated one for this process; \
             set it (LAYERS_PROXY_COOKIE_SECRET) when running more than one instance, \
             or a browser's states are unknown to the others and lost on restart"
        );
    }
    let proxy = Arc::new(routes::Proxy::new(config));
    Router::new()
        .route("/projects/{projectId}/social/oauth-url", post(routes::mint))
        .route("/social/oauth-status/{state}", get(routes::oauth_status))
        .route("/social/oauth-events/{state}", get(events::oauth_events))
        .route("/webhooks/layers", post(webhook::receive))
        .route(
            "/projects/{projectId}/social-accounts",
            get(routes::social_accounts),
        )
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .with_state(proxy)
        // Read by the `MintBody` extractor (the mint and the webhook).
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // State tokens and account lists are per-user: no cache may keep them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(access_log::layer())
}
