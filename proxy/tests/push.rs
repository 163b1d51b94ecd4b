//! The push path: Layers' webhook (`POST /webhooks/layers`, Standard Webhooks
//! signature, tolerance, replay) nudging the outcome stream
//! (`GET /social/oauth-events/{state}`), which is bound to the minting
//! browser like the poll route and ends after the outcome or at `expiresAt`.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use common::*;
use http_body_util::BodyExt;
use layers_proxy::{Config, WebhookSecret};
use serde_json::{json, Value};
use tower::ServiceExt;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn connected(project: Option<&str>, platform: &str) -> Value {
    let mut data = json!({
        "socialAccountId": "sa_9c1e42a0", "platform": platform,
        "displayName": "Acme Coffee", "connectedAt": "2026-04-18T19:06:42Z"
    });
    if let Some(project) = project {
        data["projectId"] = json!(project);
    }
    json!({ "type": "social_account.connected", "timestamp": "2026-04-18T19:06:42Z", "data": data })
}

/// A delivery as Layers (per our Standard Webhooks assumption) sends it.
fn delivery(id: &str, timestamp: u64, signature: &str, body: &str) -> Request<Body> {
    Request::post("/webhooks/layers")
        .header(header::CONTENT_TYPE, "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn signed(id: &str, event: &Value) -> Request<Body> {
    let body = event.to_string();
    let now = unix_now();
    delivery(id, now, &secret().sign(id, now, body.as_bytes()), &body)
}

fn push_config(base: &url::Url) -> Config {
    config(base).webhook_secret(secret())
}

/// An open event stream, read block by block (`…\n\n`).
struct Stream {
    response: Response,
    buffer: String,
    closed: bool,
}

impl Stream {
    /// The next block within `wait`, `None` if none came (or the stream closed).
    async fn next(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return Some(block);
            }
            if self.closed {
                return None;
            }
            match tokio::time::timeout_at(deadline, self.response.body_mut().frame()).await {
                Err(_) => return None,
                Ok(None) => self.closed = true,
                Ok(Some(frame)) => {
                    if let Ok(data) = frame.expect("stream frame").into_data() {
                        self.buffer.push_str(std::str::from_utf8(&data).unwrap());
                    }
                }
            }
        }
    }

    /// The next block that is not a heartbeat comment.
    async fn next_event(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let block = self.next(left).await?;
            if !block.starts_with(':') {
                return Some(block);
            }
        }
    }

    /// `end` with `reason: outcome` comes next, then the stream closes.
    async fn assert_ends_with_the_outcome(&mut self) {
        assert_eq!(
            self.next_event(Duration::from_secs(2)).await.as_deref(),
            Some("event: end\ndata: {\"reason\":\"outcome\"}")
        );
        assert!(
            self.is_closed(Duration::from_secs(1)).await,
            "closed after end"
        );
    }

    async fn is_closed(&mut self, wait: Duration) -> bool {
        while self.next(wait).await.is_some() {}
        self.closed
    }
}

async fn open(app: &Router, browser: &Browser, state: &str) -> Result<Stream, Reply> {
    open_path(app, browser, &format!("/social/oauth-events/{state}")).await
}

async fn open_path(app: &Router, browser: &Browser, path: &str) -> Result<Stream, Reply> {
    let request = browser.request(Method::GET, path, None);
    let response = app.clone().oneshot(request).await.unwrap();
    if response.status() != StatusCode::OK {
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        return Err(Reply {
            status: parts.status,
            headers: parts.headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        });
    }
    Ok(Stream {
        response,
        buffer: String::new(),
        closed: false,
    })
}

/// A browser that minted a tiktok state for prj_demo, and its stream, past `ready`.
async fn waiting(app: &Router) -> (Browser, String, String, Stream) {
    let mut browser = Browser::new();
    let minted = browser.mint(app, "prj_demo").await;
    assert_eq!(minted.status, 200, "{minted:?}");
    let state = minted.json["state"].as_str().unwrap().to_owned();
    let authorize = minted.json["authorizeUrl"].as_str().unwrap().to_owned();
    let mut stream = open(app, &browser, &state).await.expect("own stream opens");
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some("event: ready\ndata: {}")
    );
    (browser, state, authorize, stream)
}

const QUIET: Duration = Duration::from_millis(300);
const NUDGE: &str = "event: nudge\ndata: {\"platform\":\"tiktok\"}";

#[tokio::test]
async fn a_signed_webhook_is_accepted_once() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let event = connected(Some("prj_demo"), "tiktok");
    let ok = call(&app, signed("msg_1", &event)).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{ok:?}");
    assert_eq!(ok.text, "");
    // The same id again, even signed afresh with a new timestamp: a replay.
    call(&app, signed("msg_1", &event))
        .await
        .assert_error(409, "WEBHOOK_REPLAYED");
    // Another event type verifies and is acknowledged, nudging nothing.
    let other = call(
        &app,
        signed("msg_2", &json!({"type": "social_account.disconnected"})),
    )
    .await;
    assert_eq!(other.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn forged_stale_and_malformed_webhooks_are_refused_in_the_envelope() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let body = connected(Some("prj_demo"), "tiktok").to_string();
    let now = unix_now();
    let sign = |id: &str, ts: u64, body: &str| secret().sign(id, ts, body.as_bytes());
    let forger = WebhookSecret::new("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();

    let forged = delivery(
        "msg_f",
        now,
        &forger.sign("msg_f", now, body.as_bytes()),
        &body,
    );
    call(&app, forged)
        .await
        .assert_error(401, "WEBHOOK_SIGNATURE_INVALID");
    let edited = delivery(
        "msg_f",
        now,
        &sign("msg_f", now, &body),
        &body.replace("tiktok", "instagram"),
    );
    call(&app, edited)
        .await
        .assert_error(401, "WEBHOOK_SIGNATURE_INVALID");
    for ts in [now - 301, now + 301] {
        let stale = delivery("msg_s", ts, &sign("msg_s", ts, &body), &body);
        let reply = call(&app, stale).await;
        reply.assert_error(401, "WEBHOOK_TIMESTAMP_STALE");
        assert_eq!(reply.json["error"]["details"]["toleranceSeconds"], 300);
    }
    // Refusals never burn an id: the real delivery of msg_f still goes through.
    let real = delivery("msg_f", now, &sign("msg_f", now, &body), &body);
    assert_eq!(call(&app, real).await.status, StatusCode::NO_CONTENT);

    let mut no_signature = delivery("msg_m", now, "x", &body);
    no_signature.headers_mut().remove("webhook-signature");
    call(&app, no_signature)
        .await
        .assert_error(400, "WEBHOOK_MALFORMED");
    let mut bad_ts = delivery("msg_m", now, &sign("msg_m", now, &body), &body);
    bad_ts
        .headers_mut()
        .insert("webhook-timestamp", "yesterday".parse().unwrap());
    call(&app, bad_ts)
        .await
        .assert_error(400, "WEBHOOK_MALFORMED");
    for bad in [
        "not json",
        r#"{"data":{}}"#,
        r#"{"type":"social_account.connected","data":{"platform":"myspace"}}"#,
    ] {
        let reply = call(&app, delivery("msg_b", now, &sign("msg_b", now, bad), bad)).await;
        reply.assert_error(400, "WEBHOOK_MALFORMED");
    }
    let huge = "x".repeat(layers_proxy::MAX_BODY_BYTES + 1);
    call(
        &app,
        delivery("msg_h", now, &sign("msg_h", now, &huge), &huge),
    )
    .await
    .assert_error(413, "PAYLOAD_TOO_LARGE");
    assert_logs_clean();
}

#[tokio::test]
async fn without_a_secret_the_webhook_route_does_not_exist() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let reply = call(&app, signed("msg_1", &connected(None, "tiktok"))).await;
    reply.assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn the_stream_is_the_minting_browsers_only() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let mut browser = Browser::new();
    let state = browser.mint(&app, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();

    let stream = open(&app, &browser, &state)
        .await
        .expect("the minting browser's stream opens");
    let headers = stream.response.headers();
    assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert!(headers.get(header::SET_COOKIE).is_none());
    let id = headers["x-request-id"].to_str().unwrap();
    assert!(
        id.starts_with("prx_") && id.len() > 8,
        "the stream's own request id: {id}"
    );

    // No cookie, another session with a state of its own, an unknown state:
    // the same 404 the poll route gives.
    open(&app, &Browser::new(), &state)
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");
    let mut other = Browser::new();
    other.mint(&app, "prj_demo").await;
    open(&app, &other, &state)
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");
    other
        .status(&app, &state)
        .await
        .assert_error(404, "NOT_FOUND");
    open(&app, &browser, "st_unknown")
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");
    // A cookie signed with another secret does not open it either.
    let elsewhere =
        layers_proxy::router(push_config(sandbox.url()).cookie_secret(shared_secret(9)));
    open(&elsewhere, &browser, &state)
        .await
        .err()
        .unwrap()
        .assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn a_webhook_nudges_the_streams_of_its_project_and_platform_only() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (_browser, _state, _, mut stream) = waiting(&app).await;

    for (id, event) in [
        ("msg_ig", connected(Some("prj_demo"), "instagram")),
        ("msg_prj", connected(Some("prj_other"), "tiktok")),
    ] {
        assert_eq!(
            call(&app, signed(id, &event)).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            stream.next_event(QUIET).await,
            None,
            "{id} is not this stream's"
        );
    }
    call(
        &app,
        signed("msg_yes", &connected(Some("prj_demo"), "tiktok")),
    )
    .await;
    let nudge = stream.next_event(Duration::from_secs(2)).await.unwrap();
    assert_eq!(nudge, NUDGE, "the nudge, never the webhook's body");
    // An envelope without a project nudges every stream of its platform.
    call(&app, signed("msg_any", &connected(None, "tiktok"))).await;
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some(NUDGE)
    );
    // A replay nudges nobody.
    call(
        &app,
        signed("msg_yes", &connected(Some("prj_demo"), "tiktok")),
    )
    .await
    .assert_error(409, "WEBHOOK_REPLAYED");
    assert_eq!(stream.next_event(QUIET).await, None);
}

#[tokio::test]
async fn the_stream_ends_after_the_poll_relays_the_outcome() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (mut browser, state, authorize, mut stream) = waiting(&app).await;
    // A pending poll ends nothing.
    assert_eq!(browser.status(&app, &state).await.json["status"], "pending");
    assert_eq!(stream.next_event(QUIET).await, None);

    consent(&authorize, "allow", "acmecoffee").await;
    assert_eq!(
        browser.status(&app, &state).await.json["status"],
        "completed"
    );
    stream.assert_ends_with_the_outcome().await;
}

#[tokio::test]
async fn a_failed_outcome_ends_the_stream_too() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (mut browser, state, authorize, mut stream) = waiting(&app).await;
    consent(&authorize, "deny", "acmecoffee").await;
    assert_eq!(browser.status(&app, &state).await.json["status"], "failed");
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some("event: end\ndata: {\"reason\":\"outcome\"}")
    );
}

#[tokio::test]
async fn the_stream_ends_at_expires_at() {
    let sandbox = sandbox().await;
    let settings = reqwest::Client::new()
        .post(sandbox.url().join("_sandbox/settings").unwrap())
        .json(&json!({ "stateTtlSeconds": 2 }))
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    let app = layers_proxy::router(push_config(sandbox.url()));
    let started = std::time::Instant::now();
    let (_browser, _state, _, mut stream) = waiting(&app).await;
    assert_eq!(
        stream.next_event(Duration::from_secs(6)).await.as_deref(),
        Some("event: end\ndata: {\"reason\":\"expired\"}")
    );
    // expiresAt is 2 s after the mint (whole seconds); slack for a loaded machine.
    assert!(
        started.elapsed() <= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(stream.is_closed(Duration::from_secs(1)).await);
}

#[tokio::test]
async fn an_idle_stream_sends_heartbeat_comments() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(
        push_config(sandbox.url()).event_heartbeat(Duration::from_millis(100)),
    );
    let (_browser, _state, _, mut stream) = waiting(&app).await;
    let mut beats = 0;
    while let Some(block) = stream.next(Duration::from_millis(500)).await {
        assert_eq!(block, ": heartbeat");
        beats += 1;
        if beats == 3 {
            break;
        }
    }
    assert_eq!(beats, 3);
}

#[tokio::test]
async fn open_streams_are_capped_per_process() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()).max_event_streams(1));
    let (browser, state, _, first) = waiting(&app).await;
    let refused = open(&app, &browser, &state).await.err().unwrap();
    refused.assert_error(503, "STREAMS_EXHAUSTED");
    assert!(refused.header("retry-after").is_some());
    drop(first);
    assert!(
        open(&app, &browser, &state).await.is_ok(),
        "a closed stream gives its slot back"
    );
}

/// Layers' `social_account.connected` for prj_demo and tiktok, delivered.
async fn webhook(app: &Router, id: &str) {
    let reply = call(app, signed(id, &connected(Some("prj_demo"), "tiktok"))).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{reply:?}");
}

/// A browser that minted a tiktok state, with a stream that asks for the
/// check (`?check=1`), past `ready`.
async fn waiting_with_check(app: &Router) -> (Browser, String, String, Stream) {
    let mut browser = Browser::new();
    let minted = browser.mint(app, "prj_demo").await;
    let state = minted.json["state"].as_str().unwrap().to_owned();
    let authorize = minted.json["authorizeUrl"].as_str().unwrap().to_owned();
    let path = format!("/social/oauth-events/{state}?check=1");
    let mut stream = open_path(app, &browser, &path)
        .await
        .expect("own stream opens");
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some("event: ready\ndata: {}")
    );
    (browser, state, authorize, stream)
}

/// The `data` of a `status` event, parsed.
fn status_data(block: &str) -> Value {
    let data = block
        .strip_prefix("event: status\ndata: ")
        .unwrap_or_else(|| panic!("not a status event: {block:?}"));
    serde_json::from_str(data).unwrap()
}

async fn status_polls(sandbox: &layers_sandbox::RunningSandbox) -> usize {
    let log: Value = reqwest::get(sandbox.url().join("_sandbox/requests").unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap_or("").contains("oauth-status"))
        .count()
}

#[tokio::test]
async fn a_stream_that_asks_polls_on_the_nudge_and_sends_the_outcome() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (_browser, state, authorize, mut stream) = waiting_with_check(&app).await;
    consent(&authorize, "allow", "acmecoffee").await;
    webhook(&app, "msg_1").await;
    let block = stream.next_event(Duration::from_secs(2)).await.unwrap();
    let answer = status_data(&block);
    assert_eq!(answer["status"], "completed", "{answer}");
    assert!(
        answer["socialAccountId"]
            .as_str()
            .unwrap()
            .starts_with("sa_"),
        "{answer}"
    );
    stream.assert_ends_with_the_outcome().await;
    assert_eq!(
        status_polls(&sandbox).await,
        1,
        "one poll of {state}, the stream's"
    );
    assert_logs_clean();
}

#[tokio::test]
async fn the_check_is_one_poll_per_stream_then_nudges() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (_browser, state, _, mut stream) = waiting_with_check(&app).await;
    // Somebody else's consent: this state is still pending.
    webhook(&app, "msg_1").await;
    let block = stream.next_event(Duration::from_secs(2)).await.unwrap();
    let answer = status_data(&block);
    assert_eq!(
        (&answer["status"], &answer["state"]),
        (&json!("pending"), &json!(state)),
        "Layers' answer as it came: {answer}"
    );
    // The next webhooks are plain nudges: the widget's rules take over.
    for id in ["msg_2", "msg_3"] {
        webhook(&app, id).await;
        assert_eq!(
            stream.next_event(Duration::from_secs(2)).await.as_deref(),
            Some(NUDGE)
        );
    }
    assert_eq!(status_polls(&sandbox).await, 1);
    // A stream that does not ask never polls.
    let (_b, _s, _, mut plain) = waiting(&app).await;
    webhook(&app, "msg_4").await;
    assert_eq!(
        plain.next_event(Duration::from_secs(2)).await.as_deref(),
        Some(NUDGE)
    );
    assert_eq!(status_polls(&sandbox).await, 1);
}

#[tokio::test]
async fn only_check_1_asks() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    for (n, query) in [
        "?check=0",
        "?check=true",
        "?checks=1",
        "?x=check=1",
        "?check=1x",
    ]
    .iter()
    .enumerate()
    {
        let mut browser = Browser::new();
        let state = browser.mint(&app, "prj_demo").await.json["state"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut stream = open_path(
            &app,
            &browser,
            &format!("/social/oauth-events/{state}{query}"),
        )
        .await
        .unwrap();
        stream.next_event(Duration::from_secs(2)).await.unwrap();
        webhook(&app, &format!("msg_{n}")).await;
        assert_eq!(
            stream.next_event(Duration::from_secs(2)).await.as_deref(),
            Some(NUDGE),
            "{query}"
        );
    }
    assert_eq!(status_polls(&sandbox).await, 0);
}

#[tokio::test]
async fn no_check_while_the_widget_waits_out_an_error() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (mut browser, state, _, mut stream) = waiting_with_check(&app).await;
    let fault = json!({ "route": "oauth-status", "count": 1, "status": 429, "code": "RATE_LIMITED", "retryAfter": 12 });
    control(&sandbox, "_sandbox/faults", fault).await;
    browser
        .status(&app, &state)
        .await
        .assert_error(429, "RATE_LIMITED");
    // The widget waits 12 s: the webhook may not make this stream poll.
    webhook(&app, "msg_1").await;
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some(NUDGE)
    );
    assert_eq!(status_polls(&sandbox).await, 1, "the widget's poll only");
}

#[tokio::test]
async fn a_check_without_a_good_answer_says_so_and_spends_itself() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(push_config(sandbox.url()));
    let (_browser, _state, _, mut stream) = waiting_with_check(&app).await;
    let fault = json!({ "route": "oauth-status", "count": 1, "status": 500, "code": "INTERNAL" });
    control(&sandbox, "_sandbox/faults", fault).await;
    webhook(&app, "msg_1").await;
    let block = stream.next_event(Duration::from_secs(2)).await.unwrap();
    assert_eq!(status_data(&block), json!({}), "no answer to relay");
    webhook(&app, "msg_2").await;
    assert_eq!(
        stream.next_event(Duration::from_secs(2)).await.as_deref(),
        Some(NUDGE)
    );
    assert_eq!(status_polls(&sandbox).await, 1);
}
