//! POST /v1/projects/{projectId}/social/oauth-url: the 200 shape and every error row.

use layers_sandbox::Config;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn mint_returns_exactly_authorize_url_state_and_expiry_ten_minutes_out() {
    let h = Harness::new();
    let reply = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL,"usageNote":"Connecting Acme Coffee"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply
        .header("x-request-id")
        .is_some_and(|id| is_ulid_token(&id, "req_")));
    let body = reply.json();
    assert_eq!(keys_of(&body), ["authorizeUrl", "expiresAt", "state"]);
    assert!(
        is_ulid_token(body["state"].as_str().unwrap(), "st_"),
        "{body}"
    );
    // ManualClock::default() is 2026-04-18T19:02:11Z.
    assert_eq!(body["expiresAt"], "2026-04-18T19:12:11Z");
}

#[tokio::test]
async fn states_are_unique_per_mint() {
    let h = Harness::new();
    let a = h.mint().await;
    let b = h.mint().await;
    assert_ne!(a, b);
}

#[tokio::test]
async fn tiktok_authorize_url_is_shaped_like_tiktoks() {
    let h = Harness::new();
    let (state, url) = h.mint_for("tiktok", RETURN_URL).await;
    assert_eq!(url.origin().ascii_serialization(), "http://127.0.0.1:8081");
    assert_eq!(url.path(), "/oauth/tiktok/authorize");
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(
        names,
        [
            "client_key",
            "response_type",
            "scope",
            "redirect_uri",
            "state"
        ]
    );
    assert_eq!(query_param(&url, "response_type").unwrap(), "code");
    assert_eq!(query_param(&url, "state").unwrap(), state);
    assert_eq!(
        query_param(&url, "redirect_uri").unwrap(),
        "http://127.0.0.1:8081/oauth/callback/tiktok"
    );
    let scope = query_param(&url, "scope").unwrap();
    assert!(scope.split(',').any(|s| s == "video.publish"), "{scope}");
}

#[tokio::test]
async fn instagram_authorize_url_is_shaped_like_instagrams_and_carries_requested_scopes() {
    let h = Harness::new();
    let reply = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"instagram","returnUrl":RETURN_URL,"scopes":["instagram_business_basic","x.y"]}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let url = url::Url::parse(reply.json()["authorizeUrl"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), "/oauth/instagram/authorize");
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "redirect_uri",
            "scope",
            "response_type",
            "state"
        ]
    );
    assert_eq!(
        query_param(&url, "scope").unwrap(),
        "instagram_business_basic,x.y"
    );
    assert_eq!(
        query_param(&url, "redirect_uri").unwrap(),
        "http://127.0.0.1:8081/oauth/callback/instagram"
    );
}

#[tokio::test]
async fn public_base_from_config_is_used_for_authorize_url() {
    let config = Config {
        public_base: Some(url::Url::parse("https://sandbox.example.test/layers").unwrap()),
        ..Config::default()
    };
    let h = Harness::with_config(config);
    let (_, url) = h.mint_for("tiktok", RETURN_URL).await;
    assert!(
        url.as_str()
            .starts_with("https://sandbox.example.test/layers/oauth/tiktok/authorize?"),
        "{url}"
    );
}

#[tokio::test]
async fn validation_400_for_every_bad_body() {
    let h = Harness::new();
    let cases: Vec<(&str, String)> = vec![
        ("platform", json!({"returnUrl":RETURN_URL}).to_string()),
        (
            "platform",
            json!({"platform":"youtube","returnUrl":RETURN_URL}).to_string(),
        ),
        (
            "platform",
            json!({"platform":"TikTok","returnUrl":RETURN_URL}).to_string(),
        ),
        (
            "platform",
            json!({"platform":7,"returnUrl":RETURN_URL}).to_string(),
        ),
        ("returnUrl", json!({"platform":"tiktok"}).to_string()),
        (
            "returnUrl",
            json!({"platform":"tiktok","returnUrl":"/return.html"}).to_string(),
        ),
        (
            "returnUrl",
            json!({"platform":"tiktok","returnUrl":"127.0.0.1:8080/return.html"}).to_string(),
        ),
        (
            "returnUrl",
            json!({"platform":"tiktok","returnUrl":"ftp://127.0.0.1:8080/return.html"}).to_string(),
        ),
        (
            "returnUrl",
            json!({"platform":"tiktok","returnUrl":"javascript:alert(1)"}).to_string(),
        ),
        (
            "returnUrl",
            json!({"platform":"tiktok","returnUrl":42}).to_string(),
        ),
        (
            "scopes",
            json!({"platform":"tiktok","returnUrl":RETURN_URL,"scopes":"video.list"}).to_string(),
        ),
        (
            "scopes",
            json!({"platform":"tiktok","returnUrl":RETURN_URL,"scopes":[1,2]}).to_string(),
        ),
        (
            "usageNote",
            json!({"platform":"tiktok","returnUrl":RETURN_URL,"usageNote":5}).to_string(),
        ),
        ("body", "{\"platform\": \"tiktok\",".to_owned()),
        ("body", "".to_owned()),
        ("body", "[\"tiktok\"]".to_owned()),
    ];
    for (field, body) in cases {
        let error = h
            .mint_raw(Some(DEMO), "prj_demo", &body)
            .await
            .expect_error(400, "VALIDATION");
        assert_eq!(error["details"]["field"], field, "body {body}");
    }
}

#[tokio::test]
async fn unauthenticated_401_for_missing_or_invalid_authorization_and_never_echoes_it() {
    let h = Harness::new();
    let body = json!({"platform":"tiktok","returnUrl":RETURN_URL}).to_string();
    h.mint_raw(None, "prj_demo", &body)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    h.mint_raw(Some("lp_test_nope"), "prj_demo", &body)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    h.mint_raw(Some(""), "prj_demo", &body)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    // Right secret, wrong scheme.
    let request = axum::http::Request::post("/v1/projects/prj_demo/social/oauth-url")
        .header("authorization", format!("Basic {DEMO}"))
        .body(axum::body::Body::from(body.clone()))
        .unwrap();
    let reply = h.send(request).await;
    reply.expect_error(401, "UNAUTHENTICATED");
    assert!(!reply.text().contains(DEMO));
    let reply = h.mint_raw(Some("lp_test_nope"), "prj_demo", &body).await;
    assert!(!reply.text().contains("lp_test_nope"));
}

#[tokio::test]
async fn forbidden_scope_403_for_a_key_without_social_write() {
    let h = Harness::new();
    let error = h
        .mint_with(
            Some(READONLY),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await
        .expect_error(403, "FORBIDDEN_SCOPE");
    assert!(error["message"].as_str().unwrap().contains("social:write"));
}

#[tokio::test]
async fn return_url_not_allowed_403_unless_scheme_host_port_and_path_match_exactly() {
    let h = Harness::new();
    for refused in [
        "https://evil.example/return.html",
        "https://127.0.0.1:8080/return.html",
        "http://127.0.0.1:8081/return.html",
        "http://127.0.0.1:8080/return",
        "http://127.0.0.1:8080/return.html/",
        "http://127.0.0.1:8080/other.html",
        "http://127.0.0.2:8080/return.html",
    ] {
        h.mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":refused}),
        )
        .await
        .expect_error(403, "RETURN_URL_NOT_ALLOWED");
    }
    for allowed in [
        "http://127.0.0.1:8080/return.html",
        "http://localhost:8080/return.html",
        "http://LOCALHOST:8080/return.html",
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080",
        "http://localhost:8080/?tab=social",
        "http://127.0.0.1:8080/return.html?tab=social&x=1#section",
    ] {
        let reply = h
            .mint_with(
                Some(DEMO),
                "prj_demo",
                json!({"platform":"tiktok","returnUrl":allowed}),
            )
            .await;
        assert_eq!(reply.status, 200, "{allowed}: {}", reply.text());
    }
}

#[tokio::test]
async fn not_found_404_for_unknown_project_or_one_outside_the_keys_organization() {
    let h = Harness::new();
    let body = json!({"platform":"tiktok","returnUrl":RETURN_URL});
    h.mint_with(Some(DEMO), "prj_nope", body.clone())
        .await
        .expect_error(404, "NOT_FOUND");
    h.mint_with(Some(DEMO), "prj_other", body.clone())
        .await
        .expect_error(404, "NOT_FOUND");
    h.mint_with(Some(OTHER), "prj_demo", body.clone())
        .await
        .expect_error(404, "NOT_FOUND");
    assert_eq!(
        h.mint_with(Some(DEMO), "prj_demo_2", body.clone())
            .await
            .status,
        200
    );
    assert_eq!(
        h.mint_with(Some(OTHER), "prj_other", body).await.status,
        200
    );
}

#[tokio::test]
async fn rate_limited_429_when_the_write_budget_is_spent_with_retry_after_to_window_end() {
    let h = Harness::with_config(Config {
        write_budget: 2,
        ..Config::default()
    });
    // 19:02:11 → the 60 s window ends at 19:03:00.
    h.mint().await;
    h.mint().await;
    let reply = h
        .mint_with(
            Some(DEMO),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await;
    reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("49"));
    // Another key has its own budget; polling has its own too.
    let alt = h
        .mint_with(
            Some(ALT),
            "prj_demo",
            json!({"platform":"tiktok","returnUrl":RETURN_URL}),
        )
        .await;
    assert_eq!(alt.status, 200);
    h.advance(49);
    h.mint().await;
}

#[tokio::test]
async fn checks_run_in_the_documented_order() {
    let h = Harness::new();
    let bad_body = "{oops";
    // 401 before everything.
    h.mint_raw(None, "prj_nope", bad_body)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    // 403 scope before 400 and 404.
    h.mint_raw(Some(READONLY), "prj_nope", bad_body)
        .await
        .expect_error(403, "FORBIDDEN_SCOPE");
    // 400 before 404.
    h.mint_raw(Some(DEMO), "prj_nope", bad_body)
        .await
        .expect_error(400, "VALIDATION");
    // 404 before the allowlist.
    h.mint_with(
        Some(DEMO),
        "prj_nope",
        json!({"platform":"tiktok","returnUrl":"https://evil.example/"}),
    )
    .await
    .expect_error(404, "NOT_FOUND");
    // 503 before 403 scope.
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"global","enabled":true}),
    )
    .await;
    h.mint_raw(Some(READONLY), "prj_demo", bad_body)
        .await
        .expect_error(503, "KILL_SWITCH");
    h.mint_raw(None, "prj_demo", bad_body)
        .await
        .expect_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn rate_limit_is_checked_before_validation() {
    let h = Harness::with_config(Config {
        write_budget: 1,
        ..Config::default()
    });
    h.mint_raw(Some(DEMO), "prj_demo", "{oops")
        .await
        .expect_error(400, "VALIDATION");
    h.mint_raw(Some(DEMO), "prj_demo", "{oops")
        .await
        .expect_error(429, "RATE_LIMITED");
    // A key without the scope spends nothing.
    h.mint_raw(Some(READONLY), "prj_demo", "{}")
        .await
        .expect_error(403, "FORBIDDEN_SCOPE");
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_the_envelope() {
    let h = Harness::new();
    let reply = h
        .call(axum::http::Method::GET, "/v1/nope", Some(DEMO), None)
        .await;
    reply.expect_error(404, "NOT_FOUND");
    let reply = h
        .call(
            axum::http::Method::GET,
            "/v1/projects/prj_demo/social/oauth-url",
            Some(DEMO),
            None,
        )
        .await;
    reply.expect_error(405, "METHOD_NOT_ALLOWED");
}
