//! `social_account.connected` webhooks: sent when a state completes, signed
//! (Standard Webhooks, our assumption), retried with bounded exponential
//! backoff, every attempt in `/_sandbox/webhooks/deliveries`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use layers_sandbox::{Config, WebhookRetry, WebhookSecret, CONNECTED};
use serde_json::{json, Value};
use url::Url;

use crate::common::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Received {
    at: Instant,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A receiver on loopback that answers 500 to its first `failures` requests, then 204.
async fn receiver(failures: usize) -> (Url, Arc<Mutex<Vec<Received>>>) {
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let log = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap();
                log.push(Received {
                    at: Instant::now(),
                    headers,
                    body: body.to_vec(),
                });
                if log.len() <= failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/hook", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn config(url: Url, max_attempts: u32) -> Config {
    let mut config = Config::default().webhook(url, WebhookSecret::new(SECRET).unwrap());
    config.webhook_retry = WebhookRetry {
        max_attempts,
        base: Duration::from_millis(40),
    };
    config
}

async fn deliveries(h: &Harness) -> Vec<Value> {
    let reply = h
        .call(
            axum::http::Method::GET,
            "/_sandbox/webhooks/deliveries",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    reply.json()["data"].as_array().unwrap().clone()
}

/// Waits until the log has `n` attempts (or fails after 5 s).
async fn wait_for(h: &Harness, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = deliveries(h).await;
        if log.len() >= n || Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers.get(name).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn completion_is_delivered_after_retries_signed_and_logged() {
    let (url, seen) = receiver(2).await;
    let h = Harness::with_config(config(url.clone(), 5));
    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;

    let log = wait_for(&h, 3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log_after = deliveries(&h).await;
    assert_eq!(
        log_after.len(),
        3,
        "no attempt after the delivered one: {log_after:?}"
    );
    let summary: Vec<(u64, Value, bool)> = log
        .iter()
        .map(|a| {
            (
                a["attempt"].as_u64().unwrap(),
                a["status"].clone(),
                a["delivered"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, json!(500), false),
            (2, json!(500), false),
            (3, json!(204), true)
        ]
    );
    assert!(
        log[0]["error"].is_string() && log[2]["error"].is_null(),
        "{log:?}"
    );
    assert_eq!(log[0]["url"], url.as_str());

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert_eq!(seen.len(), 3);
    // One message: the same id on every attempt, each attempt signed afresh.
    let id = header(&seen[0], "webhook-id");
    assert!(id.starts_with("msg_"), "{id}");
    assert_eq!(log[0]["id"], id);
    let secret = WebhookSecret::new(SECRET).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for attempt in seen.iter() {
        assert_eq!(header(attempt, "webhook-id"), id);
        let ts: u64 = header(attempt, "webhook-timestamp").parse().unwrap();
        assert!(
            ts.abs_diff(now) < 30,
            "real time, not the sandbox's manual clock"
        );
        assert_eq!(
            header(attempt, "webhook-signature"),
            secret.sign(id, ts, &attempt.body)
        );
        assert_eq!(header(attempt, "content-type"), "application/json");
    }
    // Exponential backoff: 40 ms, then 80 ms.
    assert!(seen[1].at - seen[0].at >= Duration::from_millis(40));
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(80));

    let event: Value = serde_json::from_slice(&seen[2].body).unwrap();
    assert_eq!(event["type"], CONNECTED);
    let account = &h.accounts(Some(DEMO), "prj_demo").await.json()["data"][0];
    assert_eq!(
        event["data"],
        json!({
            "projectId": "prj_demo",
            "socialAccountId": account["id"],
            "platform": "tiktok",
            "displayName": account["displayName"],
            "connectedAt": account["connectedAt"],
        })
    );
    assert!(
        !String::from_utf8_lossy(&seen[2].body).contains(&state),
        "the event carries no state"
    );
}

#[tokio::test]
async fn retries_are_bounded_and_failures_send_nothing() {
    let (url, seen) = receiver(usize::MAX).await;
    let h = Harness::with_config(config(url, 3));
    let denied = h.mint().await;
    h.complete("tiktok", &denied, "deny", "acmecoffee").await;
    let completed = h.mint().await;
    h.complete("tiktok", &completed, "allow", "acmecoffee")
        .await;
    let log = wait_for(&h, 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        deliveries(&h).await.len(),
        3,
        "max 3 attempts, for the one completed state: {log:?}"
    );
    assert!(log
        .iter()
        .all(|a| a["delivered"] == false && a["status"] == 500));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn an_unreachable_receiver_is_logged_as_an_error() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = Url::parse(&format!("http://127.0.0.1:{port}/hook")).unwrap();
    let h = Harness::with_config(config(url, 2));
    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    let log = wait_for(&h, 2).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|a| a["status"].is_null() && a["error"] == "could not connect"),
        "{log:?}"
    );
}

#[tokio::test]
async fn settings_switch_webhooks_on_and_off_without_showing_the_secret() {
    let (url, seen) = receiver(0).await;
    let h = Harness::new();
    let shown = h
        .call(axum::http::Method::GET, "/_sandbox/settings", None, None)
        .await
        .json();
    assert_eq!(
        (
            shown["webhookUrl"].clone(),
            shown["webhookSecretSet"].clone()
        ),
        (Value::Null, json!(false))
    );

    h.control("/_sandbox/settings", json!({"webhookUrl": url.as_str()}))
        .await
        .expect_error(400, "VALIDATION");
    h.control(
        "/_sandbox/settings",
        json!({"webhookUrl": url.as_str(), "webhookSecret": "hunter2"}),
    )
    .await
    .expect_error(400, "VALIDATION");
    h.control(
        "/_sandbox/settings",
        json!({"webhookUrl": "ftp://x", "webhookSecret": SECRET}),
    )
    .await
    .expect_error(400, "VALIDATION");
    h.control("/_sandbox/settings", json!({"webhookMaxAttempts": 0}))
        .await
        .expect_error(400, "VALIDATION");
    let on = h
        .control(
            "/_sandbox/settings",
            json!({"webhookUrl": url.as_str(), "webhookSecret": SECRET, "webhookMaxAttempts": 2, "webhookRetryBaseMillis": 10}),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.text());
    let on = on.json();
    assert_eq!(on["webhookUrl"], url.as_str());
    assert_eq!(on["webhookSecretSet"], true);
    assert_eq!(on["webhookMaxAttempts"], 2);
    assert!(
        !on.to_string().contains("MfKQ"),
        "the secret is never shown: {on}"
    );

    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    assert_eq!(wait_for(&h, 1).await.len(), 1);

    let off = h
        .control("/_sandbox/settings", json!({"webhookUrl": null}))
        .await
        .json();
    assert_eq!(off["webhookUrl"], Value::Null);
    let again = h.mint().await;
    h.complete("tiktok", &again, "allow", "acmecoffee").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seen.lock().unwrap().len(), 1, "off means no delivery");
}
