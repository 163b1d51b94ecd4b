//! `POST /v1/projects/{projectId}/social/oauth-url`: mint a state and an authorize URL.
//!
//! Order of checks: 401 → 503 → 403 FORBIDDEN_SCOPE → 429 → 400 → 404 → 403 RETURN_URL_NOT_ALLOWED.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Map, Value};
use url::Url;

use super::Caller;
use crate::attempts::{Attempt, Outcome};
use crate::clock::{rfc3339_seconds, whole_seconds};
use crate::error::ApiError;
use crate::faults::Route;
use crate::platform::authorize_url;
use crate::social::Platform;
use crate::Sandbox;

/// The 200 body.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Minted {
    authorize_url: String,
    state: String,
    expires_at: String,
}

/// A request body that passed validation.
struct MintRequest {
    platform: Platform,
    return_url: Url,
    scopes: Vec<String>,
}

pub(super) async fn create(
    State(sandbox): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Result<Json<Minted>, ApiError> {
    let key = sandbox.admit(Route::OAuthUrl, &caller).await?;
    let request = parse(&body)?;
    if sandbox.fixtures().organization_of(&project_id) != Some(key.organization.as_str()) {
        return Err(ApiError::not_found(
            "Project not found in your organization.",
        ));
    }
    if !key.allows_return_url(&request.return_url) {
        return Err(ApiError::return_url_not_allowed());
    }

    let now = sandbox.now();
    let mut world = sandbox.world();
    let attempt = Attempt {
        state: Attempt::new_state_token(),
        key_id: key.id.clone(),
        project_id,
        platform: request.platform,
        return_url: request.return_url,
        scopes: request.scopes,
        expires_at: whole_seconds(now + world.settings.state_ttl),
        outcome: Outcome::Pending,
    };
    let body = Minted {
        authorize_url: authorize_url(&sandbox.public_base(), &attempt).into(),
        state: attempt.state.clone(),
        expires_at: rfc3339_seconds(attempt.expires_at),
    };
    world.attempts.insert(attempt.state.clone(), attempt);
    Ok(Json(body))
}

fn parse(body: &[u8]) -> Result<MintRequest, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::validation("body", "The request body must be a JSON object."))?;
    let Value::Object(fields) = value else {
        return Err(ApiError::validation(
            "body",
            "The request body must be a JSON object.",
        ));
    };

    let platform = match present(&fields, "platform") {
        None => {
            return Err(ApiError::validation(
                "platform",
                "platform is required: tiktok or instagram.",
            ))
        }
        Some(v) => v.as_str().and_then(Platform::parse).ok_or_else(|| {
            ApiError::validation("platform", "platform must be one of: tiktok, instagram.")
        })?,
    };

    let return_url = match present(&fields, "returnUrl") {
        None => return Err(ApiError::validation("returnUrl", "returnUrl is required.")),
        Some(v) => v
            .as_str()
            .and_then(|s| Url::parse(s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                ApiError::validation("returnUrl", "returnUrl must be an absolute http(s) URL.")
            })?,
    };

    let scopes = match present(&fields, "scopes") {
        None => platform.default_scopes(),
        Some(Value::Array(items)) => {
            let mut scopes: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str().map(str::trim) {
                    Some(s) if !s.is_empty() => {
                        if !scopes.iter().any(|known| known == s) {
                            scopes.push(s.to_owned());
                        }
                    }
                    _ => {
                        return Err(ApiError::validation(
                            "scopes",
                            "scopes must be an array of non-empty strings.",
                        ))
                    }
                }
            }
            if scopes.is_empty() {
                platform.default_scopes()
            } else {
                scopes
            }
        }
        Some(_) => {
            return Err(ApiError::validation(
                "scopes",
                "scopes must be an array of strings.",
            ))
        }
    };

    // usageNote is opaque to Layers: only its type is checked.
    if present(&fields, "usageNote").is_some_and(|v| !v.is_string()) {
        return Err(ApiError::validation(
            "usageNote",
            "usageNote must be a string.",
        ));
    }

    Ok(MintRequest {
        platform,
        return_url,
        scopes,
    })
}

/// A field that is there and not `null` (optional fields may be sent as null).
fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|v| !v.is_null())
}
