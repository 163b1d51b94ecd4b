//! A proxy restart in the middle of an attempt loses nothing: the browser's
//! cookies carry the session and its states, so a new process with the same
//! cookie secret takes over. Instance 1 mints and is killed (SIGKILL, no
//! graceful stop); instance 2 starts on the same port; the browser polls with
//! the cookies it had, the customer consents, and the attempt completes.

// The sandbox consent step, shared with the proxy's and the demo's tests.
#[path = "../../proxy/tests/common/mod.rs"]
mod common;
mod support;

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use support::{free_port, start};

const BIN: &str = env!("CARGO_BIN_EXE_layers-proxy");
const SECRET: &str = "a-cookie-secret-shared-by-every-instance-of-this-proxy-0123456789abcdef";

/// `Set-Cookie` headers merged into a `Cookie` header, as a browser keeps them.
fn keep_cookies(jar: &mut Vec<(String, String)>, response: &reqwest::Response) {
    for set in response.headers().get_all(SET_COOKIE) {
        let set = set.to_str().unwrap();
        let pair = set.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.retain(|(n, _)| n != name);
        if !set.contains("Max-Age=0") {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
}

fn cookie_header(jar: &[(String, String)]) -> String {
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_mid_attempt_loses_nothing() {
    let sandbox = layers_sandbox::spawn(
        layers_sandbox::Config::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let base = sandbox.url().to_string();
    let port = free_port().to_string();
    let env = [
        ("PORT", port.as_str()),
        ("LAYERS_API_BASE", base.as_str()),
        ("LAYERS_API_KEY", "lp_test_demo"),
        ("LAYERS_PROXY_COOKIE_SECRET", SECRET),
        ("LAYERS_PROXY_PROJECTS", "prj_demo"),
        (
            "LAYERS_PROXY_RETURN_URLS",
            "http://127.0.0.1:8080/return.html",
        ),
        ("LAYERS_PROXY_AUTHORIZE_ORIGINS", base.as_str()),
        ("RUST_LOG", "warn"),
    ];
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A fresh connection per request, as to a restarted server anyway.
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let api = format!("http://127.0.0.1:{port}/api/layers");
    let mut jar = Vec::new();

    let first = tokio::task::block_in_place(|| start(BIN, &env, "Layers API:"));
    let minted = http
        .post(format!("{api}/projects/prj_demo/social/oauth-url"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "platform": "tiktok", "returnUrl": "http://127.0.0.1:8080/return.html" }))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), 200);
    keep_cookies(&mut jar, &minted);
    let minted: Value = minted.json().await.unwrap();
    let state = minted["state"].as_str().unwrap().to_owned();
    let authorize_url = minted["authorizeUrl"].as_str().unwrap().to_owned();
    let poll = |cookies: String| {
        let request = http
            .get(format!("{api}/social/oauth-status/{state}"))
            .header(COOKIE, cookies);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, before) = poll(cookie_header(&jar)).await;
    assert_eq!((status, before["status"].as_str()), (200, Some("pending")));

    // Killed without a goodbye, then a new process on the same port.
    drop(first);
    let _second = tokio::task::block_in_place(|| start(BIN, &env, "Layers API:"));

    let (status, after) = poll(cookie_header(&jar)).await;
    assert_eq!(
        (status, after["status"].as_str()),
        (200, Some("pending")),
        "the new instance knows the state from the cookie: {after}"
    );
    common::consent(&authorize_url, "allow", "acmecoffee").await;
    let (status, done) = poll(cookie_header(&jar)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["handle"], "acmecoffee");

    // The cookies are what carried it: without them the same poll is not this browser's.
    let (status, stranger) = poll(String::new()).await;
    assert_eq!(status, 404, "{stranger}");
}
