//! Delivers `social_account.connected` to the configured webhook URL when a
//! state completes: signed (`webhook_signing`), retried with bounded
//! exponential backoff, every attempt in the delivery log
//! (`GET /_sandbox/webhooks/deliveries`).
//!
//! The envelope beyond the spec's four fields (`socialAccountId`, `platform`,
//! `displayName`, `connectedAt`) is our assumption: `{"type", "timestamp",
//! "data": {"projectId", …the four}}`. The spec's fields do not include the
//! state, and neither does this.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use url::Url;

use crate::clock::rfc3339_seconds;
use crate::webhook_signing::WebhookSecret;
use crate::Sandbox;

/// The only event the sandbox sends.
pub const CONNECTED: &str = "social_account.connected";
/// Attempts kept in the log (oldest dropped first).
const LOG_CAPACITY: usize = 500;
/// One attempt's deadline.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// No wait between attempts exceeds this, whatever the attempt count.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Where webhooks go and what signs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// The partner's receiver, e.g. `http://127.0.0.1:8080/api/layers/webhooks/layers`.
    pub url: Url,
    /// The signing secret the receiver verifies with.
    pub secret: WebhookSecret,
}

/// How often and how patiently a delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Attempts per message, the first included (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one, at most a minute.
    pub base: Duration,
}

impl Default for WebhookRetry {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base: Duration::from_secs(1),
        }
    }
}

impl WebhookRetry {
    /// The wait after failed attempt `n` (1-based).
    pub(crate) fn backoff(self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

/// A connected account, as the event reports it.
#[derive(Debug, Clone)]
pub(crate) struct Connected {
    pub project_id: String,
    pub social_account_id: String,
    pub platform: &'static str,
    pub display_name: String,
    pub connected_at: OffsetDateTime,
}

/// One attempt, as the log shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryAttempt {
    /// The message's `webhook-id`.
    pub id: String,
    pub event: &'static str,
    pub attempt: u32,
    pub url: String,
    /// The receiver's HTTP status, `None` when it did not answer.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub delivered: bool,
    pub at: String,
}

#[derive(Debug, Default)]
pub(crate) struct DeliveryLog(VecDeque<DeliveryAttempt>);

impl DeliveryLog {
    fn push(&mut self, attempt: DeliveryAttempt) {
        if self.0.len() >= LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(attempt);
    }

    pub(crate) fn entries(&self) -> Vec<DeliveryAttempt> {
        self.0.iter().cloned().collect()
    }
}

fn body(event: &Connected, now: OffsetDateTime) -> Vec<u8> {
    json!({
        "type": CONNECTED,
        "timestamp": rfc3339_seconds(now),
        "data": {
            "projectId": event.project_id,
            "socialAccountId": event.social_account_id,
            "platform": event.platform,
            "displayName": event.display_name,
            "connectedAt": rfc3339_seconds(event.connected_at),
        }
    })
    .to_string()
    .into_bytes()
}

/// Starts delivering `event` in the background if a webhook URL is set.
pub(crate) fn send(sandbox: &Sandbox, event: Connected) {
    let (target, retry) = {
        let world = sandbox.world();
        (world.settings.webhook.clone(), world.settings.webhook_retry)
    };
    let Some(target) = target else { return };
    let sandbox = sandbox.clone();
    tokio::spawn(async move { deliver(sandbox, target, retry, event).await });
}

async fn deliver(sandbox: Sandbox, target: WebhookTarget, retry: WebhookRetry, event: Connected) {
    let id = format!("msg_{}", ulid::Ulid::new());
    let body = body(&event, sandbox.now());
    let client = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client with static settings always builds");
    for attempt in 1..=retry.max_attempts.max(1) {
        // Real time, not the sandbox clock: the receiver checks it against its own.
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let sent = client
            .post(target.url.clone())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                target.secret.sign(&id, timestamp, &body),
            )
            .body(body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(reply) if reply.status().is_success() => (Some(reply.status().as_u16()), None),
            Ok(reply) => (
                Some(reply.status().as_u16()),
                Some(format!("receiver answered {}", reply.status())),
            ),
            Err(e) => (None, Some(describe(&e))),
        };
        let delivered = error.is_none();
        tracing::info!(webhook_id = %id, attempt, ?status, delivered, "webhook attempt");
        sandbox.world().deliveries.push(DeliveryAttempt {
            id: id.clone(),
            event: CONNECTED,
            attempt,
            url: target.url.to_string(),
            status,
            error,
            delivered,
            at: rfc3339_seconds(OffsetDateTime::now_utc()),
        });
        if delivered {
            return;
        }
        if attempt < retry.max_attempts {
            tokio::time::sleep(retry.backoff(attempt)).await;
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let retry = WebhookRetry {
            max_attempts: 10,
            base: Duration::from_secs(1),
        };
        let waits: Vec<u64> = (1..=8).map(|n| retry.backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(retry.backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn body_carries_the_documented_fields_and_no_state() {
        let event = Connected {
            project_id: "prj_demo".into(),
            social_account_id: "sa_1".into(),
            platform: "tiktok",
            display_name: "Acme Coffee".into(),
            connected_at: time::macros::datetime!(2026-04-18 19:06:42 UTC),
        };
        let sent: serde_json::Value = serde_json::from_slice(&body(
            &event,
            time::macros::datetime!(2026-04-18 19:06:43 UTC),
        ))
        .unwrap();
        assert_eq!(sent["type"], CONNECTED);
        assert_eq!(
            sent["data"],
            json!({"projectId":"prj_demo","socialAccountId":"sa_1","platform":"tiktok",
                   "displayName":"Acme Coffee","connectedAt":"2026-04-18T19:06:42Z"})
        );
        assert!(!sent.to_string().contains("st_"));
    }
}
