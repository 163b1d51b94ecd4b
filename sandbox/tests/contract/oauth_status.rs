//! GET /v1/social/oauth-status/{state}: the three 200 shapes and every error row.

use layers_sandbox::{Config, Fixtures, SCOPE_WRITE};
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn pending_has_exactly_state_status_expires_at() {
    let h = Harness::new();
    let state = h.mint().await;
    let reply = h.status(Some(DEMO), &state).await;
    assert_eq!(reply.status, 200);
    assert!(reply.header("x-request-id").is_some());
    assert_eq!(
        reply.json(),
        json!({"state": state, "status": "pending", "expiresAt": "2026-04-18T19:12:11Z"})
    );
    // Field order as in the spec's example.
    assert!(reply.text().starts_with("{\"state\":"), "{}", reply.text());
}

#[tokio::test]
async fn completed_has_exactly_the_spec_fields() {
    let h = Harness::new();
    let state = h.mint().await;
    h.advance(271);
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    let body = h.status(Some(DEMO), &state).await.json();
    assert_eq!(
        keys_of(&body),
        [
            "connectedAt",
            "handle",
            "platform",
            "socialAccountId",
            "state",
            "status"
        ]
    );
    assert_eq!(body["state"], state.as_str());
    assert_eq!(body["status"], "completed");
    assert_eq!(body["platform"], "tiktok");
    assert_eq!(body["handle"], "acmecoffee");
    assert_eq!(body["connectedAt"], "2026-04-18T19:06:42Z");
    let id = body["socialAccountId"].as_str().unwrap();
    let uuid = uuid::Uuid::parse_str(id.strip_prefix("sa_").expect("sa_ prefix")).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    assert_eq!(id, format!("sa_{}", uuid.hyphenated()));
}

#[tokio::test]
async fn failed_has_exactly_state_status_and_error_code_message() {
    let h = Harness::new();
    let state = h.mint().await;
    h.complete("tiktok", &state, "deny", "acmecoffee").await;
    let body = h.status(Some(DEMO), &state).await.json();
    assert_eq!(keys_of(&body), ["error", "state", "status"]);
    assert_eq!(body["status"], "failed");
    assert_eq!(keys_of(&body["error"]), ["code", "message"]);
    assert_eq!(body["error"]["code"], "platform_denied");
    assert_eq!(
        body["error"]["message"],
        "The user did not grant consent on the platform."
    );
}

#[tokio::test]
async fn pending_state_reads_failed_state_expired_from_its_expiry_on() {
    let h = Harness::new();
    let state = h.mint().await;
    h.advance(599);
    assert_eq!(
        h.status(Some(DEMO), &state).await.json()["status"],
        "pending"
    );
    h.advance(1);
    let body = h.status(Some(DEMO), &state).await.json();
    assert_eq!(body["status"], "failed");
    assert_eq!(body["error"]["code"], "state_expired");
}

#[tokio::test]
async fn validation_400_when_state_is_missing_or_empty() {
    let h = Harness::new();
    for path in [
        "/v1/social/oauth-status/",
        "/v1/social/oauth-status",
        "/v1/social/oauth-status/%20",
        "/v1/social/oauth-status/%20%09%20",
    ] {
        let error = h
            .call(axum::http::Method::GET, path, Some(DEMO), None)
            .await
            .expect_error(400, "VALIDATION");
        assert_eq!(error["details"]["field"], "state", "{path}");
    }
}

#[tokio::test]
async fn unauthenticated_401_for_missing_or_invalid_authorization() {
    let h = Harness::new();
    let state = h.mint().await;
    h.status(None, &state)
        .await
        .expect_error(401, "UNAUTHENTICATED");
    h.status(Some("lp_test_wrong"), &state)
        .await
        .expect_error(401, "UNAUTHENTICATED");
}

#[tokio::test]
async fn forbidden_scope_403_for_a_key_without_social_read() {
    let mut fixtures = Fixtures::demo();
    let mut writer = fixtures.keys[0].clone();
    writer.id = "key_writer".into();
    writer.secret = "lp_test_writer".into();
    writer.scopes = vec![SCOPE_WRITE.into()];
    fixtures.keys.push(writer);
    let h = Harness::with_config(Config {
        fixtures,
        ..Config::default()
    });
    let state = h.mint().await;
    let error = h
        .status(Some("lp_test_writer"), &state)
        .await
        .expect_error(403, "FORBIDDEN_SCOPE");
    assert!(error["message"].as_str().unwrap().contains("social:read"));
}

#[tokio::test]
async fn not_found_404_for_unknown_or_other_keys_states_even_in_the_same_organization() {
    let h = Harness::new();
    let state = h.mint().await;
    h.status(Some(DEMO), "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A")
        .await
        .expect_error(404, "NOT_FOUND");
    // Case-sensitive.
    h.status(Some(DEMO), &state.to_lowercase())
        .await
        .expect_error(404, "NOT_FOUND");
    h.status(Some(ALT), &state)
        .await
        .expect_error(404, "NOT_FOUND");
    h.status(Some(READONLY), &state)
        .await
        .expect_error(404, "NOT_FOUND");
    h.status(Some(OTHER), &state)
        .await
        .expect_error(404, "NOT_FOUND");
    // Same answer as for a state that never existed: nothing tells them apart.
    let unknown = h
        .status(Some(ALT), "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A")
        .await
        .json();
    let foreign = h.status(Some(ALT), &state).await.json();
    assert_eq!(unknown["error"]["message"], foreign["error"]["message"]);
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn rate_limited_429_when_the_polling_budget_is_spent() {
    let h = Harness::with_config(Config {
        read_budget: 3,
        ..Config::default()
    });
    let state = h.mint().await;
    for _ in 0..3 {
        assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
    }
    let reply = h.status(Some(DEMO), &state).await;
    let error = reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("49"));
    assert_eq!(error["details"]["retryAfter"], 49);
    // The list endpoint shares the read budget; minting does not.
    h.accounts(Some(DEMO), "prj_demo")
        .await
        .expect_error(429, "RATE_LIMITED");
    h.mint().await;
    h.advance(48);
    assert_eq!(
        h.status(Some(DEMO), &state)
            .await
            .header("retry-after")
            .as_deref(),
        Some("1")
    );
    h.advance(1);
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn internal_500_through_fault_injection_carries_a_request_id() {
    let h = Harness::new();
    let state = h.mint().await;
    let queued = h
        .control(
            "/_sandbox/faults",
            json!({"route":"oauth-status","status":500}),
        )
        .await;
    assert_eq!(queued.status, 200, "{}", queued.text());
    let reply = h.status(Some(DEMO), &state).await;
    reply.expect_error(500, "INTERNAL");
    // Once only: the next poll is normal again.
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn kill_switch_503_names_the_scope_key_organization_or_global() {
    let h = Harness::new();
    let state = h.mint().await;
    let alt_state = {
        let r = h
            .mint_with(
                Some(ALT),
                "prj_demo",
                json!({"platform":"tiktok","returnUrl":RETURN_URL}),
            )
            .await;
        r.json()["state"].as_str().unwrap().to_owned()
    };
    let switch = |scope: &str, enabled: bool| json!({"scope": scope, "enabled": enabled});

    // Key scope (default target: the demo key): only that key.
    assert_eq!(
        h.control("/_sandbox/kill-switch", switch("key", true))
            .await
            .status,
        200
    );
    let e = h
        .status(Some(DEMO), &state)
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(e["details"]["scope"], "key");
    assert_eq!(h.status(Some(ALT), &alt_state).await.status, 200);
    h.control("/_sandbox/kill-switch", switch("key", false))
        .await;
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);

    // Organization scope (default org_demo): every key of it, not other orgs.
    h.control("/_sandbox/kill-switch", switch("organization", true))
        .await;
    let e = h
        .status(Some(ALT), &alt_state)
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(e["details"]["scope"], "organization");
    h.accounts(Some(DEMO), "prj_demo")
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(h.accounts(Some(OTHER), "prj_other").await.status, 200);
    h.control("/_sandbox/kill-switch", switch("organization", false))
        .await;

    // Global scope: everyone, on every route.
    h.control("/_sandbox/kill-switch", switch("global", true))
        .await;
    let e = h
        .accounts(Some(OTHER), "prj_other")
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(e["details"]["scope"], "global");
    h.status(Some(DEMO), &state)
        .await
        .expect_error(503, "KILL_SWITCH");
    h.mint_with(
        Some(DEMO),
        "prj_demo",
        json!({"platform":"tiktok","returnUrl":RETURN_URL}),
    )
    .await
    .expect_error(503, "KILL_SWITCH");
    h.control("/_sandbox/kill-switch", switch("global", false))
        .await;
    assert_eq!(h.status(Some(DEMO), &state).await.status, 200);
}

#[tokio::test]
async fn kill_switch_targets_a_named_key_or_organization() {
    let h = Harness::new();
    let r = h
        .control(
            "/_sandbox/kill-switch",
            json!({"scope":"organization","enabled":true,"target":"org_other"}),
        )
        .await;
    assert_eq!(r.json()["organizations"], json!(["org_other"]));
    h.accounts(Some(OTHER), "prj_other")
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(h.accounts(Some(DEMO), "prj_demo").await.status, 200);
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"key","enabled":true,"target":"key_demo_alt"}),
    )
    .await;
    h.accounts(Some(ALT), "prj_demo")
        .await
        .expect_error(503, "KILL_SWITCH");
    assert_eq!(h.accounts(Some(DEMO), "prj_demo").await.status, 200);
    // Targets are ids; anything else (including a secret) is refused.
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"key","enabled":true,"target":DEMO}),
    )
    .await
    .expect_error(400, "VALIDATION");
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"planet","enabled":true}),
    )
    .await
    .expect_error(400, "VALIDATION");
}
