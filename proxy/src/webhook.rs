//! `POST /webhooks/layers`: Layers' `social_account.connected` webhook, turned
//! into a nudge for the waiting outcome streams.
//!
//! The event does not name the state, so it decides nothing: each stream it
//! concerns tells its widget to poll oauth-status now, and that poll (bound to
//! the browser like every poll) is what shows the outcome. The webhook's body
//! never reaches a browser.
//!
//! Order of checks: route enabled, body read, signature and timestamp
//! (`webhook_signature`), event shape, replay (local, then Redis), nudge.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::error::AppError;
use crate::extract::{is_id, MintBody};
use crate::hub::Signal;
use crate::routes::{Proxy, PLATFORMS};
use crate::webhook_signature::{self, Refused};

/// The one event type that nudges; any other verified event is acknowledged and ignored.
pub(crate) const CONNECTED: &str = "social_account.connected";

pub(crate) async fn receive(
    State(proxy): State<Arc<Proxy>>,
    headers: HeaderMap,
    body: Result<MintBody, AppError>,
) -> Result<StatusCode, AppError> {
    let Some(secret) = &proxy.webhooks.secret else {
        // Not configured: the route does not exist.
        return Err(AppError::not_found());
    };
    let MintBody(body) = body?;
    let tolerance = proxy.webhooks.tolerance;
    let verified = webhook_signature::verify(secret, &headers, &body, SystemTime::now(), tolerance)
        .map_err(|refused| match refused {
            Refused::Malformed { header, why } => {
                AppError::webhook_malformed(header, format!("{header}: {why}."))
            }
            Refused::Stale => AppError::webhook_timestamp_stale(tolerance.as_secs()),
            Refused::BadSignature => AppError::webhook_signature_invalid(),
        })?;
    let nudge = read_event(&body)?;

    let keep = tolerance * 2;
    let here = proxy
        .webhooks
        .replays
        .first_sighting(&verified.id, Instant::now());
    let anywhere = proxy.backplane.first_sighting(&verified.id, keep).await;
    if !here || anywhere == Some(false) {
        return Err(AppError::webhook_replayed());
    }
    if let Some(nudge) = nudge {
        tracing::info!(webhook_id = %verified.id, ?nudge, "layers webhook: nudging streams");
        proxy.backplane.publish(&proxy.hub, nudge);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The nudge a verified body asks for: `None` for another event type.
///
/// Envelope (our assumption beyond the spec's four fields, see
/// `docs/proxy.md`): `{"type", "timestamp", "data": {"projectId"?,
/// "socialAccountId", "platform", "displayName", "connectedAt"}}`. Only `type`,
/// `data.platform` and `data.projectId` are read.
fn read_event(body: &[u8]) -> Result<Option<Signal>, AppError> {
    let event: Value = serde_json::from_slice(body).map_err(|_| {
        AppError::webhook_malformed("body", "The webhook body must be a JSON object.")
    })?;
    let Some(kind) = event.get("type").and_then(Value::as_str) else {
        return Err(AppError::webhook_malformed(
            "type",
            "The webhook body has no type.",
        ));
    };
    if kind != CONNECTED {
        return Ok(None);
    }
    let data = event.get("data");
    let platform = data
        .and_then(|d| d.get("platform"))
        .and_then(Value::as_str)
        .filter(|p| PLATFORMS.contains(p))
        .ok_or_else(|| {
            AppError::webhook_malformed(
                "data.platform",
                "data.platform must be tiktok or instagram.",
            )
        })?;
    let project = match data.and_then(|d| d.get("projectId")) {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if is_id(id) => Some(id.clone()),
        Some(_) => {
            return Err(AppError::webhook_malformed(
                "data.projectId",
                "data.projectId must be a project id.",
            ))
        }
    };
    Ok(Some(Signal::Nudge {
        project,
        platform: platform.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> &'static str {
        read_event(body.as_bytes()).unwrap_err().code()
    }

    #[test]
    fn reads_platform_and_project_only() {
        let body = r#"{"type":"social_account.connected","timestamp":"2026-04-18T19:06:42Z",
            "data":{"projectId":"prj_a","socialAccountId":"sa_1","platform":"tiktok","displayName":"Acme","connectedAt":"2026-04-18T19:06:42Z"}}"#;
        assert_eq!(
            read_event(body.as_bytes()).unwrap(),
            Some(Signal::Nudge {
                project: Some("prj_a".into()),
                platform: "tiktok".into()
            })
        );
        let no_project = r#"{"type":"social_account.connected","data":{"platform":"instagram"}}"#;
        assert_eq!(
            read_event(no_project.as_bytes()).unwrap(),
            Some(Signal::Nudge {
                project: None,
                platform: "instagram".into()
            })
        );
        assert_eq!(
            read_event(br#"{"type":"social_account.disconnected"}"#).unwrap(),
            None
        );
    }

    #[test]
    fn refuses_bodies_it_cannot_read() {
        assert_eq!(code("not json"), "WEBHOOK_MALFORMED");
        assert_eq!(code("{}"), "WEBHOOK_MALFORMED");
        assert_eq!(
            code(r#"{"type":"social_account.connected"}"#),
            "WEBHOOK_MALFORMED"
        );
        assert_eq!(
            code(r#"{"type":"social_account.connected","data":{"platform":"myspace"}}"#),
            "WEBHOOK_MALFORMED"
        );
        assert_eq!(
            code(
                r#"{"type":"social_account.connected","data":{"platform":"tiktok","projectId":"a b"}}"#
            ),
            "WEBHOOK_MALFORMED"
        );
    }
}
