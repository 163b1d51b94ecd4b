//! Fixtures: the demo set, and the JSON file format.

use layers_sandbox::{Config, FixtureError, Fixtures};
use serde_json::json;

use crate::common::*;

#[test]
fn demo_fixtures_are_the_documented_ones() {
    let f = Fixtures::demo();
    let orgs: Vec<(&str, Vec<&str>)> = f
        .organizations
        .iter()
        .map(|o| {
            (
                o.id.as_str(),
                o.projects.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        orgs,
        [
            ("org_demo", vec!["prj_demo", "prj_demo_2"]),
            ("org_other", vec!["prj_other"])
        ]
    );
    let keys: Vec<(&str, &str, &str, usize)> = f
        .keys
        .iter()
        .map(|k| {
            (
                k.id.as_str(),
                k.secret.as_str(),
                k.organization.as_str(),
                k.scopes.len(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("key_demo", DEMO, "org_demo", 2),
            ("key_demo_alt", ALT, "org_demo", 2),
            ("key_demo_readonly", READONLY, "org_demo", 1),
            ("key_other", OTHER, "org_other", 2),
        ]
    );
    let defaults = Config::default();
    assert_eq!(defaults.state_ttl.as_secs(), 600);
    assert_eq!((defaults.read_budget, defaults.write_budget), (600, 60));
    assert_eq!(defaults.budget_window.as_secs(), 60);
}

fn custom() -> serde_json::Value {
    json!({
        "organizations": [{"id": "org_acme", "projects": ["prj_acme"]}],
        "keys": [{
            "id": "key_acme",
            "secret": "lp_test_acme",
            "organization": "org_acme",
            "scopes": ["social:read", "social:write"],
            "returnUrlAllowlist": ["https://app.acme.test/connect/return"]
        }]
    })
}

#[tokio::test]
async fn a_fixtures_file_replaces_the_demo_set() {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-fixtures-custom.json");
    std::fs::write(&path, custom().to_string()).unwrap();
    let fixtures = Fixtures::from_file(&path).unwrap();
    let h = Harness::with_config(Config {
        fixtures,
        ..Config::default()
    });
    let ok = h
        .mint_with(
            Some("lp_test_acme"),
            "prj_acme",
            json!({"platform":"tiktok","returnUrl":"https://app.acme.test/connect/return?x=1"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    h.mint_with(
        Some(DEMO),
        "prj_demo",
        json!({"platform":"tiktok","returnUrl":RETURN_URL}),
    )
    .await
    .expect_error(401, "UNAUTHENTICATED");
}

#[test]
fn inconsistent_or_malformed_fixtures_are_refused_with_a_reason() {
    let mut unknown_org = custom();
    unknown_org["keys"][0]["organization"] = json!("org_ghost");
    assert!(matches!(
        Fixtures::from_json(&unknown_org.to_string()),
        Err(FixtureError::Invalid(_))
    ));

    let mut bad_url = custom();
    bad_url["keys"][0]["returnUrlAllowlist"] = json!(["/relative"]);
    assert!(matches!(
        Fixtures::from_json(&bad_url.to_string()),
        Err(FixtureError::Parse(_))
    ));

    let mut duplicate_secret = custom();
    let key = duplicate_secret["keys"][0].clone();
    let mut twin = key.clone();
    twin["id"] = json!("key_twin");
    duplicate_secret["keys"] = json!([key, twin]);
    let err = Fixtures::from_json(&duplicate_secret.to_string()).unwrap_err();
    assert!(
        !err.to_string().contains("lp_test_acme"),
        "errors name key ids, not secrets: {err}"
    );

    assert!(matches!(
        Fixtures::from_file(std::path::Path::new("/nonexistent/fixtures.json")),
        Err(FixtureError::Io(_))
    ));
}
