//! A sandbox on a manual clock, driven with `oneshot`, and small readers for its answers.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use layers_sandbox::{Config, ManualClock, Sandbox};
use serde_json::{json, Value};
use tower::ServiceExt;
use url::Url;

pub const DEMO: &str = "lp_test_demo";
pub const ALT: &str = "lp_test_demo_alt";
pub const READONLY: &str = "lp_test_demo_readonly";
pub const OTHER: &str = "lp_test_other";
pub const SECRETS: [&str; 4] = [DEMO, ALT, READONLY, OTHER];
pub const RETURN_URL: &str = "http://127.0.0.1:8080/return.html";

pub struct Harness {
    pub sandbox: Sandbox,
    pub clock: Arc<ManualClock>,
    app: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
    pub fn location(&self) -> Url {
        Url::parse(&self.header("location").expect("a Location header")).unwrap()
    }
    /// Asserts the canonical envelope with `status`/`code` and returns `error`.
    pub fn expect_error(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "body: {body}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        let request_id = error["requestId"].as_str().expect("requestId");
        assert!(is_ulid_token(request_id, "req_"), "{request_id}");
        if let Some(header) = self.header("x-request-id") {
            assert_eq!(header, request_id);
        }
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error"], "envelope has only `error`");
        error.clone()
    }
}

/// `prefix` + 26 Crockford base32 characters.
pub fn is_ulid_token(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 26
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c)))
    })
}

pub fn keys_of(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    keys.sort();
    keys
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Self {
        let clock = Arc::new(ManualClock::default());
        let sandbox = Sandbox::with_clock(config, clock.clone());
        let app = sandbox.router();
        Self {
            sandbox,
            clock,
            app,
        }
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A request with an optional bearer key and an optional raw body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let request = match body {
            Some(b) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_owned())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    pub async fn mint_raw(&self, key: Option<&str>, project: &str, body: &str) -> Reply {
        let path = format!("/v1/projects/{project}/social/oauth-url");
        self.call(Method::POST, &path, key, Some(body)).await
    }

    pub async fn mint_with(&self, key: Option<&str>, project: &str, body: Value) -> Reply {
        self.mint_raw(key, project, &body.to_string()).await
    }

    /// Mints with the demo key for `platform` and `return_url`; returns (state, authorizeUrl).
    pub async fn mint_for(&self, platform: &str, return_url: &str) -> (String, Url) {
        let reply = self
            .mint_with(
                Some(DEMO),
                "prj_demo",
                json!({ "platform": platform, "returnUrl": return_url }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let body = reply.json();
        (
            body["state"].as_str().unwrap().to_owned(),
            Url::parse(body["authorizeUrl"].as_str().unwrap()).unwrap(),
        )
    }

    pub async fn mint(&self) -> String {
        self.mint_for("tiktok", RETURN_URL).await.0
    }

    pub async fn status(&self, key: Option<&str>, state: &str) -> Reply {
        self.call(
            Method::GET,
            &format!("/v1/social/oauth-status/{state}"),
            key,
            None,
        )
        .await
    }

    pub async fn accounts(&self, key: Option<&str>, project: &str) -> Reply {
        self.call(
            Method::GET,
            &format!("/v1/projects/{project}/social-accounts"),
            key,
            None,
        )
        .await
    }

    pub async fn control(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, None, Some(&body.to_string()))
            .await
    }

    /// Submits the consent form; returns the 303 Location (the Layers callback).
    pub async fn consent(&self, platform: &str, state: &str, decision: &str, handle: &str) -> Url {
        let form = format!("state={state}&handle={handle}&decision={decision}");
        let request = Request::post(format!("/oauth/{platform}/authorize"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let reply = self.send(request).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        reply.location()
    }

    /// Follows a sandbox URL (e.g. the callback) and returns the reply.
    pub async fn follow(&self, url: &Url) -> Reply {
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        self.call(Method::GET, &path, None, None).await
    }

    /// Consent, then callback; returns the callback's 303 Location (the partner's returnUrl).
    pub async fn complete(&self, platform: &str, state: &str, decision: &str, handle: &str) -> Url {
        let callback = self.consent(platform, state, decision, handle).await;
        let reply = self.follow(&callback).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        reply.location()
    }
}

pub fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
