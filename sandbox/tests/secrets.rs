//! Secret keys may sit in fixtures, never in a response body, header or log line.
//!
//! A test binary of its own: tracing caches callsite interest process-wide, so
//! with other tests running on other threads a thread-local subscriber can
//! miss events and this test would flake (seen under `cargo test --workspace`).

#[path = "contract/common.rs"]
#[allow(dead_code)]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use layers_sandbox::Fixtures;
use serde_json::json;

use crate::common::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every route, with every key, good and bad, while capturing all tracing output.
#[tokio::test]
async fn no_response_or_log_line_contains_a_secret() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::new();
    let mut replies = Vec::new();
    h.control(
        "/_sandbox/faults",
        json!({"route":"oauth-status","status":500}),
    )
    .await;
    let keys = SECRETS
        .iter()
        .map(|s| Some(*s))
        .chain([Some("lp_test_demoX"), None]);
    for key in keys {
        replies.push(
            h.mint_with(
                key,
                "prj_demo",
                json!({"platform":"tiktok","returnUrl":RETURN_URL}),
            )
            .await,
        );
        replies.push(h.mint_raw(key, "prj_demo", "{bad").await);
        replies.push(
            h.mint_with(
                key,
                "prj_demo",
                json!({"platform":"tiktok","returnUrl":"https://evil.example/"}),
            )
            .await,
        );
        replies.push(h.status(key, "st_01HXZ8K2M4P5QRS6TUV7WXYZ9A").await);
        replies.push(h.status(key, "%20").await);
        replies.push(h.accounts(key, "prj_demo").await);
        replies.push(h.accounts(key, "prj_other").await);
    }
    let state = h.mint().await;
    let (_, authorize) = h.mint_for("tiktok", RETURN_URL).await;
    replies.push(h.follow(&authorize).await);
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    replies.push(h.status(Some(DEMO), &state).await);
    h.control(
        "/_sandbox/kill-switch",
        json!({"scope":"key","enabled":true}),
    )
    .await;
    replies.push(h.status(Some(DEMO), &state).await);
    replies.push(h.call(Method::GET, "/_sandbox/requests", None, None).await);
    replies.push(
        h.call(Method::GET, "/_sandbox/kill-switch", None, None)
            .await,
    );
    replies.push(h.call(Method::GET, "/_sandbox/settings", None, None).await);

    for reply in &replies {
        for secret in SECRETS {
            assert!(
                !reply.text().contains(secret),
                "{secret} in body {}",
                reply.text()
            );
            for (name, value) in &reply.headers {
                assert!(
                    !value.to_str().unwrap_or_default().contains(secret),
                    "{secret} in header {name}"
                );
            }
        }
    }
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("key_id=key_demo_readonly"),
        "logs name keys by id: {logs}"
    );
    assert!(logs.contains("request_id=req_"));
    for secret in SECRETS {
        assert!(!logs.contains(secret), "{secret} in logs");
    }
}

#[test]
fn debug_output_of_a_key_redacts_the_secret() {
    let fixtures = Fixtures::demo();
    let printed = format!("{fixtures:?}");
    assert!(printed.contains("key_demo"));
    for secret in SECRETS {
        assert!(!printed.contains(secret));
    }
}
