//! An upstream that is not a well-behaved Layers: one that echoes the key it
//! receives (a debug server behind `LAYERS_API_BASE`), one that hands out an
//! authorize URL off the platforms, and one that records the mint body it got.
//! `call` (the test kit) fails the test if the key reaches any response byte,
//! header or log line.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use common::*;
use serde_json::{json, Value};

const ECHOED_KEY: &str = "lp_test_echoed_key";

fn bearer(headers: &HeaderMap) -> String {
    headers["authorization"].to_str().unwrap().to_owned()
}

/// Echoes `Authorization` into the body, `x-request-id` and `Retry-After`.
fn echoing(
    status: StatusCode,
    body: impl Fn(&str) -> String + Clone + Send + Sync + 'static,
) -> Router {
    let answer = move |headers: HeaderMap| {
        let body = body.clone();
        async move {
            let auth = bearer(&headers);
            let mut response =
                (status, [("content-type", "application/json")], body(&auth)).into_response();
            let h = response.headers_mut();
            h.insert("x-request-id", auth.parse().unwrap());
            h.insert("retry-after", auth.parse().unwrap());
            response
        }
    };
    Router::new()
        .route("/v1/projects/{p}/social/oauth-url", post(answer.clone()))
        .route("/v1/social/oauth-status/{s}", get(answer.clone()))
        .route("/v1/projects/{p}/social-accounts", get(answer))
}

#[tokio::test]
async fn an_upstream_echoing_the_key_never_gets_it_to_the_browser() {
    let cases: Vec<(StatusCode, Router)> = vec![
        (
            StatusCode::UNAUTHORIZED,
            echoing(StatusCode::UNAUTHORIZED, |auth| {
                json!({ "error": { "code": "UNAUTHENTICATED", "message": format!("bad key: {auth}"), "requestId": "req_1" } }).to_string()
            }),
        ),
        (
            StatusCode::OK,
            echoing(StatusCode::OK, |auth| {
                json!({ "data": [], "debug": auth }).to_string()
            }),
        ),
        (
            // JSON-escaped: a browser decodes it back to the key.
            StatusCode::OK,
            echoing(
                StatusCode::OK,
                // `\u005f` is `_` to a JSON parser: the raw bytes do not show the key.
                |auth| {
                    format!(
                        r#"{{"data":[],"debug":"{}"}}"#,
                        auth.replace('_', "\\u005f")
                    )
                },
            ),
        ),
    ];
    for (upstream_status, fake) in cases {
        let upstream = serve(fake).await;
        let app = layers_proxy::router(config_with_key(&upstream.url, ECHOED_KEY));
        let mut browser = Browser::new();
        // `call` asserts no `lp_test_` in any header, the body, or the logs.
        let accounts = browser.accounts(&app, "prj_demo").await;
        accounts.assert_error(502, "UPSTREAM_INVALID");
        assert_eq!(
            accounts.json["error"]["details"]["upstreamStatus"],
            upstream_status.as_u16()
        );
        assert!(accounts.header("retry-after").is_none(), "{accounts:?}");
        assert!(accounts.header("x-request-id").unwrap().starts_with("prx_"));
    }
}

/// A Layers 429 whose `x-request-id` and `Retry-After` are `id` and `retry`.
fn limited(id: &'static str, retry: &'static str) -> Router {
    Router::new().route(
        "/v1/projects/{p}/social-accounts",
        get(move || async move {
            let envelope = json!({ "error": { "code": "RATE_LIMITED", "message": "slow down", "requestId": "req_01HXZ8K2M4P5QRS6TUV7WXYZ9A" } });
            let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(envelope)).into_response();
            response.headers_mut().insert("x-request-id", id.parse().unwrap());
            response.headers_mut().insert("retry-after", retry.parse().unwrap());
            response
        }),
    )
}

#[tokio::test]
async fn retry_after_and_request_id_come_down_only_in_their_shapes() {
    let upstream = serve(limited("req_01HXZ8K2M4P5QRS6TUV7WXYZ9A", "7")).await;
    let app = layers_proxy::router(config(&upstream.url));
    let plain = Browser::new().accounts(&app, "prj_demo").await;
    plain.assert_error(429, "RATE_LIMITED");
    assert_eq!(plain.header("retry-after"), Some("7"));

    let upstream = serve(limited("req 1; <script>", "soon")).await;
    let app = layers_proxy::router(config(&upstream.url));
    let odd = Browser::new().accounts(&app, "prj_demo").await;
    assert_eq!(odd.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(odd.header("retry-after").is_none(), "{odd:?}");
    let id = odd.header("x-request-id").unwrap();
    assert!(
        id.starts_with("prx_"),
        "replaced by the proxy's own id: {id}"
    );
}

/// A fake Layers whose mint answers `authorize_url` (status `status`) and
/// records the bodies it receives.
fn minting(
    status: StatusCode,
    authorize_url: &'static str,
    seen: Arc<Mutex<Vec<Value>>>,
) -> Router {
    Router::new().route(
        "/v1/projects/{p}/social/oauth-url",
        post(move |body: Bytes| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
                let answer = json!({ "authorizeUrl": authorize_url, "state": "st_fake", "expiresAt": "2030-01-01T00:00:00Z" });
                (status, axum::Json(answer)).into_response()
            }
        }),
    )
}

#[tokio::test]
async fn authorize_url_must_be_a_platform_page_or_an_allowed_origin() {
    for (authorize_url, allowed) in [
        (
            "https://www.tiktok.com/v2/auth/authorize?client_key=x&state=st_fake",
            true,
        ),
        (
            "https://www.instagram.com/oauth/authorize?state=st_fake",
            true,
        ),
        ("https://evil.test/v2/auth/authorize?state=st_fake", false),
        ("https://www.tiktok.com.evil.test/v2/auth/authorize", false),
        ("http://www.tiktok.com/v2/auth/authorize", false),
        ("javascript:alert(1)", false),
    ] {
        let upstream = serve(minting(StatusCode::OK, authorize_url, Arc::default())).await;
        let app = layers_proxy::router(config(&upstream.url));
        let mut browser = Browser::new();
        let minted = browser.mint(&app, "prj_demo").await;
        if allowed {
            assert_eq!(minted.status, StatusCode::OK, "{authorize_url}: {minted:?}");
            assert_eq!(minted.json["authorizeUrl"], authorize_url);
        } else {
            minted.assert_error(502, "UPSTREAM_INVALID");
            assert!(!minted.text.contains("evil"), "{minted:?}");
            // Nothing was remembered either.
            browser
                .status(&app, "st_fake")
                .await
                .assert_error(404, "NOT_FOUND");
        }
    }
}

#[tokio::test]
async fn the_upstream_origin_counts_only_when_allowed() {
    let sandbox = sandbox().await;
    let consent_on_sandbox = |config: layers_proxy::Config| async move {
        Browser::new()
            .mint(&layers_proxy::router(config), "prj_demo")
            .await
    };
    // The kit's config allows the sandbox's origin, as the demo does.
    let allowed = consent_on_sandbox(config(sandbox.url())).await;
    assert_eq!(allowed.status, StatusCode::OK, "{allowed:?}");
    // Without it, the sandbox's consent page is not a platform's.
    let strict = layers_proxy::Config::new(
        sandbox.url().clone().try_into().unwrap(),
        layers_proxy::ApiKey::new(KEY),
    )
    .allow_projects(["prj_demo"])
    .allow_return_url(RETURN_URL.parse().unwrap());
    consent_on_sandbox(strict)
        .await
        .assert_error(502, "UPSTREAM_INVALID");
}

#[tokio::test]
async fn what_goes_upstream_is_the_return_url_that_was_checked() {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let upstream = serve(minting(
        StatusCode::OK,
        "https://www.tiktok.com/v2/auth/authorize",
        seen.clone(),
    ))
    .await;
    let app = layers_proxy::router(config(&upstream.url));
    let raws = [
        "http://127.0.0.1:8080/re\tturn.html",
        "http://127.0.0.1:8080/return.html\n",
        "http:\\\\127.0.0.1:8080\\return.html",
        "http://0x7f000001:8080/return.html",
        "http://127.1:8080/return.html",
        "http://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}:8080/return.html",
    ];
    for raw in raws {
        let minted = Browser::new()
            .mint_body(
                &app,
                "prj_demo",
                json!({ "platform": "tiktok", "returnUrl": raw }),
            )
            .await;
        assert_eq!(minted.status, StatusCode::OK, "{raw:?}: {minted:?}");
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), raws.len());
    for (raw, body) in raws.iter().zip(seen.iter()) {
        assert_eq!(body["returnUrl"], RETURN_URL, "{raw:?}");
    }
}

/// Layers documents 200 for a mint; whatever success status it sends, the
/// browser sees that one (the proxy does not rewrite 201 to 200 or back).
#[tokio::test]
async fn the_mint_status_passes_through() {
    for status in [StatusCode::OK, StatusCode::CREATED] {
        let upstream = serve(minting(
            status,
            "https://www.tiktok.com/v2/auth/authorize",
            Arc::default(),
        ))
        .await;
        let app = layers_proxy::router(config(&upstream.url));
        assert_eq!(Browser::new().mint(&app, "prj_demo").await.status, status);
    }
}
