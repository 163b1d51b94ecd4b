//! Every row of the failure-code table, reached the way a person would: the
//! consent page, then the Layers callback, then the partner's returnUrl.

use crate::common::*;

/// Runs a consent `decision`, and checks the redirect and the polled outcome agree on `code`.
async fn reaches(h: &Harness, state: &str, decision: &str, code: &str) {
    let back = h.complete("tiktok", state, decision, "acmecoffee").await;
    assert_eq!(back.path(), "/return.html");
    assert_eq!(
        query_param(&back, "layers_oauth_error").as_deref(),
        Some(code),
        "{back}"
    );
    let body = h.status(Some(DEMO), state).await.json();
    assert_eq!(body["status"], "failed");
    assert_eq!(body["error"]["code"], code);
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    // A failed attempt persists no account.
    let accounts = h.accounts(Some(DEMO), "prj_demo").await.json();
    assert_eq!(accounts["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn state_expired_when_the_callback_comes_after_expiry() {
    let h = Harness::new();
    let state = h.mint().await;
    // The user opened the page in time, then waited too long before clicking Allow.
    h.advance(600);
    reaches(&h, &state, "allow", "state_expired").await;
}

#[tokio::test]
async fn platform_denied_when_the_user_clicks_deny() {
    let h = Harness::new();
    let state = h.mint().await;
    let callback = h.consent("tiktok", &state, "deny", "acmecoffee").await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&callback, "code"), None);
    reaches(&h, &state, "deny", "platform_denied").await;
}

#[tokio::test]
async fn platform_mismatch_when_the_platform_returns_to_the_other_callback() {
    let h = Harness::new();
    let state = h.mint().await;
    let callback = h
        .consent("tiktok", &state, "platform_mismatch", "acmecoffee")
        .await;
    assert_eq!(callback.path(), "/oauth/callback/instagram");
    reaches(&h, &state, "platform_mismatch", "platform_mismatch").await;
}

#[tokio::test]
async fn missing_code_when_the_platform_returns_without_a_code() {
    let h = Harness::new();
    let state = h.mint().await;
    let callback = h
        .consent("tiktok", &state, "missing_code", "acmecoffee")
        .await;
    assert_eq!(callback.path(), "/oauth/callback/tiktok");
    assert_eq!(query_param(&callback, "code"), None);
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(state.as_str())
    );
    reaches(&h, &state, "missing_code", "missing_code").await;
}

#[tokio::test]
async fn exchange_failed_when_the_token_exchange_rejects_the_code() {
    let h = Harness::new();
    let state = h.mint().await;
    let callback = h
        .consent("tiktok", &state, "exchange_failed", "acmecoffee")
        .await;
    assert!(query_param(&callback, "code").is_some());
    reaches(&h, &state, "exchange_failed", "exchange_failed").await;
}

#[tokio::test]
async fn exchange_failed_for_a_forged_code() {
    let h = Harness::new();
    let state = h.mint().await;
    let forged = url::Url::parse(&format!(
        "http://127.0.0.1:8081/oauth/callback/tiktok?code=code_forged&state={state}"
    ))
    .unwrap();
    let back = h.follow(&forged).await.location();
    assert_eq!(
        query_param(&back, "layers_oauth_error").as_deref(),
        Some("exchange_failed")
    );
}

#[tokio::test]
async fn persistence_error_when_saving_the_account_fails() {
    let h = Harness::new();
    let state = h.mint().await;
    reaches(&h, &state, "persistence_error", "persistence_error").await;
}
