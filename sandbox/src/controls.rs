//! `/_sandbox/*`: test and demo controls that are not part of Layers.
//!
//! They answer CORS only to the configured control origins: the demo page, on
//! another loopback origin, drives them from the browser, and no other site may.

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::avatar;
use crate::control_origin::{self, Verdict};
use crate::error::ApiError;
use crate::faults::Fault;
use crate::sandbox::World;
use crate::Sandbox;

pub(crate) fn routes(sandbox: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/faults", post(queue_fault).get(list_faults))
        .route(
            "/_sandbox/kill-switch",
            post(set_kill_switch).get(show_kill_switch),
        )
        .route(
            "/_sandbox/settings",
            post(change_settings).get(show_settings),
        )
        .route("/_sandbox/requests", get(list_requests))
        .route("/_sandbox/webhooks/deliveries", get(list_deliveries))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/avatars/{file}", get(avatar_svg))
        .layer(middleware::from_fn_with_state(sandbox, control_cors))
}

/// CORS for the configured control origins only (see [`crate::control_origin`]).
async fn control_cors(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let verdict = control_origin::judge(
        request.headers().get(header::ORIGIN),
        request.method(),
        |origin| sandbox.is_control_origin(origin),
    );
    let mut response = match &verdict {
        Verdict::ForeignWrite => ApiError::foreign_control_origin().into_response(),
        _ if request.method() == Method::OPTIONS => StatusCode::NO_CONTENT.into_response(),
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    // The answer depends on Origin: caches must not hand one origin's answer to another.
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if let Verdict::Allowed(origin) = verdict {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

/// Parses a JSON body into `T`, answering VALIDATION (not axum's plain text) when it does not fit.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        // serde names the offending field or value, which is what a test author needs.
        ApiError::validation("body", format!("Invalid JSON body: {e}"))
    })
}

async fn queue_fault(State(sandbox): State<Sandbox>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let fault: Fault = parse(&body)?;
    if let Some((field, why)) = fault.problem() {
        return Err(ApiError::validation(field, why));
    }
    let mut world = sandbox.world();
    world.faults.push(fault);
    Ok(Json(json!({ "pending": world.faults.pending() })))
}

async fn list_faults(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "pending": sandbox.world().faults.pending() }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KillSwitchChange {
    scope: String,
    enabled: bool,
    target: Option<String>,
}

async fn set_kill_switch(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let change: KillSwitchChange = parse(&body)?;
    let fixtures = sandbox.fixtures();
    let toggle = |set: &mut std::collections::BTreeSet<String>, target: String| {
        if change.enabled {
            set.insert(target);
        } else {
            set.remove(&target);
        }
    };
    let mut world = sandbox.world();
    match change.scope.as_str() {
        "global" => world.kill_switch.global = change.enabled,
        "organization" => {
            let target = change
                .target
                .clone()
                .or_else(|| fixtures.organizations.first().map(|o| o.id.clone()))
                .filter(|t| fixtures.organizations.iter().any(|o| &o.id == t))
                .ok_or_else(|| {
                    ApiError::validation("target", "target must be a known organization id.")
                })?;
            toggle(&mut world.kill_switch.organizations, target);
        }
        "key" => {
            let target = change
                .target
                .clone()
                .or_else(|| fixtures.keys.first().map(|k| k.id.clone()))
                .filter(|t| fixtures.keys.iter().any(|k| &k.id == t))
                .ok_or_else(|| {
                    ApiError::validation("target", "target must be a known key id (e.g. key_demo).")
                })?;
            toggle(&mut world.kill_switch.keys, target);
        }
        _ => {
            return Err(ApiError::validation(
                "scope",
                "scope must be key, organization or global.",
            ));
        }
    }
    Ok(Json(json!(world.kill_switch)))
}

async fn show_kill_switch(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!(sandbox.world().kill_switch))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SettingsChange {
    state_ttl_seconds: Option<u64>,
    read_budget: Option<u32>,
    write_budget: Option<u32>,
    budget_window_seconds: Option<u64>,
    state_poll_burst: Option<u32>,
    state_poll_refill_seconds: Option<u64>,
    /// A URL to send webhooks to, or `null` to stop sending them (absent: unchanged).
    #[serde(default, deserialize_with = "present")]
    webhook_url: Option<Value>,
    webhook_secret: Option<String>,
    webhook_max_attempts: Option<u32>,
    webhook_retry_base_millis: Option<u64>,
}

/// `Some(value)` for a field that is present, `null` included (serde's plain
/// `Option` reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

async fn change_settings(
    State(sandbox): State<Sandbox>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let change: SettingsChange = parse(&body)?;
    if change.state_ttl_seconds == Some(0) {
        return Err(ApiError::validation(
            "stateTtlSeconds",
            "stateTtlSeconds must be at least 1.",
        ));
    }
    if change.budget_window_seconds == Some(0) {
        return Err(ApiError::validation(
            "budgetWindowSeconds",
            "budgetWindowSeconds must be at least 1.",
        ));
    }
    if change.state_poll_refill_seconds == Some(0) {
        return Err(ApiError::validation(
            "statePollRefillSeconds",
            "statePollRefillSeconds must be at least 1 (statePollBurst 0 switches the budget off).",
        ));
    }
    if change
        .webhook_max_attempts
        .is_some_and(|n| !(1..=10).contains(&n))
    {
        return Err(ApiError::validation(
            "webhookMaxAttempts",
            "webhookMaxAttempts must be 1 to 10.",
        ));
    }
    if change.webhook_retry_base_millis == Some(0) {
        return Err(ApiError::validation(
            "webhookRetryBaseMillis",
            "webhookRetryBaseMillis must be at least 1.",
        ));
    }
    let secret = change
        .webhook_secret
        .as_deref()
        .map(crate::WebhookSecret::new)
        .transpose()
        .map_err(|why| ApiError::validation("webhookSecret", format!("webhookSecret: {why}.")))?;
    let url = match &change.webhook_url {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(raw)) => Some(Some(
            url::Url::parse(raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    ApiError::validation(
                        "webhookUrl",
                        "webhookUrl must be an absolute http(s) URL or null.",
                    )
                })?,
        )),
        Some(_) => {
            return Err(ApiError::validation(
                "webhookUrl",
                "webhookUrl must be an absolute http(s) URL or null.",
            ))
        }
    };
    let mut world = sandbox.world();
    let settings = &mut world.settings;
    match (url, secret) {
        (Some(None), _) => settings.webhook = None,
        (Some(Some(url)), Some(secret)) => {
            settings.webhook = Some(crate::WebhookTarget { url, secret })
        }
        (Some(Some(url)), None) => match &mut settings.webhook {
            Some(target) => target.url = url,
            None => {
                return Err(ApiError::validation(
                    "webhookSecret",
                    "webhookSecret (whsec_…) is needed with a first webhookUrl.",
                ))
            }
        },
        (None, Some(secret)) => match &mut settings.webhook {
            Some(target) => target.secret = secret,
            None => {
                return Err(ApiError::validation(
                    "webhookUrl",
                    "webhookUrl is needed with webhookSecret.",
                ))
            }
        },
        (None, None) => {}
    }
    if let Some(n) = change.webhook_max_attempts {
        settings.webhook_retry.max_attempts = n;
    }
    if let Some(ms) = change.webhook_retry_base_millis {
        settings.webhook_retry.base = std::time::Duration::from_millis(ms);
    }
    if let Some(secs) = change.state_ttl_seconds {
        // Applies to states minted from now on; existing ones keep their expiresAt.
        settings.state_ttl = std::time::Duration::from_secs(secs);
    }
    settings.read_budget = change.read_budget.unwrap_or(settings.read_budget);
    settings.write_budget = change.write_budget.unwrap_or(settings.write_budget);
    if let Some(secs) = change.budget_window_seconds {
        settings.budget_window = std::time::Duration::from_secs(secs);
    }
    settings.state_poll.burst = change.state_poll_burst.unwrap_or(settings.state_poll.burst);
    if let Some(secs) = change.state_poll_refill_seconds {
        settings.state_poll.refill = std::time::Duration::from_secs(secs);
    }
    // New rules start from a full budget.
    if change.read_budget.is_some()
        || change.write_budget.is_some()
        || change.budget_window_seconds.is_some()
    {
        world.budgets.clear();
    }
    if change.state_poll_burst.is_some() || change.state_poll_refill_seconds.is_some() {
        world.poll_budgets.clear();
    }
    Ok(Json(settings_body(&world)))
}

async fn show_settings(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(settings_body(&sandbox.world()))
}

fn settings_body(world: &World) -> Value {
    let s = &world.settings;
    json!({
        "stateTtlSeconds": s.state_ttl.as_secs(),
        "readBudget": s.read_budget,
        "writeBudget": s.write_budget,
        "budgetWindowSeconds": s.budget_window.as_secs(),
        "statePollBurst": s.state_poll.burst,
        "statePollRefillSeconds": s.state_poll.refill.as_secs(),
        // The secret itself is never shown.
        "webhookUrl": s.webhook.as_ref().map(|t| t.url.as_str()),
        "webhookSecretSet": s.webhook.is_some(),
        "webhookMaxAttempts": s.webhook_retry.max_attempts,
        "webhookRetryBaseMillis": s.webhook_retry.base.as_millis() as u64,
    })
}

async fn list_requests(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "data": sandbox.world().requests.entries() }))
}

async fn list_deliveries(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!({ "data": sandbox.world().deliveries.entries() }))
}

async fn reset(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.reset();
    StatusCode::NO_CONTENT
}

async fn avatar_svg(State(sandbox): State<Sandbox>, Path(file): Path<String>) -> Response {
    let id = file.strip_suffix(".svg").unwrap_or_default();
    let world = sandbox.world();
    match world.accounts.iter().find(|a| a.id == id) {
        Some(account) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            avatar::svg(&account.id, &account.display_name),
        )
            .into_response(),
        None => ApiError::not_found("No such avatar.").into_response(),
    }
}
