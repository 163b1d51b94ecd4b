//! The per-state poll budget: our reading of "oauth-status is rate-limited and
//! poll-budget-tight … do not poll faster than ~once every 5s". A token bucket
//! per state (default 3, one back per 5 s), separate from the per-key window.

use std::time::Duration;

use layers_sandbox::Config;
use serde_json::json;

use crate::common::*;

/// Polls `state` with the demo key and returns the status code.
async fn poll(h: &Harness, state: &str) -> u16 {
    h.status(Some(DEMO), state).await.status.as_u16()
}

#[tokio::test]
async fn a_burst_of_three_then_429_with_whole_seconds_to_the_next_poll() {
    let h = Harness::new();
    let state = h.mint().await;
    for _ in 0..3 {
        assert_eq!(poll(&h, &state).await, 200);
    }
    let reply = h.status(Some(DEMO), &state).await;
    let error = reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("5"));
    assert_eq!(error["details"]["retryAfter"], 5);
    assert!(
        error["message"].as_str().unwrap().contains("polled faster"),
        "{error}"
    );
    // 1.2 s later: 3.8 s to go, rounded up.
    h.clock.advance(Duration::from_millis(1_200));
    let reply = h.status(Some(DEMO), &state).await;
    reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("4"));
    // Never 0, even a hair before the token.
    h.clock.advance(Duration::from_millis(3_799));
    let reply = h.status(Some(DEMO), &state).await;
    assert_eq!(reply.header("retry-after").as_deref(), Some("1"));
}

#[tokio::test]
async fn tokens_come_back_one_per_five_seconds_up_to_the_burst() {
    let h = Harness::new();
    let state = h.mint().await;
    for _ in 0..3 {
        poll(&h, &state).await;
    }
    assert_eq!(poll(&h, &state).await, 429);
    h.advance(5);
    assert_eq!(poll(&h, &state).await, 200);
    assert_eq!(poll(&h, &state).await, 429);
    // A long pause refills the burst, not more.
    h.advance(60);
    for _ in 0..3 {
        assert_eq!(poll(&h, &state).await, 200);
    }
    assert_eq!(poll(&h, &state).await, 429);
}

#[tokio::test]
async fn the_widgets_cadence_never_trips_it() {
    // src/flow/policy.rs at its busiest: a poll, a reload that polls at once,
    // the one early confirmation 250 ms later, then the 5 s floor until expiry.
    let h = Harness::new();
    let state = h.mint().await;
    h.advance(5);
    assert_eq!(poll(&h, &state).await, 200);
    h.clock.advance(Duration::from_millis(400));
    assert_eq!(poll(&h, &state).await, 200, "resumed after a reload");
    h.clock.advance(Duration::from_millis(250));
    assert_eq!(poll(&h, &state).await, 200, "early confirmation");
    for i in 0..118 {
        h.advance(5);
        assert_eq!(poll(&h, &state).await, 200, "floor poll {i}");
    }
    // One more poll off the floor is one too many.
    h.clock.advance(Duration::from_millis(250));
    assert_eq!(poll(&h, &state).await, 429);
}

#[tokio::test]
async fn each_state_has_its_own_budget() {
    let h = Harness::new();
    let first = h.mint().await;
    let second = h.mint().await;
    for _ in 0..3 {
        poll(&h, &first).await;
    }
    assert_eq!(poll(&h, &first).await, 429);
    for _ in 0..3 {
        assert_eq!(poll(&h, &second).await, 200);
    }
    // Other routes do not spend it.
    assert_eq!(h.accounts(Some(DEMO), "prj_demo").await.status, 200);
}

#[tokio::test]
async fn unknown_and_foreign_states_answer_404_however_fast_they_are_polled() {
    let h = Harness::new();
    let state = h.mint().await;
    for _ in 0..10 {
        h.status(Some(DEMO), "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A")
            .await
            .expect_error(404, "NOT_FOUND");
        // Another key's polls of our state neither see it nor spend its budget.
        h.status(Some(ALT), &state)
            .await
            .expect_error(404, "NOT_FOUND");
    }
    for _ in 0..3 {
        assert_eq!(poll(&h, &state).await, 200);
    }
}

#[tokio::test]
async fn a_settled_state_is_budgeted_too() {
    let h = Harness::new();
    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    for _ in 0..3 {
        assert_eq!(
            h.status(Some(DEMO), &state).await.json()["status"],
            "completed"
        );
    }
    assert_eq!(poll(&h, &state).await, 429);
}

#[tokio::test]
async fn the_key_budget_answers_first_when_both_are_spent() {
    let h = Harness::with_config(Config {
        read_budget: 3,
        ..Config::default()
    });
    let state = h.mint().await;
    for _ in 0..3 {
        poll(&h, &state).await;
    }
    // Both spent: the key window's Retry-After (49 s to 19:03:00), not the state's 5 s.
    let reply = h.status(Some(DEMO), &state).await;
    reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("49"));
}

#[tokio::test]
async fn settings_change_the_budget_at_runtime_and_refill_it() {
    let h = Harness::new();
    let state = h.mint().await;
    for _ in 0..3 {
        poll(&h, &state).await;
    }
    assert_eq!(poll(&h, &state).await, 429);
    let reply = h
        .control(
            "/_sandbox/settings",
            json!({"statePollBurst": 1, "statePollRefillSeconds": 2}),
        )
        .await;
    assert_eq!(reply.json()["statePollBurst"], 1);
    assert_eq!(reply.json()["statePollRefillSeconds"], 2);
    // A changed rule starts from a full bucket of the new size.
    assert_eq!(poll(&h, &state).await, 200);
    let reply = h.status(Some(DEMO), &state).await;
    reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("2"));
    h.advance(2);
    assert_eq!(poll(&h, &state).await, 200);

    h.control("/_sandbox/settings", json!({"statePollRefillSeconds": 0}))
        .await
        .expect_error(400, "VALIDATION");
    h.control("/_sandbox/settings", json!({"statePollBurst": -1}))
        .await
        .expect_error(400, "VALIDATION");
    let shown = h
        .call(axum::http::Method::GET, "/_sandbox/settings", None, None)
        .await
        .json();
    assert_eq!(
        (&shown["statePollBurst"], &shown["statePollRefillSeconds"]),
        (&json!(1), &json!(2))
    );
}

#[tokio::test]
async fn burst_zero_switches_it_off() {
    let h = Harness::new();
    let state = h.mint().await;
    h.control("/_sandbox/settings", json!({"statePollBurst": 0}))
        .await;
    for _ in 0..50 {
        assert_eq!(poll(&h, &state).await, 200);
    }
    // And from the config.
    let h = Harness::with_config(Config::default().state_poll_budget(0, Duration::from_secs(5)));
    let state = h.mint().await;
    for _ in 0..50 {
        assert_eq!(poll(&h, &state).await, 200);
    }
}

#[tokio::test]
async fn the_config_sets_burst_and_refill() {
    let h = Harness::with_config(Config::default().state_poll_budget(5, Duration::from_secs(10)));
    let state = h.mint().await;
    for _ in 0..5 {
        assert_eq!(poll(&h, &state).await, 200);
    }
    let reply = h.status(Some(DEMO), &state).await;
    reply.expect_error(429, "RATE_LIMITED");
    assert_eq!(reply.header("retry-after").as_deref(), Some("10"));
    let settings = h
        .call(axum::http::Method::GET, "/_sandbox/settings", None, None)
        .await
        .json();
    assert_eq!(settings["statePollBurst"], 5);
    assert_eq!(settings["statePollRefillSeconds"], 10);
}

#[tokio::test]
async fn reset_refills_every_bucket_and_restores_the_configured_rule() {
    let h = Harness::new();
    let state = h.mint().await;
    h.control("/_sandbox/settings", json!({"statePollBurst": 1}))
        .await;
    poll(&h, &state).await;
    assert_eq!(poll(&h, &state).await, 429);
    let reply = h
        .call(axum::http::Method::POST, "/_sandbox/reset", None, None)
        .await;
    assert_eq!(reply.status, 204);
    // Reset forgets states too, so mint again: a full bucket of the configured 3.
    let state = h.mint().await;
    for _ in 0..3 {
        assert_eq!(poll(&h, &state).await, 200);
    }
    assert_eq!(poll(&h, &state).await, 429);
}
