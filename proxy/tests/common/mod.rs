//! Test kit: a sandbox per test, browsers that keep their cookie, and a log
//! capture. Every response any test sees, and every log line of the suite, is
//! scanned for API keys (`lp_test_…`): the key only ever goes upstream.

#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Mutex, Once};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use layers_proxy::{ApiKey, Config, CookieSecret, MintLimit};
use layers_sandbox::RunningSandbox;
use serde_json::{json, Value};
use tower::ServiceExt;
use url::Url;

/// Every sandbox key starts with this; none may appear outside the upstream request.
pub const KEY_PREFIX: &str = "lp_test_";
pub const KEY: &str = "lp_test_demo";
pub const RETURN_URL: &str = "http://127.0.0.1:8080/return.html";

static LOGS: Mutex<String> = Mutex::new(String::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line of the proxy, reqwest and hyper at the most verbose level.
pub fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,layers_sandbox=off",
            ))
            .with_ansi(false)
            .with_writer(|| Capture)
            .init();
    });
}

pub fn logs() -> String {
    LOGS.lock().unwrap().clone()
}

pub fn assert_logs_clean() {
    let logs = logs();
    if let Some(at) = logs.find(KEY_PREFIX) {
        let line_start = logs[..at].rfind('\n').map_or(0, |i| i + 1);
        let line = logs[line_start..].lines().next().unwrap_or_default();
        panic!("an API key reached the logs: {line}");
    }
}

pub async fn sandbox() -> RunningSandbox {
    capture_logs();
    layers_sandbox::spawn(
        layers_sandbox::Config::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sandbox starts")
}

/// The demo's proxy settings against `base`, with a mint limit tests never hit by accident.
pub fn config(base: &Url) -> Config {
    config_with_key(base, KEY)
}

pub fn config_with_key(base: &Url, key: &str) -> Config {
    capture_logs();
    Config::new(base.clone().try_into().unwrap(), ApiKey::new(key))
        // The sandbox serves its consent pages on its own origin.
        .allow_authorize_origin(base)
        .allow_projects(["prj_demo"])
        .allow_return_url(Url::parse(RETURN_URL).unwrap())
        .allow_return_url(Url::parse("http://localhost:8080/return.html").unwrap())
        .mint_limit(MintLimit {
            max: 100,
            window: Duration::from_secs(600),
        })
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
}

pub fn shared_secret(byte: u8) -> CookieSecret {
    CookieSecret::new(&[byte; 64]).unwrap()
}

/// An answer as a browser sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or("<no code>")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Status, code, and the envelope's requestId equal to the `x-request-id` header.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(self.code(), code, "{self:?}");
        let id = self.json["error"]["requestId"].as_str().expect("requestId");
        assert_eq!(self.header("x-request-id"), Some(id), "{self:?}");
        assert!(self.json["error"]["message"].is_string());
        assert_eq!(self.header("content-type"), Some("application/json"));
    }
}

/// Sends `request` through `app` and checks the answer carries no key.
pub async fn call(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    for (name, value) in &parts.headers {
        assert!(
            !value
                .as_bytes()
                .windows(KEY_PREFIX.len())
                .any(|w| w == KEY_PREFIX.as_bytes()),
            "key in response header {name}"
        );
    }
    assert!(!text.contains(KEY_PREFIX), "key in response body: {text}");
    assert_logs_clean();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status: parts.status,
        headers: parts.headers,
        text,
        json,
    }
}

/// A browser session: same-origin fetches that keep the proxy's cookie.
#[derive(Debug, Clone, Default)]
pub struct Browser {
    pub prefix: String,
    pub cookie: Option<String>,
    /// Extra headers on every request (e.g. a cross-site Origin).
    pub extra: Vec<(String, String)>,
    /// Leave out `Sec-Fetch-Site: same-origin` (which a browser sends on the widget's fetch).
    pub omit_fetch_metadata: bool,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn under(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            ..Self::default()
        }
    }

    pub fn request(&self, method: Method, path: &str, body: Option<Body>) -> Request<Body> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.prefix));
        if !self.omit_fetch_metadata {
            builder = builder.header("sec-fetch-site", "same-origin");
        }
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        for (name, value) in &self.extra {
            builder = builder.header(name.as_str(), value.as_str());
        }
        match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        }
    }

    pub async fn send(&mut self, app: &Router, request: Request<Body>) -> Reply {
        let reply = call(app, request).await;
        self.keep_cookie(&reply.headers);
        reply
    }

    /// Merges every `Set-Cookie` into the jar as a browser does: same name
    /// replaces, `Max-Age=0` removes. `cookie` is the `Cookie` header it sends.
    pub fn keep_cookie(&mut self, headers: &HeaderMap) {
        let mut jar: Vec<(String, String)> = self
            .cookie
            .as_deref()
            .unwrap_or_default()
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            jar.retain(|(n, _)| n != name);
            if !attributes.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
        let header: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
        self.cookie = (!header.is_empty()).then(|| header.join("; "));
    }

    /// The value of the cookie `name` in the jar.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.cookie
            .as_deref()?
            .split("; ")
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_owned())
    }

    pub async fn mint_body(&mut self, app: &Router, project: &str, body: Value) -> Reply {
        let request = self.request(
            Method::POST,
            &format!("/projects/{project}/social/oauth-url"),
            Some(Body::from(body.to_string())),
        );
        self.send(app, request).await
    }

    pub async fn mint(&mut self, app: &Router, project: &str) -> Reply {
        self.mint_body(
            app,
            project,
            json!({ "platform": "tiktok", "returnUrl": RETURN_URL }),
        )
        .await
    }

    pub async fn status(&mut self, app: &Router, state: &str) -> Reply {
        let request = self.request(Method::GET, &format!("/social/oauth-status/{state}"), None);
        self.send(app, request).await
    }

    pub async fn accounts(&mut self, app: &Router, project: &str) -> Reply {
        let request = self.request(
            Method::GET,
            &format!("/projects/{project}/social-accounts"),
            None,
        );
        self.send(app, request).await
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Plays the end-customer on the sandbox's consent page: opens `authorize_url`,
/// submits `decision` with `handle`, follows the platform's and Layers'
/// redirects, and returns where the browser lands (the returnUrl).
pub async fn consent(authorize_url: &str, decision: &str, handle: &str) -> Url {
    let http = http();
    let authorize = Url::parse(authorize_url).unwrap();
    let page = http.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "consent page");
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"decision\""), "consent form: {html}");
    let state: String = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();

    let mut form_target = authorize.clone();
    form_target.set_query(None);
    let to_callback = http
        .post(form_target)
        .form(&[
            ("state", state.as_str()),
            ("handle", handle),
            ("decision", decision),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_callback.status(),
        303,
        "platform redirects to the Layers callback"
    );
    let callback = authorize
        .join(to_callback.headers()["location"].to_str().unwrap())
        .unwrap();
    let to_return = http.get(callback.clone()).send().await.unwrap();
    assert_eq!(
        to_return.status(),
        303,
        "Layers callback redirects to returnUrl"
    );
    callback
        .join(to_return.headers()["location"].to_str().unwrap())
        .unwrap()
}

/// A sandbox control (`/_sandbox/...`).
pub async fn control(sandbox: &RunningSandbox, path: &str, body: Value) {
    let response = http()
        .post(sandbox.url().join(path).unwrap())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.text().await.unwrap()
    );
}

/// How many /v1 requests reached the sandbox.
pub async fn upstream_requests(sandbox: &RunningSandbox) -> usize {
    let log: Value = http()
        .get(sandbox.url().join("_sandbox/requests").unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["data"].as_array().unwrap().len()
}

/// An address where nothing listens.
pub async fn dead_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
    // Dropped here: the port is closed.
}

/// Serves `app` on 127.0.0.1:0 until the returned guard drops.
pub struct Served {
    pub url: Url,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn serve(app: Router) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Served { url, task }
}
