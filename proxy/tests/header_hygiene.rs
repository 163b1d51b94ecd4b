//! What crosses the proxy, checked against a fake Layers that records what it
//! receives and answers with headers the browser must never see.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use common::*;
use serde_json::{json, Value};

const FAKE_KEY: &str = "lp_test_fake_key";

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

/// Headers a real upstream (or something in front of it) might add.
fn noisy(mut headers: HeaderMap) -> HeaderMap {
    headers.insert(
        "set-cookie",
        "upstream_session=abc; Path=/".parse().unwrap(),
    );
    headers.insert("x-upstream-internal", "node-7".parse().unwrap());
    headers.insert("server", "fake-layers".parse().unwrap());
    headers.insert("access-control-allow-origin", "*".parse().unwrap());
    headers.insert("x-request-id", "req_fake".parse().unwrap());
    headers.insert("retry-after", "9".parse().unwrap());
    headers
}

fn fake_layers(seen: Seen) -> Router {
    let record = |seen: Seen| {
        move |headers: HeaderMap, body: Bytes| {
            let seen = seen.clone();
            async move {
                seen.0.lock().unwrap().push((headers, body));
            }
        }
    };
    let mint = {
        let record = record(seen.clone());
        move |headers: HeaderMap, body: Bytes| async move {
            record(headers, body).await;
            let body = json!({ "authorizeUrl": "https://www.tiktok.com/v2/auth/authorize?state=st_fake", "state": "st_fake", "expiresAt": "2030-01-01T00:00:00Z" });
            (StatusCode::OK, noisy(HeaderMap::new()), axum::Json(body))
        }
    };
    let status = {
        let record = record(seen.clone());
        move |headers: HeaderMap| async move {
            record(headers, Bytes::new()).await;
            (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html>maintenance</html>",
            )
        }
    };
    let accounts = {
        let record = record(seen);
        move |headers: HeaderMap| async move {
            record(headers, Bytes::new()).await;
            // A redirect is never followed: it would carry the key elsewhere.
            (
                StatusCode::FOUND,
                [("location", "http://127.0.0.1:1/steal")],
            )
                .into_response()
        }
    };
    Router::new()
        .route("/v1/projects/{projectId}/social/oauth-url", post(mint))
        .route("/v1/social/oauth-status/{state}", get(status))
        .route("/v1/projects/{projectId}/social-accounts", get(accounts))
}

#[tokio::test]
async fn only_the_key_and_the_checked_body_go_up_and_only_status_json_retry_after_and_id_come_down()
{
    let seen = Seen::default();
    let upstream = serve(fake_layers(seen.clone())).await;
    let app = layers_proxy::router(config_with_key(&upstream.url, FAKE_KEY));

    let mut browser = Browser {
        extra: vec![
            ("authorization".into(), "Bearer partner-user-token".into()),
            ("x-forwarded-for".into(), "10.0.0.1".into()),
            ("x-request-id".into(), "client-chosen".into()),
        ],
        ..Browser::new()
    };
    browser.cookie = Some("partner_session=s3cret".into());
    let minted = browser
        .mint_body(
            &app,
            "prj_demo",
            json!({ "platform": "tiktok", "returnUrl": RETURN_URL, "usageNote": "Acme", "apiKey": "x", "__proto__": {} }),
        )
        .await;
    assert_eq!(minted.status, StatusCode::OK, "{minted:?}");

    let (headers, body) = seen.0.lock().unwrap()[0].clone();
    assert_eq!(
        headers["authorization"],
        format!("Bearer {FAKE_KEY}").as_str()
    );
    for name in [
        "cookie",
        "x-forwarded-for",
        "origin",
        "sec-fetch-site",
        "x-request-id",
    ] {
        assert!(headers.get(name).is_none(), "{name} went upstream");
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body,
        json!({ "platform": "tiktok", "returnUrl": RETURN_URL, "usageNote": "Acme" })
    );

    // Down: status, JSON, Retry-After, request id, plus the proxy's own cookie and cache headers.
    assert_eq!(minted.json["state"], "st_fake");
    assert_eq!(minted.header("retry-after"), Some("9"));
    assert_eq!(minted.header("x-request-id"), Some("req_fake"));
    let cookies: Vec<&str> = minted
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    // Only the proxy's own: the session cookie and the new state's.
    // (The jar writes them in no fixed order.)
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with(&format!("{}=", layers_proxy::COOKIE_NAME))),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with(&format!("{}st_fake=", layers_proxy::STATE_COOKIE_PREFIX))),
        "{cookies:?}"
    );
    for name in [
        "x-upstream-internal",
        "server",
        "access-control-allow-origin",
    ] {
        assert!(minted.headers.get(name).is_none(), "{name} came down");
    }

    // Non-JSON and redirects are the proxy's UPSTREAM_INVALID, never relayed.
    let status = browser.status(&app, "st_fake").await;
    status.assert_error(502, "UPSTREAM_INVALID");
    assert!(!status.text.contains("maintenance"));
    let accounts = browser.accounts(&app, "prj_demo").await;
    accounts.assert_error(502, "UPSTREAM_INVALID");
    assert_eq!(accounts.json["error"]["details"]["upstreamStatus"], 302);
    assert!(accounts.header("location").is_none());
    assert_eq!(
        seen.0.lock().unwrap().len(),
        3,
        "the redirect was not followed"
    );

    // Path ids are percent-encoded one segment each (and odd ones refused before).
    let weird = browser.request(
        Method::GET,
        "/social/oauth-status/st_fake%2F..%2F..%2Fprojects",
        None,
    );
    browser
        .send(&app, weird)
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(seen.0.lock().unwrap().len(), 3);
}
