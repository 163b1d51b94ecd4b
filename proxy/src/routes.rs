//! The widget-facing routes (the outcome stream is in `events`, the webhook in `webhook`). Each handler reads top to bottom in the
//! order its checks run; nothing reaches Layers until every check has passed.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{OriginalUri, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use serde_json::{json, Map, Value};

use crate::allowlist::ReturnUrlAllowlist;
use crate::authorize_url::AuthorizeUrlPolicy;
use crate::backplane::Backplane;
use crate::config::{Config, ProjectAuthorizer, RequestContext, SecureCookies};
use crate::csrf::CsrfPolicy;
use crate::error::AppError;
use crate::extract::{is_id, AllowedCaller, Id, MintBody};
use crate::hub::{Hub, Signal};
use crate::mint_limit::{retry_after_secs, MintLimiter};
use crate::replay::ReplayGuard;
use crate::session::{self, CookieAttributes, Session, StateBinding, StateCookies};
use crate::upstream::{LayersClient, UpstreamReply};
use crate::webhook_signature::WebhookSecret;

pub(crate) const PLATFORMS: [&str; 2] = ["tiktok", "instagram"];

/// Everything the handlers share, built once per [`crate::router`].
pub(crate) struct Proxy {
    pub(crate) layers: LayersClient,
    pub(crate) cookie_key: Key,
    secure_cookies: SecureCookies,
    cookie_path: Option<String>,
    pub(crate) csrf: CsrfPolicy,
    return_urls: ReturnUrlAllowlist,
    authorize_urls: AuthorizeUrlPolicy,
    authorize_project: ProjectAuthorizer,
    mint_limiter: MintLimiter,
    mint_limit: crate::config::MintLimit,
    pub(crate) body_timeout: Duration,
    pub(crate) state_max_age: Duration,
    pub(crate) hub: Hub,
    pub(crate) backplane: Backplane,
    pub(crate) webhooks: Webhooks,
    pub(crate) event_heartbeat: Duration,
}

/// The webhook route's settings and memory.
pub(crate) struct Webhooks {
    /// `None`: the route answers 404.
    pub(crate) secret: Option<WebhookSecret>,
    pub(crate) tolerance: Duration,
    pub(crate) replays: ReplayGuard,
}

/// A state Layers minted, and how long it lives (from its `expiresAt`).
struct Minted {
    state: String,
    lifetime: Duration,
    binding: StateBinding,
}

impl Proxy {
    pub(crate) fn new(config: Config) -> Self {
        let hub = Hub::new(config.max_event_streams);
        let backplane = Backplane::start(&config, &hub);
        Self {
            layers: LayersClient::new(
                config.api_base,
                config.api_key,
                config.connect_timeout,
                config.timeout,
            ),
            cookie_key: config.cookie_secret.key().clone(),
            secure_cookies: config.secure_cookies,
            cookie_path: config.cookie_path,
            csrf: CsrfPolicy {
                allowed_origins: config.allowed_origins,
                allow_requests_without_origin: config.allow_requests_without_origin,
            },
            return_urls: config.return_urls,
            authorize_urls: config.authorize_urls,
            authorize_project: config.authorize_project,
            mint_limiter: MintLimiter::new(config.mint_limit),
            mint_limit: config.mint_limit,
            body_timeout: config.body_timeout,
            state_max_age: config.state_max_age,
            hub,
            backplane,
            webhooks: Webhooks {
                secret: config.webhook_secret,
                tolerance: config.webhook_tolerance,
                replays: ReplayGuard::new(config.webhook_tolerance * 2),
            },
            event_heartbeat: config.event_heartbeat,
        }
    }

    fn authorized(&self, parts: &Parts, session: &Session, project: &str) -> bool {
        let cx = RequestContext {
            headers: &parts.headers,
            extensions: &parts.extensions,
            session_id: &session.id,
        };
        (self.authorize_project)(&cx, project)
    }

    fn cookie_attributes(&self, parts: &Parts) -> CookieAttributes {
        let path = self
            .cookie_path
            .clone()
            .unwrap_or_else(|| mount_prefix(parts));
        let secure = match self.secure_cookies {
            SecureCookies::Always => true,
            SecureCookies::Never => false,
            SecureCookies::Auto => came_over_https(parts),
        };
        CookieAttributes { path, secure }
    }
}

/// `POST /projects/{projectId}/social/oauth-url`
///
/// The project and the body are taken as `Result`s so the checks run in this
/// order (and the session cookie goes out) whatever fails: project, then
/// authorization, then body. `AllowedCaller` runs first of all.
pub(crate) async fn mint(
    State(proxy): State<Arc<Proxy>>,
    _: AllowedCaller,
    project: Result<Id, AppError>,
    parts: Parts,
    body: Result<MintBody, AppError>,
) -> Response {
    let now = SystemTime::now();
    let session = Session::from_headers(&parts.headers, &proxy.cookie_key);
    let outcome = mint_in_session(&proxy, &parts, project, body, &session, now).await;
    // The session cookie goes out even on a refusal so the session (and its mint count) stays stable.
    let attributes = proxy.cookie_attributes(&parts);
    let mut jar = session.add_to(SignedCookieJar::new(proxy.cookie_key.clone()), &attributes);
    match outcome {
        Ok((response, minted)) => {
            if let Some(Minted {
                state,
                lifetime,
                binding,
            }) = minted
            {
                let held = StateCookies::from_headers(
                    &parts.headers,
                    &proxy.cookie_key,
                    now,
                    proxy.state_max_age,
                );
                jar = held.remember(
                    jar,
                    &attributes,
                    &state,
                    now,
                    lifetime,
                    proxy.state_max_age,
                    &binding,
                );
            }
            (jar, response).into_response()
        }
        Err(error) => (jar, error).into_response(),
    }
}

async fn mint_in_session(
    proxy: &Proxy,
    parts: &Parts,
    project: Result<Id, AppError>,
    body: Result<MintBody, AppError>,
    session: &Session,
    now: SystemTime,
) -> Result<(Response, Option<Minted>), AppError> {
    let Id(project) = project?;
    if !proxy.authorized(parts, session, &project) {
        return Err(AppError::not_found());
    }
    let MintBody(body) = body?;
    let CheckedMint {
        body: upstream_body,
        platform,
    } = validate_mint_body(&body, &proxy.return_urls)?;
    // Counted across instances in Redis when there is one; else (or while it
    // is away) in this instance's memory.
    let shared = proxy
        .backplane
        .try_mint(&session.id, proxy.mint_limit)
        .await;
    shared
        .unwrap_or_else(|| proxy.mint_limiter.try_acquire(&session.id, Instant::now()))
        .map_err(|wait| AppError::rate_limited(retry_after_secs(wait)))?;

    let reply = proxy
        .layers
        .send(
            Method::POST,
            &["projects", &project, "social", "oauth-url"],
            Some(upstream_body),
        )
        .await?;
    let mut minted = None;
    if reply.status.is_success() {
        let invalid = |why: &str| AppError::upstream_invalid(reply.status.as_u16()).with_cause(why);
        // The browser's tab goes there: only a platform's consent page (or a configured sandbox).
        let authorize_url = reply.json.get("authorizeUrl").and_then(Value::as_str);
        if !authorize_url.is_some_and(|url| proxy.authorize_urls.allows(url)) {
            return Err(invalid(
                "oauth-url answer's authorizeUrl is not https on a platform host (nor an allowed origin)",
            ));
        }
        let state = reply.json.get("state").and_then(Value::as_str);
        let Some(state) = state.filter(|s| is_id(s)) else {
            return Err(invalid("oauth-url answer has no usable state"));
        };
        minted = Some(Minted {
            state: state.to_owned(),
            lifetime: remaining_lifetime(&reply.json, now).unwrap_or(proxy.state_max_age),
            binding: StateBinding {
                project: project.clone(),
                platform: platform.to_owned(),
            },
        });
    }
    Ok((reply.into_response(), minted))
}

/// Time left until the answer's `expiresAt` (RFC 3339), if it has a usable one.
fn remaining_lifetime(answer: &Value, now: SystemTime) -> Option<Duration> {
    let expires = answer.get("expiresAt").and_then(Value::as_str)?;
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
            .ok()?;
    let expires = SystemTime::from(expires);
    expires.duration_since(now).ok()
}

/// `GET /social/oauth-status/{state}`: only for states minted in this session.
pub(crate) async fn oauth_status(
    State(proxy): State<Arc<Proxy>>,
    Id(state): Id,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let owned = session::owns(
        &headers,
        &proxy.cookie_key,
        &state,
        SystemTime::now(),
        proxy.state_max_age,
    );
    if !owned {
        // Layers' own answer for a state of another key: indistinguishable from unknown.
        return Err(AppError::not_found());
    }
    let reply = proxy
        .layers
        .send(Method::GET, &["social", "oauth-status", &state], None)
        .await;
    let reply = match reply {
        Ok(reply) if reply.status.is_success() => reply,
        // The widget now waits (a 429's Retry-After, a backoff): its stream
        // must not poll in the meantime (`events`, the check).
        failed => {
            proxy
                .backplane
                .publish(&proxy.hub, Signal::Backoff { state });
            return failed.map(UpstreamReply::into_response);
        }
    };
    let status = reply.json.get("status").and_then(Value::as_str);
    if matches!(status, Some("completed" | "failed")) {
        // The browser has its outcome: its stream (here or on another instance) can end.
        proxy.backplane.publish(&proxy.hub, Signal::Ended { state });
    }
    Ok(reply.into_response())
}

/// `GET /projects/{projectId}/social-accounts`
pub(crate) async fn social_accounts(
    State(proxy): State<Arc<Proxy>>,
    Id(project): Id,
    parts: Parts,
) -> Result<Response, AppError> {
    let session = Session::from_headers(&parts.headers, &proxy.cookie_key);
    if !proxy.authorized(&parts, &session, &project) {
        return Err(AppError::not_found());
    }
    let reply = proxy
        .layers
        .send(
            Method::GET,
            &["projects", &project, "social-accounts"],
            None,
        )
        .await?;
    Ok(reply.into_response())
}

pub(crate) async fn not_found() -> AppError {
    AppError::not_found()
}

pub(crate) async fn method_not_allowed() -> AppError {
    AppError::method_not_allowed()
}

/// A mint body as it goes upstream, and its platform (for the state cookie).
struct CheckedMint {
    body: Vec<u8>,
    platform: &'static str,
}

/// Checks the mint body and rebuilds it from the known fields only, so nothing
/// the widget adds travels upstream unexamined.
fn validate_mint_body(
    body: &[u8],
    return_urls: &ReturnUrlAllowlist,
) -> Result<CheckedMint, AppError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| AppError::validation("body", "The request body must be a JSON object."))?;
    let Value::Object(fields) = value else {
        return Err(AppError::validation(
            "body",
            "The request body must be a JSON object.",
        ));
    };

    let platform = fields.get("platform").and_then(Value::as_str);
    let Some(platform) = PLATFORMS.into_iter().find(|p| Some(*p) == platform) else {
        return Err(AppError::validation(
            "platform",
            "platform must be one of: tiktok, instagram.",
        ));
    };

    let return_url = fields
        .get("returnUrl")
        .and_then(Value::as_str)
        .and_then(|raw| url::Url::parse(raw).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| {
            AppError::validation("returnUrl", "returnUrl must be an absolute http(s) URL.")
        })?;
    if !return_urls.allows(&return_url) {
        return Err(AppError::return_url_not_allowed());
    }

    let mut upstream = Map::new();
    upstream.insert("platform".into(), json!(platform));
    // The serialisation of the parsed URL the allowlist just checked, never the
    // widget's raw string: the parser drops tabs and newlines, turns `\` into
    // `/`, reads `0x7f000001` and `127.1` as 127.0.0.1 and maps fullwidth
    // letters, so the raw string can differ from what was allowed (and Layers
    // or a browser may read it differently again).
    upstream.insert("returnUrl".into(), json!(return_url.as_str()));
    match fields.get("scopes") {
        None | Some(Value::Null) => {}
        Some(Value::Array(scopes)) if scopes.iter().all(Value::is_string) => {
            upstream.insert("scopes".into(), Value::Array(scopes.clone()));
        }
        Some(_) => {
            return Err(AppError::validation(
                "scopes",
                "scopes must be an array of strings.",
            ))
        }
    }
    match fields.get("usageNote") {
        None | Some(Value::Null) => {}
        Some(note @ Value::String(_)) => {
            upstream.insert("usageNote".into(), note.clone());
        }
        Some(_) => {
            return Err(AppError::validation(
                "usageNote",
                "usageNote must be a string.",
            ))
        }
    }
    Ok(CheckedMint {
        body: serde_json::to_vec(&Value::Object(upstream)).expect("a JSON map always serializes"),
        platform,
    })
}

/// The prefix this router is nested under (`/api/layers`), or `/`.
fn mount_prefix(parts: &Parts) -> String {
    let inner = parts.uri.path();
    let prefix = parts
        .extensions
        .get::<OriginalUri>()
        .and_then(|original| original.path().strip_suffix(inner).map(str::to_owned))
        .unwrap_or_default();
    if prefix.is_empty() {
        "/".to_owned()
    } else {
        prefix
    }
}

fn came_over_https(parts: &Parts) -> bool {
    let header_is = |name: header::HeaderName, test: fn(&str) -> bool| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(test)
    };
    parts.uri.scheme_str() == Some("https")
        || header_is(header::HeaderName::from_static("x-forwarded-proto"), |v| {
            v.eq_ignore_ascii_case("https")
        })
        || header_is(header::ORIGIN, |v| v.starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowlist() -> ReturnUrlAllowlist {
        let mut list = ReturnUrlAllowlist::default();
        list.push(url::Url::parse("http://127.0.0.1:8080/return.html").unwrap());
        list
    }

    fn validate(body: &str) -> Result<Value, (u16, &'static str, Value)> {
        validate_mint_body(body.as_bytes(), &allowlist())
            .map(|checked| serde_json::from_slice(&checked.body).unwrap())
            .map_err(|e| (e.status().as_u16(), e.code(), Value::Null))
    }

    #[test]
    fn forwards_known_fields_only() {
        let sent = validate(
            r#"{"platform":"tiktok","returnUrl":"http://127.0.0.1:8080/return.html?x=1","usageNote":"hi","scopes":["a"],"apiKey":"x","extra":1}"#,
        )
        .unwrap();
        assert_eq!(
            sent,
            json!({"platform":"tiktok","returnUrl":"http://127.0.0.1:8080/return.html?x=1","usageNote":"hi","scopes":["a"]})
        );
    }

    /// Inputs the URL parser normalises: what goes upstream is what was checked.
    #[test]
    fn forwards_the_return_url_that_was_checked() {
        for raw in [
            "http://127.0.0.1:8080/re\tturn.html",
            "http://127.0.0.1:8080/return\n.html",
            "http:\\\\127.0.0.1:8080\\return.html",
            "http://0x7f000001:8080/return.html",
            "http://127.1:8080/return.html",
            "http://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}:8080/return.html",
            "HTTP://127.0.0.1:8080/return.html",
        ] {
            let body = json!({ "platform": "tiktok", "returnUrl": raw }).to_string();
            let sent = validate(&body).unwrap_or_else(|e| panic!("{raw:?}: {e:?}"));
            assert_eq!(
                sent["returnUrl"], "http://127.0.0.1:8080/return.html",
                "{raw:?}"
            );
        }
        // Fullwidth letters in a host that is not allowed once normalised stay refused.
        let body =
            json!({ "platform": "tiktok", "returnUrl": "http://\u{ff45}vil.test/return.html" });
        assert_eq!(
            validate(&body.to_string()).unwrap_err().1,
            "RETURN_URL_NOT_ALLOWED"
        );
    }

    #[test]
    fn refuses_bad_bodies() {
        let code = |body: &str| validate(body).map(|_| ()).unwrap_err();
        assert_eq!(code("not json").1, "VALIDATION");
        assert_eq!(code("[1]").1, "VALIDATION");
        assert_eq!(
            code(r#"{"platform":"myspace","returnUrl":"http://127.0.0.1:8080/return.html"}"#).1,
            "VALIDATION"
        );
        assert_eq!(
            code(r#"{"returnUrl":"http://127.0.0.1:8080/return.html"}"#).1,
            "VALIDATION"
        );
        assert_eq!(
            code(r#"{"platform":"tiktok","returnUrl":"/return.html"}"#).1,
            "VALIDATION"
        );
        assert_eq!(
            code(r#"{"platform":"tiktok","returnUrl":"javascript:alert(1)"}"#).1,
            "VALIDATION"
        );
        assert_eq!(
            code(r#"{"platform":"tiktok","returnUrl":"https://evil.test/return.html"}"#),
            (403, "RETURN_URL_NOT_ALLOWED", Value::Null)
        );
        assert_eq!(
            code(r#"{"platform":"instagram","returnUrl":"http://127.0.0.1:8080/return.html","scopes":"all"}"#).1,
            "VALIDATION"
        );
        assert_eq!(
            code(r#"{"platform":"instagram","returnUrl":"http://127.0.0.1:8080/return.html","usageNote":5}"#).1,
            "VALIDATION"
        );
    }
}
