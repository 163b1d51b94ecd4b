//! The demo app (pages, bundle, healthz and the proxy) over a real listener,
//! in front of the Layers sandbox.

// The proxy's test kit: a sandbox per test, browsers, and the key scan of
// every response and log line.
#[path = "../../proxy/tests/common/mod.rs"]
mod common;

use common::*;
use layers_demo as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn demo_app_over_a_real_listener() {
    let sandbox = sandbox().await;
    let proxy = layers_proxy::router(config(sandbox.url()));
    let missing =
        std::env::temp_dir().join(format!("layers-demo-missing-{}", uuid::Uuid::new_v4()));
    let served = serve(demo::app(
        proxy,
        &missing.join("www"),
        &missing.join("dist"),
        demo::DemoInfo {
            sandbox_url: Some(sandbox.url().to_string()),
            upstream: Some(sandbox.url().to_string()),
        },
    ))
    .await;
    let http = reqwest::Client::new();
    let at = |path: &str| served.url.join(path).unwrap();

    // The page learns where the sandbox is (for its control panel), never the key.
    let info = http
        .get(at("demo-config.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["sandboxUrl"], sandbox.url().as_str());
    assert!(!info.to_string().contains("lp_test"), "{info}");

    let health = http.get(at("healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<Value>().await.unwrap()["status"], "ok");

    // The folders do not exist (the widget may not be built yet): a helpful 404, no crash.
    for (path, hint) in [
        ("", "LAYERS_PROXY_WWW_DIR"),
        ("return.html", "LAYERS_PROXY_WWW_DIR"),
        ("dist/layers-connect.js", "LAYERS_PROXY_DIST_DIR"),
    ] {
        let page = http.get(at(path)).send().await.unwrap();
        assert_eq!(page.status(), 404, "{path}");
        assert!(page.text().await.unwrap().contains(hint), "{path}");
    }

    let mint = http
        .post(at("api/layers/projects/prj_demo/social/oauth-url"))
        .header("origin", served.url.origin().ascii_serialization())
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "platform": "instagram", "returnUrl": RETURN_URL }))
        .send()
        .await
        .unwrap();
    assert_eq!(mint.status(), 200);
    // The session cookie and the state's: both scoped, neither Secure here.
    let set_cookies: Vec<String> = mint
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(set_cookies.len(), 2, "{set_cookies:?}");
    for set_cookie in &set_cookies {
        assert!(
            set_cookie.contains("Path=/api/layers"),
            "cookie scoped to the mount prefix: {set_cookie}"
        );
        assert!(!set_cookie.contains("Secure"), "plain-http loopback demo");
    }
    let cookie = set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap())
        .collect::<Vec<_>>()
        .join("; ");
    let minted: Value = mint.json().await.unwrap();
    let state = minted["state"].as_str().unwrap();

    consent(
        minted["authorizeUrl"].as_str().unwrap(),
        "allow",
        "acme.gram",
    )
    .await;
    let status: Value = http
        .get(at(&format!("api/layers/social/oauth-status/{state}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "completed", "{status}");
    assert_eq!(status["platform"], "instagram");

    let accounts = http
        .get(at("api/layers/projects/prj_demo/social-accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.status(), 200);
    let text = accounts.text().await.unwrap();
    assert!(!text.contains(KEY_PREFIX));

    let unknown = http
        .get(at("api/layers/v1/projects/prj_demo/social-accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"]["code"],
        "NOT_FOUND"
    );
    assert_logs_clean();
}
