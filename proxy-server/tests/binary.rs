//! The `layers-proxy` binary as a partner runs it: its command line, its
//! refusal to start half-configured, and serving the proxy against a Layers
//! (here the sandbox) over loopback.

mod support;

use serde_json::{json, Value};
use support::{free_port, run, start};

const BIN: &str = env!("CARGO_BIN_EXE_layers-proxy");

#[test]
fn help_prints_the_settings_and_exits() {
    let out = run(BIN, &["--help"], &[]);
    assert!(out.status.success(), "{out:?}");
    let usage = String::from_utf8(out.stdout).unwrap();
    for variable in [
        "LAYERS_API_BASE",
        "LAYERS_API_KEY_FILE",
        "LAYERS_PROXY_COOKIE_SECRET",
        "LAYERS_PROXY_PROJECTS",
        "LAYERS_PROXY_RETURN_URLS",
        "PORT",
    ] {
        assert!(usage.contains(variable), "{variable} in {usage}");
    }
    assert!(run(BIN, &["-h"], &[]).status.success());
}

#[test]
fn unknown_arguments_are_refused() {
    let out = run(BIN, &["--port", "9000"], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--port") && err.contains("--help"), "{err}");
}

#[test]
fn missing_layers_settings_stop_it() {
    let out = run(BIN, &[], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("LAYERS_API_BASE"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serves_the_proxy_against_layers() {
    serves_the_proxy_against_layers_with(&[]).await;
}

/// The same on two single-threaded workers with `SO_REUSEPORT` listeners
/// (banner, health, mint through the proxy, project refusal).
#[tokio::test(flavor = "multi_thread")]
async fn serves_the_proxy_against_layers_on_workers() {
    serves_the_proxy_against_layers_with(&[("LAYERS_PROXY_WORKERS", "2")]).await;
}

async fn serves_the_proxy_against_layers_with(extra: &[(&str, &str)]) {
    let sandbox = layers_sandbox::spawn(
        layers_sandbox::Config::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let port = free_port().to_string();
    let base = sandbox.url().to_string();
    let key_file = std::env::temp_dir().join(format!("layers-proxy-key-{}", uuid::Uuid::new_v4()));
    std::fs::write(&key_file, "lp_test_demo\n").unwrap();
    let env = [
        ("PORT", port.as_str()),
        ("LAYERS_API_BASE", base.as_str()),
        ("LAYERS_API_KEY_FILE", key_file.to_str().unwrap()),
        ("LAYERS_PROXY_PROJECTS", "prj_demo"),
        (
            "LAYERS_PROXY_RETURN_URLS",
            "http://127.0.0.1:8080/return.html",
        ),
        // The sandbox's consent pages are on its own origin, not tiktok.com.
        ("LAYERS_PROXY_AUTHORIZE_ORIGINS", base.as_str()),
    ];
    let env: Vec<(&str, &str)> = env.iter().chain(extra).copied().collect();
    // Blocks this worker only; the sandbox answers on the others.
    let server = tokio::task::block_in_place(|| start(BIN, &env, "Layers API:"));
    std::fs::remove_file(&key_file).unwrap();
    let proxy = format!("http://127.0.0.1:{port}/api/layers/");
    let announced = format!("Proxy:      {proxy}");
    assert!(server.banner.contains(&announced), "{:?}", server.banner);

    let http = reqwest::Client::new();
    let health: Value = http
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let mint = http
        .post(format!("{proxy}projects/prj_demo/social/oauth-url"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "platform": "tiktok", "returnUrl": "http://127.0.0.1:8080/return.html" }))
        .send()
        .await
        .unwrap();
    assert_eq!(mint.status(), 200);
    let text = mint.text().await.unwrap();
    assert!(
        text.contains("authorizeUrl") && !text.contains("lp_test_"),
        "{text}"
    );
    let refused = http
        .get(format!("{proxy}projects/prj_demo_2/social-accounts"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404, "only LAYERS_PROXY_PROJECTS");
    drop(server);
    sandbox.shutdown().await;
}

#[test]
fn a_base_with_credentials_or_a_query_stops_it_without_echoing_them() {
    for base in [
        "https://layers:hunter2@api.layers.com",
        "https://api.layers.com/?token=hunter2",
    ] {
        let out = run(
            BIN,
            &[],
            &[
                ("LAYERS_API_BASE", base),
                ("LAYERS_API_KEY", "lp_test_demo"),
                ("LAYERS_PROXY_PROJECTS", "prj_demo"),
                (
                    "LAYERS_PROXY_RETURN_URLS",
                    "http://127.0.0.1:8080/return.html",
                ),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{base}: {out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("LAYERS_API_BASE"), "{err}");
        let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
        assert!(!all.contains("hunter2"), "{all}");
    }
}
