//! GET /v1/projects/{projectId}/social-accounts: `{"data":[record...]}` (the sandbox's assumption).

use axum::http::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_completed_connection_appears_with_the_full_record() {
    let h = Harness::new();
    assert_eq!(
        h.accounts(Some(DEMO), "prj_demo").await.json(),
        json!({"data": []})
    );
    let state = h.mint().await;
    h.complete("tiktok", &state, "allow", "acmecoffee").await;
    let status = h.status(Some(DEMO), &state).await.json();

    let list = h.accounts(Some(DEMO), "prj_demo").await.json();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    let a = &data[0];
    assert_eq!(
        keys_of(a),
        [
            "avatarUrl",
            "connectedAt",
            "displayName",
            "handle",
            "id",
            "leased",
            "platform",
            "status",
            "tokenExpiresAt"
        ]
    );
    assert_eq!(a["id"], status["socialAccountId"]);
    assert_eq!(a["platform"], "tiktok");
    assert_eq!(a["handle"], "acmecoffee");
    assert_eq!(a["displayName"], "Acmecoffee");
    assert_eq!(a["status"], "active");
    assert_eq!(a["leased"], false);
    assert_eq!(a["connectedAt"], "2026-04-18T19:02:11Z");
    assert_eq!(a["tokenExpiresAt"], "2026-04-19T19:02:11Z");
    let avatar = url::Url::parse(a["avatarUrl"].as_str().unwrap()).unwrap();
    assert_eq!(
        avatar.origin().ascii_serialization(),
        "http://127.0.0.1:8081"
    );
    let svg = h.follow(&avatar).await;
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-type").as_deref(), Some("image/svg+xml"));
    assert!(svg.text().starts_with("<svg"));

    // Visible to every key of the organization (accounts belong to the project)...
    assert_eq!(h.accounts(Some(READONLY), "prj_demo").await.json(), list);
    // ...and only in its own project.
    assert_eq!(
        h.accounts(Some(DEMO), "prj_demo_2").await.json(),
        json!({"data": []})
    );
}

#[tokio::test]
async fn reconnecting_the_same_handle_refreshes_instead_of_duplicating() {
    let h = Harness::new();
    let first = h.mint().await;
    h.complete("tiktok", &first, "allow", "acmecoffee").await;
    h.advance(3600);
    let second = h.mint().await;
    h.complete("tiktok", &second, "allow", "acmecoffee").await;
    let third = h.mint().await;
    h.complete("tiktok", &third, "allow", "otherbrand").await;

    let a = h.status(Some(DEMO), &first).await.json();
    let b = h.status(Some(DEMO), &second).await.json();
    assert_eq!(a["socialAccountId"], b["socialAccountId"]);
    let list = h.accounts(Some(DEMO), "prj_demo").await.json();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["connectedAt"], "2026-04-18T20:02:11Z");
}

#[tokio::test]
async fn errors_401_403_404_as_for_the_other_routes() {
    let h = Harness::new();
    h.accounts(None, "prj_demo")
        .await
        .expect_error(401, "UNAUTHENTICATED");
    h.accounts(Some(DEMO), "prj_nope")
        .await
        .expect_error(404, "NOT_FOUND");
    h.accounts(Some(DEMO), "prj_other")
        .await
        .expect_error(404, "NOT_FOUND");
    h.accounts(Some(OTHER), "prj_demo")
        .await
        .expect_error(404, "NOT_FOUND");
    let reply = h
        .call(Method::GET, "/_sandbox/avatars/sa_nope.svg", None, None)
        .await;
    assert_eq!(reply.status, 404);
}
