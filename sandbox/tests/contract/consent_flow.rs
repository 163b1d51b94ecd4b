//! The consent page and callback as a person meets them, over oneshot and over a
//! real loopback listener (redirects not followed, so each hop is checked).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use layers_sandbox::{spawn, Config};
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn consent_page_is_usable_accessible_html() {
    let h = Harness::new();
    let (_, url) = h.mint_for("tiktok", RETURN_URL).await;
    let page = h.follow(&url).await;
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    // Like the real platforms, the page cannot be framed.
    assert_eq!(page.header("x-frame-options").as_deref(), Some("DENY"));
    let html = page.text();
    for needle in [
        "<html lang=\"en\">",
        "<h1>TikTok</h1>",
        "<li><code>video.publish</code></li>",
        "<label for=\"handle\">Handle</label>",
        "id=\"handle\" name=\"handle\" value=\"acmecoffee\"",
        "value=\"allow\">Allow</button>",
        "value=\"deny\" class=\"secondary\">Deny</button>",
        "<fieldset><legend>Sandbox outcomes</legend>",
        ">missing_code</button>",
        ">platform_mismatch</button>",
        ">exchange_failed</button>",
        ">persistence_error</button>",
    ] {
        assert!(html.contains(needle), "missing {needle:?} in {html}");
    }
    assert!(!html.contains("<script"), "works without JavaScript");

    let (_, url) = h.mint_for("instagram", RETURN_URL).await;
    let html = h.follow(&url).await.text();
    assert!(html.contains("<h1>Instagram</h1>"));
    assert!(html.contains("value=\"acme.coffee\""));
    assert!(html.contains("instagram_business_content_publish"));
}

#[tokio::test]
async fn unknown_state_gets_a_clear_page_not_a_crash() {
    let h = Harness::new();
    let reply = h
        .call(
            Method::GET,
            "/oauth/tiktok/authorize?state=st_01HXZ8K2M4P5QRS6TUV7WXYZ9A",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("this link is not valid"));
    let reply = h
        .call(Method::GET, "/oauth/tiktok/authorize", None, None)
        .await;
    assert_eq!(reply.status, 400);
    let reply = h
        .call(Method::GET, "/oauth/myspace/authorize?state=x", None, None)
        .await;
    assert_eq!(reply.status, 404);
    let reply = h
        .call(
            Method::GET,
            "/oauth/callback/tiktok?state=st_nope&code=x",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.text().contains("Connection failed"));
}

#[tokio::test]
async fn expired_state_page_explains_and_its_only_button_returns_with_state_expired() {
    let h = Harness::new();
    let (state, url) = h.mint_for("tiktok", RETURN_URL).await;
    h.advance(601);
    let page = h.follow(&url).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("has expired"));
    assert!(!page.text().contains(">Allow<"));
    let back = h.complete("tiktok", &state, "deny", "x").await;
    assert_eq!(
        query_param(&back, "layers_oauth_error").as_deref(),
        Some("state_expired")
    );
}

#[tokio::test]
async fn success_returns_to_the_return_url_untouched_and_failure_keeps_its_query_and_fragment() {
    let h = Harness::new();
    let with_query = "http://127.0.0.1:8080/return.html?tab=social&next=%2Fhome#connect";
    let (state, _) = h.mint_for("tiktok", with_query).await;
    let back = h.complete("tiktok", &state, "allow", "acmecoffee").await;
    assert_eq!(back.as_str(), with_query);

    let (state, _) = h.mint_for("tiktok", with_query).await;
    let back = h.complete("tiktok", &state, "deny", "acmecoffee").await;
    assert_eq!(
        back.as_str(),
        "http://127.0.0.1:8080/return.html?tab=social&next=%2Fhome&layers_oauth_error=platform_denied#connect"
    );
}

#[tokio::test]
async fn a_state_completes_at_most_once() {
    let h = Harness::new();
    let (state, _) = h.mint_for("tiktok", RETURN_URL).await;
    let first = h.complete("tiktok", &state, "allow", "acmecoffee").await;
    assert_eq!(first.as_str(), RETURN_URL);
    let before = h.status(Some(DEMO), &state).await.json();

    h.advance(30);
    // Replays: another Allow with another handle, a Deny, and a failure path.
    for decision in ["allow", "deny", "exchange_failed"] {
        let again = h.complete("tiktok", &state, decision, "someoneelse").await;
        // The replay lands where the recorded outcome sends it: the plain returnUrl.
        assert_eq!(again.as_str(), RETURN_URL, "{decision}");
    }
    assert_eq!(h.status(Some(DEMO), &state).await.json(), before);
    let list = h.accounts(Some(DEMO), "prj_demo").await.json();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["handle"], "acmecoffee");
    assert_eq!(data[0]["connectedAt"], before["connectedAt"]);

    // A failed state stays failed too, and keeps sending its code back.
    let (state, _) = h.mint_for("tiktok", RETURN_URL).await;
    h.complete("tiktok", &state, "deny", "acmecoffee").await;
    let again = h.complete("tiktok", &state, "allow", "acmecoffee").await;
    assert_eq!(
        query_param(&again, "layers_oauth_error").as_deref(),
        Some("platform_denied")
    );
    assert_eq!(
        h.status(Some(DEMO), &state).await.json()["status"],
        "failed"
    );
}

#[tokio::test]
async fn a_code_is_redeemable_once_and_only_for_its_own_state() {
    let h = Harness::new();
    let (a, _) = h.mint_for("tiktok", RETURN_URL).await;
    let (b, _) = h.mint_for("tiktok", RETURN_URL).await;
    let callback = h.consent("tiktok", &a, "allow", "acmecoffee").await;
    let code = query_param(&callback, "code").unwrap();
    // Using a's code for b fails the exchange for b...
    let stolen = url::Url::parse(&format!(
        "http://127.0.0.1:8081/oauth/callback/tiktok?code={code}&state={b}"
    ))
    .unwrap();
    let back = h.follow(&stolen).await.location();
    assert_eq!(
        query_param(&back, "layers_oauth_error").as_deref(),
        Some("exchange_failed")
    );
    // ...and burns it, like a real platform code.
    let back = h.follow(&callback).await.location();
    assert_eq!(
        query_param(&back, "layers_oauth_error").as_deref(),
        Some("exchange_failed")
    );
}

/// The whole flow over a real socket, hop by hop, as a browser would see it.
#[tokio::test]
async fn end_to_end_over_a_real_listener() {
    let running = spawn(Config::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = running.url().clone();
    assert_eq!(base.host_str(), Some("127.0.0.1"));
    assert_eq!(base.path(), "/");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let minted: Value = client
        .post(base.join("v1/projects/prj_demo/social/oauth-url").unwrap())
        .bearer_auth(DEMO)
        .json(&json!({"platform":"instagram","returnUrl":"http://localhost:8080/return.html?from=e2e"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let state = minted["state"].as_str().unwrap();
    let authorize = url::Url::parse(minted["authorizeUrl"].as_str().unwrap()).unwrap();
    assert_eq!(
        authorize.origin(),
        base.origin(),
        "authorizeUrl uses the bound port"
    );

    let page = client.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<h1>Instagram</h1>"));

    // The form posts to `action="authorize"`, i.e. the page's own path.
    let consent = client
        .post(authorize.join("authorize").unwrap())
        .form(&[
            ("state", state),
            ("handle", "@acme.coffee"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), StatusCode::SEE_OTHER);
    let callback = url::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(callback.origin(), base.origin());
    assert_eq!(callback.path(), "/oauth/callback/instagram");
    assert!(query_param(&callback, "code").is_some());

    let settled = client.get(callback).send().await.unwrap();
    assert_eq!(settled.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        settled.headers()["location"].to_str().unwrap(),
        "http://localhost:8080/return.html?from=e2e"
    );

    let status: Value = client
        .get(
            base.join(&format!("v1/social/oauth-status/{state}"))
                .unwrap(),
        )
        .bearer_auth(DEMO)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "completed");
    assert_eq!(status["handle"], "acme.coffee");
    assert_eq!(status["platform"], "instagram");

    let accounts: Value = client
        .get(base.join("v1/projects/prj_demo/social-accounts").unwrap())
        .bearer_auth(DEMO)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let account = &accounts["data"][0];
    assert_eq!(account["id"], status["socialAccountId"]);
    let avatar = client
        .get(account["avatarUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");
    assert!(avatar.text().await.unwrap().contains(">AC</text>"));

    running.shutdown().await;
    let after = client
        .get(base.join("_sandbox/requests").unwrap())
        .send()
        .await;
    assert!(after.is_err(), "the server is gone after shutdown");
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let running = spawn(Config::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = running.url().join("_sandbox/settings").unwrap();
    assert!(reqwest::get(url.clone())
        .await
        .unwrap()
        .status()
        .is_success());
    drop(running);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    assert!(client.get(url).send().await.is_err());
}

/// 200 attempts minted and polled at once over loopback: no lost, shared or mixed-up state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_mints_and_polls() {
    let config = Config {
        write_budget: 1_000,
        read_budget: 1_000,
        ..Config::default()
    };
    let running = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = running.url().clone();
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            let base = base.clone();
            tokio::spawn(async move {
                let (key, project) = if i % 2 == 0 {
                    (DEMO, "prj_demo")
                } else {
                    (OTHER, "prj_other")
                };
                let platform = if i % 3 == 0 { "instagram" } else { "tiktok" };
                let minted: Value = client
                    .post(
                        base.join(&format!("v1/projects/{project}/social/oauth-url"))
                            .unwrap(),
                    )
                    .bearer_auth(key)
                    .json(&json!({"platform":platform,"returnUrl":format!("{RETURN_URL}?i={i}")}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let state = minted["state"].as_str().unwrap().to_owned();
                let polled: Value = client
                    .get(
                        base.join(&format!("v1/social/oauth-status/{state}"))
                            .unwrap(),
                    )
                    .bearer_auth(key)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(polled["state"], state.as_str());
                assert_eq!(polled["status"], "pending");
                state
            })
        })
        .collect();
    let mut states = std::collections::HashSet::new();
    for task in tasks {
        states.insert(task.await.unwrap());
    }
    assert_eq!(states.len(), 200);
    let log: Value = client
        .get(base.join("_sandbox/requests").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["data"].as_array().unwrap().len(), 400);
    running.shutdown().await;
}
