//! The proxy router driven against the Layers sandbox, in process (`oneshot`)
//! and over real loopback listeners.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::routing::get;
use axum::Router;
use common::*;
use layers_proxy::MintLimit;
use serde_json::json;
use url::Url;

#[tokio::test]
async fn happy_path_mint_consent_status_accounts() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();

    let minted = browser.mint(&app, "prj_demo").await;
    assert_eq!(minted.status, StatusCode::OK, "{minted:?}");
    let state = minted.json["state"].as_str().unwrap().to_owned();
    let authorize_url = minted.json["authorizeUrl"].as_str().unwrap().to_owned();
    assert!(minted.json["expiresAt"].is_string());
    assert!(
        minted.header("x-request-id").unwrap().starts_with("req_"),
        "Layers' request id passes through"
    );
    assert_eq!(minted.header("cache-control"), Some("no-store"));
    let set_cookie = minted.header("set-cookie").unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );

    let pending = browser.status(&app, &state).await;
    assert_eq!(pending.status, StatusCode::OK);
    assert_eq!(pending.json["status"], "pending");
    assert!(
        pending.header("set-cookie").is_none(),
        "polling does not rewrite the cookie"
    );

    let landed = consent(&authorize_url, "allow", "acmecoffee").await;
    assert_eq!(
        landed.as_str(),
        RETURN_URL,
        "success adds no layers_oauth_error"
    );

    let completed = browser.status(&app, &state).await;
    assert_eq!(completed.json["status"], "completed", "{completed:?}");
    assert_eq!(completed.json["handle"], "acmecoffee");
    let account_id = completed.json["socialAccountId"]
        .as_str()
        .unwrap()
        .to_owned();

    let accounts = browser.accounts(&app, "prj_demo").await;
    assert_eq!(accounts.status, StatusCode::OK);
    let list = accounts.json["data"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|a| a["id"] == account_id.as_str() || a["socialAccountId"] == account_id.as_str()),
        "{list:?}"
    );
}

#[tokio::test]
async fn denied_consent_reports_failed_status() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();
    let minted = browser.mint(&app, "prj_demo").await;
    let landed = consent(minted.json["authorizeUrl"].as_str().unwrap(), "deny", "x").await;
    assert!(
        landed
            .query()
            .unwrap_or_default()
            .contains("layers_oauth_error=platform_denied"),
        "{landed}"
    );
    let failed = browser
        .status(&app, minted.json["state"].as_str().unwrap())
        .await;
    assert_eq!(failed.json["status"], "failed");
    assert_eq!(failed.json["error"]["code"], "platform_denied");
}

#[tokio::test]
async fn upstream_errors_pass_through_with_status_envelope_and_retry_after() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();
    let state = browser.mint(&app, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();

    let cases: [(&str, u16, &str, Option<u64>); 11] = [
        ("oauth-url", 400, "VALIDATION", None),
        ("oauth-url", 401, "UNAUTHENTICATED", None),
        ("oauth-url", 403, "FORBIDDEN_SCOPE", None),
        ("oauth-url", 403, "RETURN_URL_NOT_ALLOWED", None),
        ("oauth-url", 404, "NOT_FOUND", None),
        ("oauth-url", 429, "RATE_LIMITED", Some(7)),
        ("oauth-status", 500, "INTERNAL", None),
        ("oauth-status", 503, "KILL_SWITCH", None),
        ("oauth-status", 429, "RATE_LIMITED", Some(5)),
        ("social-accounts", 500, "INTERNAL", Some(2)),
        ("social-accounts", 401, "UNAUTHENTICATED", None),
    ];
    for (route, status, code, retry_after) in cases {
        let mut fault = json!({ "route": route, "count": 1, "status": status, "code": code });
        if let Some(secs) = retry_after {
            fault["retryAfter"] = json!(secs);
        }
        control(&sandbox, "_sandbox/faults", fault).await;
        let reply = match route {
            "oauth-url" => browser.mint(&app, "prj_demo").await,
            "oauth-status" => browser.status(&app, &state).await,
            _ => browser.accounts(&app, "prj_demo").await,
        };
        reply.assert_error(status, code);
        let request_id = reply.json["error"]["requestId"].as_str().unwrap();
        assert!(
            request_id.starts_with("req_"),
            "Layers' own requestId, not the proxy's: {request_id}"
        );
        assert_eq!(
            reply.header("retry-after").map(str::to_owned),
            retry_after.map(|s| s.to_string()),
            "{route} {code}"
        );
        if code == "KILL_SWITCH" {
            assert_eq!(reply.json["error"]["details"]["scope"], "global");
        }
    }
}

#[tokio::test]
async fn kill_switch_budget_and_key_allowlist_pass_through() {
    let sandbox = sandbox().await;
    // The proxy's allowlist is broader than the key's: Layers has the last word.
    let config = config(sandbox.url())
        .allow_return_url(Url::parse("http://127.0.0.1:9/elsewhere").unwrap())
        .allow_projects(["prj_demo", "prj_other"]);
    let app = layers_proxy::router(config);
    let mut browser = Browser::new();

    let not_on_key = browser
        .mint_body(
            &app,
            "prj_demo",
            json!({ "platform": "tiktok", "returnUrl": "http://127.0.0.1:9/elsewhere" }),
        )
        .await;
    not_on_key.assert_error(403, "RETURN_URL_NOT_ALLOWED");
    assert!(not_on_key.json["error"]["requestId"]
        .as_str()
        .unwrap()
        .starts_with("req_"));

    browser
        .mint(&app, "prj_other")
        .await
        .assert_error(404, "NOT_FOUND");

    control(
        &sandbox,
        "_sandbox/settings",
        json!({ "writeBudget": 1, "budgetWindowSeconds": 60 }),
    )
    .await;
    assert_eq!(browser.mint(&app, "prj_demo").await.status, StatusCode::OK);
    let limited = browser.mint(&app, "prj_demo").await;
    limited.assert_error(429, "RATE_LIMITED");
    let wait: u64 = limited
        .header("retry-after")
        .expect("Retry-After passes through")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));

    control(
        &sandbox,
        "_sandbox/kill-switch",
        json!({ "scope": "key", "enabled": true, "target": "key_demo" }),
    )
    .await;
    let killed = browser.accounts(&app, "prj_demo").await;
    killed.assert_error(503, "KILL_SWITCH");
    assert_eq!(killed.json["error"]["details"]["scope"], "key");
}

#[tokio::test]
async fn readonly_key_gets_forbidden_scope_from_layers() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config_with_key(sandbox.url(), "lp_test_demo_readonly"));
    Browser::new()
        .mint(&app, "prj_demo")
        .await
        .assert_error(403, "FORBIDDEN_SCOPE");
}

#[tokio::test]
async fn csrf_rejects_foreign_or_headerless_posts_before_layers() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(
        config(sandbox.url()).allowed_origin(&Url::parse("https://app.example.com").unwrap()),
    );
    let body = || {
        Some(Body::from(
            json!({ "platform": "tiktok", "returnUrl": RETURN_URL }).to_string(),
        ))
    };
    let path = "/projects/prj_demo/social/oauth-url";

    let attacks: [&[(&str, &str)]; 5] = [
        &[
            ("origin", "https://evil.test"),
            ("sec-fetch-site", "cross-site"),
        ],
        &[("origin", "https://evil.test")],
        &[("origin", "null")],
        &[("sec-fetch-site", "same-site")],
        &[],
    ];
    for headers in attacks {
        let browser = Browser {
            omit_fetch_metadata: true,
            extra: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Browser::new()
        };
        let reply = call(&app, browser.request(Method::POST, path, body())).await;
        reply.assert_error(403, "CSRF_REJECTED");
        assert!(reply.header("set-cookie").is_none());
    }
    assert_eq!(
        upstream_requests(&sandbox).await,
        0,
        "nothing reached Layers"
    );

    // A trusted other origin, from a browser without Sec-Fetch-Site.
    let partner = Browser {
        omit_fetch_metadata: true,
        extra: vec![("origin".into(), "https://app.example.com".into())],
        ..Browser::new()
    };
    assert_eq!(
        call(&app, partner.request(Method::POST, path, body()))
            .await
            .status,
        StatusCode::OK
    );

    // Non-browser clients only when opted in.
    let lenient = layers_proxy::router(config(sandbox.url()).allow_requests_without_origin(true));
    let server = Browser {
        omit_fetch_metadata: true,
        ..Browser::new()
    };
    assert_eq!(
        call(&lenient, server.request(Method::POST, path, body()))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_state_is_invisible_from_another_session() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut alice = Browser::new();
    let state = alice.mint(&app, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = upstream_requests(&sandbox).await;

    let mut stranger = Browser::new();
    stranger
        .status(&app, &state)
        .await
        .assert_error(404, "NOT_FOUND");
    let mut bob = Browser::new();
    assert_eq!(bob.mint(&app, "prj_demo").await.status, StatusCode::OK);
    bob.status(&app, &state)
        .await
        .assert_error(404, "NOT_FOUND");

    // Bob's valid state cookie renamed to claim Alice's state: the signed
    // value names Bob's state, so it proves nothing about Alice's.
    let bob_state = bob.cookie.as_deref().unwrap().split("; ").find_map(|pair| {
        pair.strip_prefix(layers_proxy::STATE_COOKIE_PREFIX)
            .and_then(|rest| rest.split_once('='))
            .map(|(_, value)| value.to_owned())
    });
    let forged = format!(
        "{}{state}={}",
        layers_proxy::STATE_COOKIE_PREFIX,
        bob_state.expect("bob holds a state cookie")
    );
    let mut mallory = Browser {
        cookie: Some(forged),
        ..Browser::new()
    };
    mallory
        .status(&app, &state)
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(
        upstream_requests(&sandbox).await,
        before + 1,
        "only bob's mint went upstream"
    );

    assert_eq!(alice.status(&app, &state).await.status, StatusCode::OK);
}

/// Two attempts started at once from one browser (two widgets, a double
/// click): both requests carry the same cookies, both answers set theirs, and
/// the browser keeps both. Each state must still poll.
#[tokio::test]
async fn concurrent_mints_from_one_browser_keep_both_states() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();
    let first = browser.mint(&app, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();

    let (mut one, mut two) = (browser.clone(), browser.clone());
    let (a, b) = tokio::join!(
        call(
            &app,
            one.request(
                Method::POST,
                "/projects/prj_demo/social/oauth-url",
                Some(Body::from(
                    json!({ "platform": "tiktok", "returnUrl": RETURN_URL }).to_string()
                )),
            )
        ),
        call(
            &app,
            two.request(
                Method::POST,
                "/projects/prj_demo/social/oauth-url",
                Some(Body::from(
                    json!({ "platform": "instagram", "returnUrl": RETURN_URL }).to_string()
                )),
            )
        ),
    );
    one.keep_cookie(&a.headers);
    two.keep_cookie(&b.headers);
    // The browser applies both answers' Set-Cookie headers, in either order.
    browser.keep_cookie(&a.headers);
    browser.keep_cookie(&b.headers);
    let states = [
        a.json["state"].as_str().unwrap().to_owned(),
        b.json["state"].as_str().unwrap().to_owned(),
    ];
    assert_ne!(states[0], states[1]);
    for state in states.iter().chain([&first]) {
        let polled = browser.status(&app, state).await;
        assert_eq!(polled.status, StatusCode::OK, "{state}: {polled:?}");
        assert_eq!(polled.json["status"], "pending");
    }
}

#[tokio::test]
async fn instances_sharing_the_secret_share_sessions() {
    let sandbox = sandbox().await;
    let one = layers_proxy::router(config(sandbox.url()).cookie_secret(shared_secret(7)));
    let two = layers_proxy::router(config(sandbox.url()).cookie_secret(shared_secret(7)));
    let stranger = layers_proxy::router(config(sandbox.url()).cookie_secret(shared_secret(8)));

    let mut browser = Browser::new();
    let state = browser.mint(&one, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();
    let polled = browser.status(&two, &state).await;
    assert_eq!(polled.status, StatusCode::OK, "{polled:?}");
    assert_eq!(polled.json["status"], "pending");
    browser
        .status(&stranger, &state)
        .await
        .assert_error(404, "NOT_FOUND");

    // The session keeps growing across instances: a second state minted on `two`.
    let second = browser.mint(&two, "prj_demo").await.json["state"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(browser.status(&one, &state).await.status, StatusCode::OK);
    assert_eq!(browser.status(&one, &second).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unauthorized_projects_are_not_found_and_never_asked_upstream() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();
    browser
        .mint(&app, "prj_demo_2")
        .await
        .assert_error(404, "NOT_FOUND");
    browser
        .accounts(&app, "prj_demo_2")
        .await
        .assert_error(404, "NOT_FOUND");
    browser
        .accounts(&app, "..")
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(upstream_requests(&sandbox).await, 0);

    // The hook sees the partner's request (here: its own auth header).
    let per_user = layers_proxy::router(config(sandbox.url()).authorize_project(|cx, project| {
        cx.headers()
            .get("x-partner-user")
            .is_some_and(|u| u == "alice")
            && project == "prj_demo_2"
    }));
    let mut alice = Browser {
        extra: vec![("x-partner-user".into(), "alice".into())],
        ..Browser::new()
    };
    assert_eq!(
        alice.accounts(&per_user, "prj_demo_2").await.status,
        StatusCode::OK
    );
    alice
        .accounts(&per_user, "prj_demo")
        .await
        .assert_error(404, "NOT_FOUND");
    Browser::new()
        .accounts(&per_user, "prj_demo_2")
        .await
        .assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn bad_bodies_are_refused_locally() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();

    let huge = json!({ "platform": "tiktok", "returnUrl": RETURN_URL, "usageNote": "x".repeat(17 * 1024) });
    browser
        .mint_body(&app, "prj_demo", huge)
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");

    let request = browser.request(
        Method::POST,
        "/projects/prj_demo/social/oauth-url",
        Some(Body::from("{not json")),
    );
    browser
        .send(&app, request)
        .await
        .assert_error(400, "VALIDATION");

    let bad_platform = browser
        .mint_body(
            &app,
            "prj_demo",
            json!({ "platform": "myspace", "returnUrl": RETURN_URL }),
        )
        .await;
    bad_platform.assert_error(400, "VALIDATION");
    assert_eq!(bad_platform.json["error"]["details"]["field"], "platform");

    let elsewhere = json!({ "platform": "tiktok", "returnUrl": "https://evil.test/return.html" });
    browser
        .mint_body(&app, "prj_demo", elsewhere)
        .await
        .assert_error(403, "RETURN_URL_NOT_ALLOWED");
    assert_eq!(upstream_requests(&sandbox).await, 0);

    // Query and fragment are the partner's own.
    let with_query =
        json!({ "platform": "tiktok", "returnUrl": format!("{RETURN_URL}?tab=social#x") });
    assert_eq!(
        browser.mint_body(&app, "prj_demo", with_query).await.status,
        StatusCode::OK
    );
}

/// A client announcing a huge body is answered from its headers: 413 at once,
/// before a byte of body is read (hyper would otherwise wait for them).
#[tokio::test]
async fn declared_oversize_body_is_413_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));

    // In process: the declared length alone decides (the body is empty).
    let mut request =
        Browser::new().request(Method::POST, "/projects/prj_demo/social/oauth-url", None);
    request
        .headers_mut()
        .insert("content-length", "10000000000".parse().unwrap());
    call(&app, request)
        .await
        .assert_error(413, "PAYLOAD_TOO_LARGE");

    // Over a socket, with no body sent and the connection left open.
    let served = serve(app).await;
    let mut socket = tokio::net::TcpStream::connect(served.url.socket_addrs(|| None).unwrap()[0])
        .await
        .unwrap();
    socket
        .write_all(
            b"POST /projects/prj_demo/social/oauth-url HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n\
              Content-Length: 10000000000\r\n\r\n",
        )
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(3), async {
        let mut answer = Vec::new();
        let mut chunk = [0; 1024];
        // Until the envelope is complete (or the proxy closes the connection).
        while !String::from_utf8_lossy(&answer).contains("}}") {
            let read = socket.read(&mut chunk).await.unwrap();
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..read]);
        }
        answer
    })
    .await
    .expect("answered without waiting for the body");
    let head = String::from_utf8_lossy(&answer);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(head.contains("PAYLOAD_TOO_LARGE"), "{head}");
    assert_eq!(upstream_requests(&sandbox).await, 0);
}

#[tokio::test]
async fn per_session_mint_limit() {
    let sandbox = sandbox().await;
    let limit = MintLimit {
        max: 2,
        window: Duration::from_secs(600),
    };
    let app = layers_proxy::router(config(sandbox.url()).mint_limit(limit));
    let mut eager = Browser::new();
    assert_eq!(eager.mint(&app, "prj_demo").await.status, StatusCode::OK);
    assert_eq!(eager.mint(&app, "prj_demo").await.status, StatusCode::OK);
    let limited = eager.mint(&app, "prj_demo").await;
    limited.assert_error(429, "RATE_LIMITED");
    assert_eq!(limited.json["error"]["details"]["scope"], "session");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((590..=600).contains(&wait), "{wait}");
    assert!(limited.json["error"]["requestId"]
        .as_str()
        .unwrap()
        .starts_with("prx_"));

    assert_eq!(
        Browser::new().mint(&app, "prj_demo").await.status,
        StatusCode::OK,
        "other sessions unaffected"
    );
    assert_eq!(upstream_requests(&sandbox).await, 3);
}

#[tokio::test]
async fn upstream_down_is_502() {
    let dead = Url::parse(&format!("http://{}/", dead_address().await)).unwrap();
    let app = layers_proxy::router(config(&dead));
    let mut browser = Browser::new();
    browser
        .mint(&app, "prj_demo")
        .await
        .assert_error(502, "UPSTREAM_UNAVAILABLE");
    let reply = browser.accounts(&app, "prj_demo").await;
    reply.assert_error(502, "UPSTREAM_UNAVAILABLE");
    let id = reply.json["error"]["requestId"].as_str().unwrap();
    assert!(id.starts_with("prx_"));
    assert!(
        !reply.text.contains("127.0.0.1"),
        "no internals in the answer: {}",
        reply.text
    );
    assert!(
        logs().contains(id),
        "the proxy's requestId is in the logs for correlation"
    );
}

#[tokio::test]
async fn slow_upstream_is_504() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(
        config(sandbox.url()).timeouts(Duration::from_secs(1), Duration::from_millis(300)),
    );
    control(
        &sandbox,
        "_sandbox/faults",
        json!({ "route": "social-accounts", "count": 1, "delayMs": 1500 }),
    )
    .await;
    let started = std::time::Instant::now();
    Browser::new()
        .accounts(&app, "prj_demo")
        .await
        .assert_error(504, "UPSTREAM_TIMEOUT");
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "gave up at the proxy's timeout"
    );
}

#[tokio::test]
async fn non_json_upstream_is_502_invalid_and_keeps_retry_after() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    control(
        &sandbox,
        "_sandbox/faults",
        json!({ "route": "social-accounts", "count": 1, "status": 503, "malformed": true, "retryAfter": 3 }),
    )
    .await;
    let reply = Browser::new().accounts(&app, "prj_demo").await;
    reply.assert_error(502, "UPSTREAM_INVALID");
    assert_eq!(reply.json["error"]["details"]["upstreamStatus"], 503);
    assert_eq!(reply.header("retry-after"), Some("3"));
}

#[tokio::test]
async fn only_the_three_routes_exist() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(config(sandbox.url()));
    let mut browser = Browser::new();
    for path in [
        "/",
        "/v1/social/oauth-status/st_x",
        "/_sandbox/requests",
        "/projects/prj_demo",
        "/social/oauth-status",
    ] {
        let reply = browser
            .send(&app, browser.request(Method::GET, path, None))
            .await;
        reply.assert_error(404, "NOT_FOUND");
    }
    let wrong_method = browser.request(Method::GET, "/projects/prj_demo/social/oauth-url", None);
    browser
        .send(&app, wrong_method)
        .await
        .assert_error(405, "METHOD_NOT_ALLOWED");
    let delete = browser.request(Method::DELETE, "/projects/prj_demo/social-accounts", None);
    browser
        .send(&app, delete)
        .await
        .assert_error(405, "METHOD_NOT_ALLOWED");
    assert_eq!(upstream_requests(&sandbox).await, 0);
}

#[tokio::test]
async fn mounts_in_a_partner_app_under_any_prefix() {
    let sandbox = sandbox().await;
    let partner = Router::new()
        .route("/dashboard", get(|| async { "partner page" }))
        .nest(
            "/internal/connect",
            layers_proxy::router(config(sandbox.url())),
        );
    let mut browser = Browser::under("/internal/connect");
    let minted = browser.mint(&partner, "prj_demo").await;
    assert_eq!(minted.status, StatusCode::OK);
    assert!(minted
        .header("set-cookie")
        .unwrap()
        .contains("Path=/internal/connect"));
    let state = minted.json["state"].as_str().unwrap().to_owned();
    assert_eq!(
        browser.status(&partner, &state).await.status,
        StatusCode::OK
    );
    browser
        .send(&partner, browser.request(Method::GET, "/nope", None))
        .await
        .assert_error(404, "NOT_FOUND");
    let page = call(
        &partner,
        Browser::new().request(Method::GET, "/dashboard", None),
    )
    .await;
    assert_eq!(page.text, "partner page");

    let logs = logs();
    assert!(
        logs.lines().any(|l| l.contains("layers_proxy::access")
            && l.contains("/social/oauth-status/{state}")
            && l.contains("status=200")
            && l.contains("request_id=")),
        "access log names the route template"
    );
}

/// The suite's last word on the key: run the scenarios that touch every
/// answer kind, then scan everything the suite has logged so far.
#[tokio::test]
async fn key_never_leaks_into_responses_or_logs() {
    let sandbox = sandbox().await;
    let app = layers_proxy::router(
        config(sandbox.url()).timeouts(Duration::from_secs(1), Duration::from_millis(300)),
    );
    let mut browser = Browser::new();
    let minted = browser.mint(&app, "prj_demo").await;
    consent(
        minted.json["authorizeUrl"].as_str().unwrap(),
        "allow",
        "leakcheck",
    )
    .await;
    browser
        .status(&app, minted.json["state"].as_str().unwrap())
        .await;
    control(
        &sandbox,
        "_sandbox/faults",
        json!({ "route": "social-accounts", "count": 1, "status": 401 }),
    )
    .await;
    browser.accounts(&app, "prj_demo").await;
    control(
        &sandbox,
        "_sandbox/faults",
        json!({ "route": "social-accounts", "count": 1, "delayMs": 800 }),
    )
    .await;
    browser.accounts(&app, "prj_demo").await;
    let dead = Url::parse(&format!("http://{}/", dead_address().await)).unwrap();
    Browser::new()
        .mint(&layers_proxy::router(config(&dead)), "prj_demo")
        .await;

    let logs = logs();
    assert!(logs.lines().count() > 20, "the capture works");
    assert!(logs.contains("UPSTREAM_TIMEOUT") && logs.contains("UPSTREAM_UNAVAILABLE"));
    assert_logs_clean();
    let shown = format!("{:?}", config(sandbox.url()));
    assert!(!shown.contains(KEY_PREFIX), "{shown}");
}
