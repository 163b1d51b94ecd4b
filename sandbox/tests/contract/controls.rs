//! `/_sandbox/*`: faults, settings, request log, reset, CORS.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Method, Request};
use layers_sandbox::Config;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn fault_with_status_answers_that_status_count_times_on_that_route_only() {
    let h = Harness::new();
    let state = h.mint().await;
    let r = h
        .control(
            "/_sandbox/faults",
            json!({"route":"oauth-status","count":2,"status":429,"retryAfter":7,"message":"slow down"}),
        )
        .await;
    assert_eq!(r.json()["pending"][0]["count"], 2);
    // Other routes are untouched.
    assert_eq!(h.accounts(Some(DEMO), "prj_demo").await.status, 200);
    for _ in 0..2 {
        let reply = h.status(Some(DEMO), &state).await;
        let error = reply.expect_error(429, "RATE_LIMITED");
        assert_eq!(error["message"], "slow down");
        assert_eq!(reply.header("retry-after").as_deref(), Some("7"));
    }
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn fault_code_and_status_are_free_form() {
    let h = Harness::new();
    h.control(
        "/_sandbox/faults",
        json!({"route":"oauth-url","status":502,"code":"UPSTREAM"}),
    )
    .await;
    let reply = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await;
    reply.expect_error(502, "UPSTREAM");
    assert_eq!(reply.header("retry-after"), None);
}

#[tokio::test]
async fn fault_delay_alone_delays_then_answers_normally() {
    let h = Harness::new();
    let state = h.mint().await;
    h.control(
        "/_sandbox/faults",
        json!({"route":"oauth-status","delayMs":250}),
    )
    .await;
    let started = Instant::now();
    let reply = h.status(Some(DEMO), &state).await;
    assert!(started.elapsed().as_millis() >= 250);
    assert_eq!(reply.json()["status"], "pending");
    let started = Instant::now();
    h.status(Some(DEMO), &state).await;
    assert!(started.elapsed().as_millis() < 250);
}

#[tokio::test]
async fn fault_malformed_answers_a_body_that_is_not_json() {
    let h = Harness::new();
    let state = h.mint().await;
    h.control(
        "/_sandbox/faults",
        json!({"route":"oauth-status","malformed":true}),
    )
    .await;
    let reply = h.status(Some(DEMO), &state).await;
    assert_eq!(reply.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
    h.control(
        "/_sandbox/faults",
        json!({"route":"social-accounts","malformed":true,"status":502}),
    )
    .await;
    let reply = h.accounts(Some(DEMO), "prj_demo").await;
    assert_eq!(reply.status, 502);
    assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
    assert!(reply.header("x-request-id").is_some());
}

#[tokio::test]
async fn invalid_faults_are_refused() {
    let h = Harness::new();
    for bad in [
        json!({"route":"oauth-status"}),
        json!({"route":"nope","status":500}),
        json!({"route":"oauth-status","status":200}),
        json!({"route":"oauth-status","status":500,"count":0}),
        json!({"route":"oauth-status","status":500,"colour":"red"}),
    ] {
        h.control("/_sandbox/faults", bad.clone())
            .await
            .expect_error(400, "VALIDATION");
    }
}

#[tokio::test]
async fn settings_change_ttl_and_budgets_at_runtime() {
    let h = Harness::new();
    let r = h
        .control(
            "/_sandbox/settings",
            json!({"stateTtlSeconds":5,"readBudget":1,"writeBudget":50,"budgetWindowSeconds":10}),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"stateTtlSeconds":5,"readBudget":1,"writeBudget":50,"budgetWindowSeconds":10,
               "statePollBurst":3,"statePollRefillSeconds":5,
               "webhookUrl":null,"webhookSecretSet":false,"webhookMaxAttempts":5,"webhookRetryBaseMillis":1000})
    );
    let reply = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await;
    let body = reply.json();
    assert_eq!(body["expiresAt"], "2026-04-18T19:02:16Z");
    let state = body["state"].as_str().unwrap();
    assert_eq!(h.status(Some(DEMO), state).await.status, 200);
    let limited = h.status(Some(DEMO), state).await;
    limited.expect_error(429, "RATE_LIMITED");
    // 19:02:11 in a 10 s window ending 19:02:20.
    assert_eq!(limited.header("retry-after").as_deref(), Some("9"));
    h.advance(9);
    let body = h.status(Some(DEMO), state).await.json();
    assert_eq!(body["error"]["code"], "state_expired");
    h.control("/_sandbox/settings", json!({"stateTtlSeconds":0}))
        .await
        .expect_error(400, "VALIDATION");
}

#[tokio::test]
async fn request_log_shows_how_a_client_polled() {
    let h = Harness::new();
    let state = h.mint().await;
    h.advance(5);
    h.status(Some(DEMO), &state).await;
    h.status(None, &state).await;
    let log = h
        .call(Method::GET, "/_sandbox/requests", None, None)
        .await
        .json();
    let data = log["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["method"], "POST");
    assert_eq!(data[0]["path"], "/v1/projects/prj_demo/social/oauth-url");
    assert_eq!(data[0]["keyId"], "key_demo");
    assert_eq!(data[0]["status"], 200);
    assert_eq!(data[0]["time"], "2026-04-18T19:02:11.000Z");
    assert_eq!(data[1]["time"], "2026-04-18T19:02:16.000Z");
    assert_eq!(data[1]["path"], format!("/v1/social/oauth-status/{state}"));
    assert_eq!(data[2]["keyId"], serde_json::Value::Null);
    assert_eq!(data[2]["status"], 401);
    // Controls and pages are not API requests.
    assert_eq!(
        keys_of(&data[0]),
        ["keyId", "method", "path", "requestId", "status", "time"]
    );
}

#[tokio::test]
async fn reset_returns_everything_to_the_start() {
    let h = Harness::new();
    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"global","enabled":true}),
    )
    .await;
    h.control(
        "/_sandbox/faults",
        json!({"route":"oauth-status","status":500,"count":5}),
    )
    .await;
    h.control(
        "/_sandbox/settings",
        json!({"stateTtlSeconds":5,"writeBudget":0}),
    )
    .await;

    let reply = h.call(Method::POST, "/_sandbox/reset", None, None).await;
    assert_eq!(reply.status, 204);

    h.status(Some(DEMO), &state)
        .await
        .expect_error(404, "NOT_FOUND");
    assert_eq!(
        h.accounts(Some(DEMO), "prj_demo").await.json(),
        json!({"data": []})
    );
    let minted = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await
        .json();
    assert_eq!(minted["expiresAt"], "2026-04-18T19:12:11Z");
    assert_eq!(
        h.call(Method::GET, "/_sandbox/faults", None, None)
            .await
            .json(),
        json!({"pending": []})
    );
    let log = h
        .call(Method::GET, "/_sandbox/requests", None, None)
        .await
        .json();
    assert_eq!(log["data"].as_array().unwrap().len(), 3);
}

const DEMO_PAGE: &str = "http://127.0.0.1:8080";

/// A sandbox whose controls the demo page's origin may drive.
fn with_demo_page_allowed() -> Harness {
    Harness::with_config(Config::default().control_origin(&url::Url::parse(DEMO_PAGE).unwrap()))
}

fn preflight(path: &str, origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap()
}

/// A POST as a browser sends it from a page on `origin`; `text/plain` keeps it
/// a "simple" request, which skips the preflight.
fn post_from(path: &str, origin: &str, body: serde_json::Value) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("origin", origin)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn pending_faults(h: &Harness) -> usize {
    h.call(Method::GET, "/_sandbox/faults", None, None)
        .await
        .json()["pending"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_configured_origin_gets_cors_on_controls_and_the_api_does_not() {
    let h = with_demo_page_allowed();
    let reply = h.send(preflight("/_sandbox/faults", DEMO_PAGE)).await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some(DEMO_PAGE)
    );
    assert!(reply
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert!(reply
        .header("access-control-allow-headers")
        .unwrap()
        .contains("content-type"));
    assert_eq!(reply.header("vary").as_deref(), Some("origin"));

    let reply = h
        .send(post_from(
            "/_sandbox/faults",
            DEMO_PAGE,
            json!({"route":"oauth-status","status":500}),
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some(DEMO_PAGE)
    );
    assert_eq!(pending_faults(&h).await, 1);

    let api = h.status(Some(DEMO), "st_x").await;
    assert_eq!(api.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_foreign_origin_cannot_drive_the_controls() {
    let h = with_demo_page_allowed();
    let state = h.mint().await;
    for foreign in [
        "https://evil.example",
        "http://localhost:8080",
        "http://127.0.0.1:8080.evil.example",
        "null",
    ] {
        // No CORS for its preflight, so a browser never sends the real request...
        let reply = h.send(preflight("/_sandbox/faults", foreign)).await;
        reply.expect_error(403, "FORBIDDEN_ORIGIN");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            None,
            "{foreign}"
        );
        // ...and a simple POST, which needs no preflight, is refused before it acts.
        for (path, body) in [
            (
                "/_sandbox/faults",
                json!({"route":"oauth-status","status":500}),
            ),
            (
                "/_sandbox/kill-switch",
                json!({"scope":"global","enabled":true}),
            ),
            ("/_sandbox/settings", json!({"statePollBurst":0})),
            ("/_sandbox/reset", json!({})),
        ] {
            let reply = h.send(post_from(path, foreign, body)).await;
            let error = reply.expect_error(403, "FORBIDDEN_ORIGIN");
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains("--control-origin"),
                "{error}"
            );
            assert_eq!(reply.header("access-control-allow-origin"), None);
        }
        // Reads are served (an avatar <img> still loads) but never get CORS,
        // so the page cannot read them.
        let reply = h
            .send(
                Request::get("/_sandbox/requests")
                    .header("origin", foreign)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("access-control-allow-origin"), None);
    }
    // Nothing happened: no fault, no switch, settings and state intact.
    assert_eq!(pending_faults(&h).await, 0);
    let settings = h
        .call(Method::GET, "/_sandbox/settings", None, None)
        .await
        .json();
    assert_eq!(settings["statePollBurst"], 3);
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn by_default_no_browser_origin_but_the_sandboxs_own_may_drive_the_controls() {
    let h = Harness::new();
    let reply = h
        .send(post_from("/_sandbox/reset", DEMO_PAGE, json!({})))
        .await;
    reply.expect_error(403, "FORBIDDEN_ORIGIN");
    // Its own origin (the public base; unbound, http://127.0.0.1:8081/) is not foreign.
    let reply = h
        .send(post_from(
            "/_sandbox/reset",
            "http://127.0.0.1:8081",
            json!({}),
        ))
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("http://127.0.0.1:8081")
    );
}

#[tokio::test]
async fn requests_without_an_origin_still_work_and_get_no_cors() {
    let h = with_demo_page_allowed();
    // Like curl or a test script: no Origin header at all.
    let reply = h
        .control(
            "/_sandbox/faults",
            json!({"route":"oauth-status","status":500}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("access-control-allow-origin"), None);
    assert_eq!(pending_faults(&h).await, 1);
    let reply = h.call(Method::POST, "/_sandbox/reset", None, None).await;
    assert_eq!(reply.status, 204);
}
