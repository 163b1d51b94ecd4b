//! The platform side: stand-ins for TikTok's and Instagram's consent screens,
//! and the Layers callback they redirect to.

mod callback;
mod consent;
mod html;

use axum::routing::get;
use axum::Router;
use url::Url;

use crate::attempts::Attempt;
use crate::social::Platform;
use crate::Sandbox;

pub(crate) fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/oauth/{platform}/authorize",
            get(consent::show).post(consent::submit),
        )
        .route("/oauth/callback/{platform}", get(callback::settle))
}

/// Client identifiers the sandbox "registered" with each platform.
fn client_id(platform: Platform) -> &'static str {
    match platform {
        Platform::TikTok => "sbx_tiktok_client_key",
        Platform::Instagram => "sbx_instagram_client_id",
    }
}

/// The Layers callback a platform redirects to after consent.
pub(crate) fn callback_url(base: &Url, platform: Platform) -> Url {
    base.join(&format!("oauth/callback/{}", platform.id()))
        .expect("a relative path joins onto an http base")
}

/// The consent-page URL, shaped like the real platform's authorize URL.
pub(crate) fn authorize_url(base: &Url, attempt: &Attempt) -> Url {
    let platform = attempt.platform;
    let mut url = base
        .join(&format!("oauth/{}/authorize", platform.id()))
        .expect("a relative path joins onto an http base");
    let redirect_uri = callback_url(base, platform);
    let scope = attempt.scopes.join(",");
    {
        let mut query = url.query_pairs_mut();
        match platform {
            Platform::TikTok => query
                .append_pair("client_key", client_id(platform))
                .append_pair("response_type", "code")
                .append_pair("scope", &scope)
                .append_pair("redirect_uri", redirect_uri.as_str())
                .append_pair("state", &attempt.state),
            Platform::Instagram => query
                .append_pair("client_id", client_id(platform))
                .append_pair("redirect_uri", redirect_uri.as_str())
                .append_pair("scope", &scope)
                .append_pair("response_type", "code")
                .append_pair("state", &attempt.state),
        };
    }
    url
}
