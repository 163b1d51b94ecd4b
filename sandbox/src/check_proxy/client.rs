//! The kit's hands: browser sessions that talk to the proxy (and keep every
//! answer for the hygiene rules), and a client for the sandbox's controls,
//! request log and consent page.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_TYPE, COOKIE, SET_COOKIE};
use reqwest::Method;
use serde_json::{json, Value};
use url::Url;

use super::stream::first_event;
use super::Options;

/// One answer of the proxy, as the kit keeps it for the hygiene rules.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    /// The rule that caused it (`key-echo` answers are judged by that rule alone).
    pub rule: &'static str,
    /// `POST /api/layers/projects/…` (for findings).
    pub request: String,
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// An answer of the proxy, decoded for a probe.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn error_code(&self) -> Option<&str> {
        self.json["error"]["code"].as_str()
    }

    /// `403 CSRF_REJECTED` or `200 {"state":…}`: enough to say what came back.
    pub(crate) fn summary(&self) -> String {
        match self.error_code() {
            Some(code) => format!("{} {code}", self.status),
            None => match self.json.as_object() {
                Some(fields) => {
                    let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
                    format!("{} {{{}}}", self.status, keys.join(", "))
                }
                None => {
                    let text: String = self.text.chars().take(80).collect();
                    format!("{} {text}", self.status)
                }
            },
        }
    }
}

/// Who is calling: the headers a browser would send, and its cookie jar.
pub(crate) struct Browser {
    /// `Origin` on POSTs (and on cross-origin GETs); `None` sends none.
    origin: Option<String>,
    /// `Sec-Fetch-Site`; `None` sends no fetch metadata at all (a non-browser client).
    fetch_site: Option<String>,
    /// name → value; the kit only ever talks to one proxy, so paths and domains do not matter.
    jar: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    pub(crate) fn new(origin: Option<String>, fetch_site: Option<String>) -> Self {
        Self {
            origin,
            fetch_site,
            jar: Mutex::new(BTreeMap::new()),
        }
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn keep_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
        for value in headers.get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut parts = value.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            // A proxy clears a cookie with an empty value or Max-Age=0.
            let cleared = value.trim().is_empty()
                || parts.any(|attr| {
                    let attr = attr.trim().to_ascii_lowercase();
                    attr == "max-age=0" || attr.starts_with("max-age=-")
                });
            if cleared {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

/// A state the proxy minted.
#[derive(Debug, Clone)]
pub(crate) struct Minted {
    pub state: String,
    pub authorize_url: Url,
}

/// One `/v1` request the sandbox logged.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: String,
    pub path: String,
    pub key_id: Option<String>,
    pub status: u16,
    pub request_id: String,
}

/// How long the kit waits for a stream's first event.
pub(crate) const STREAM_WAIT: Duration = Duration::from_secs(5);
/// At most this much of a stream is read.
const STREAM_PEEK: usize = 16 * 1024;

/// Everything the probes share.
pub(crate) struct Kit {
    pub options: Options,
    pub sandbox: SandboxClient,
    http: reqwest::Client,
    rule: Mutex<&'static str>,
    transcript: Mutex<Vec<Exchange>>,
}

impl Kit {
    pub(crate) fn new(mut options: Options) -> Self {
        options.proxy = with_trailing_slash(options.proxy);
        options.sandbox = with_trailing_slash(options.sandbox);
        // Redirects are the proxy's answer, not something to follow; cookies are kept by `Browser`.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .user_agent(concat!(
                "layers-sandbox-check-proxy/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .expect("a rustls client with static settings always builds");
        Self {
            sandbox: SandboxClient {
                base: options.sandbox.clone(),
                http: http.clone(),
            },
            options,
            http,
            rule: Mutex::new(""),
            transcript: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn begin(&self, rule: &'static str) {
        *self.rule.lock().unwrap_or_else(|e| e.into_inner()) = rule;
    }

    pub(crate) fn rule(&self) -> &'static str {
        *self.rule.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn transcript(&self) -> Vec<Exchange> {
        self.transcript
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn record(&self, exchange: Exchange) {
        self.transcript
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(exchange);
    }

    /// The page origin the widget runs on, serialized (`http://127.0.0.1:8080`).
    pub(crate) fn page_origin(&self) -> Url {
        let page = self.options.origin.as_ref().unwrap_or(&self.options.proxy);
        Url::parse(&page.origin().ascii_serialization()).unwrap_or_else(|_| page.clone())
    }

    /// `Sec-Fetch-Site` of the widget's fetches from the page to the proxy.
    pub(crate) fn page_fetch_site(&self) -> &'static str {
        let page = self.page_origin();
        let proxy = &self.options.proxy;
        if page.origin() == proxy.origin() {
            "same-origin"
        } else if page.host_str() == proxy.host_str() && page.scheme() == proxy.scheme() {
            // Same host, other port: a different origin on the same site.
            "same-site"
        } else {
            "cross-site"
        }
    }

    /// A browser on the partner's page: what the widget's fetches look like.
    pub(crate) fn browser(&self) -> Browser {
        Browser::new(
            Some(self.page_origin().origin().ascii_serialization()),
            Some(self.page_fetch_site().to_owned()),
        )
    }

    /// `https://host/prefix/` + `path` (no leading slash).
    pub(crate) fn proxy_url(&self, path: &str) -> Url {
        self.options
            .proxy
            .join(path)
            .unwrap_or_else(|_| self.options.proxy.clone())
    }

    pub(crate) fn mint_path(&self) -> String {
        format!("projects/{}/social/oauth-url", self.options.project)
    }

    pub(crate) fn mint_body(&self, return_url: &str) -> Value {
        json!({ "platform": "tiktok", "returnUrl": return_url, "usageNote": "check-proxy" })
    }

    /// One request to the proxy as `browser` would send it, and its label for findings.
    fn request(
        &self,
        browser: &Browser,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (reqwest::RequestBuilder, String) {
        let url = self.proxy_url(path);
        let is_post = method == Method::POST;
        let mut request = self.http.request(method.clone(), url.clone());
        let same_origin = browser.fetch_site.as_deref() == Some("same-origin");
        if let Some(origin) = &browser.origin {
            if is_post || !same_origin {
                request = request.header("origin", origin);
            }
        }
        if let Some(site) = &browser.fetch_site {
            request = request
                .header("sec-fetch-site", site)
                .header("sec-fetch-mode", "cors")
                .header("sec-fetch-dest", "empty");
        }
        if let Some(cookie) = browser.cookie_header() {
            request = request.header(COOKIE, cookie);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        (request, format!("{method} {}", url.path()))
    }

    /// Sends one request to the proxy as `browser`, records the answer, keeps its cookies.
    pub(crate) async fn call(
        &self,
        browser: &Browser,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let (request, label) = self.request(browser, method, path, body);
        let response = request
            .send()
            .await
            .map_err(|e| format!("{label}: no answer from the proxy ({})", plain_error(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("{label}: the answer broke off ({})", plain_error(&e)))?;
        Ok(self.keep(browser, label, status, headers, bytes.to_vec()))
    }

    /// Records an answer for the hygiene rules, keeps its cookies, decodes it.
    fn keep(
        &self,
        browser: &Browser,
        label: String,
        status: u16,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Answer {
        browser.keep_cookies(&headers);
        let text = String::from_utf8_lossy(&body).into_owned();
        self.record(Exchange {
            rule: self.rule(),
            request: label,
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect(),
            body,
        });
        Answer {
            status,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
            text,
        }
    }

    /// Opens the outcome stream of `state` (`?check=1`, as the widget does)
    /// and reads its first event, or an error answer whole. A stream never
    /// ends by itself, so the read stops at its first complete event (as
    /// [`first_event`] frames it: a leading `: comment` block is read past),
    /// at [`STREAM_PEEK`] bytes, or after [`STREAM_WAIT`]; then the kit hangs up.
    pub(crate) async fn open_stream(
        &self,
        browser: &Browser,
        state: &str,
    ) -> Result<Answer, String> {
        let path = format!("social/oauth-events/{state}?check=1");
        let (request, label) = self.request(browser, Method::GET, &path, None);
        let mut response = request
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(|e| format!("{label}: no answer from the proxy ({})", plain_error(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let deadline = tokio::time::Instant::now() + STREAM_WAIT;
        while body.len() < STREAM_PEEK && !(status == 200 && first_event(&body).is_some()) {
            match tokio::time::timeout_at(deadline, response.chunk()).await {
                Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
                // The end of the answer, a broken one, or the wait is over:
                // the probe judges what arrived.
                Ok(Ok(None) | Err(_)) | Err(_) => break,
            }
        }
        Ok(self.keep(browser, label, status, headers, body))
    }

    pub(crate) async fn mint(&self, browser: &Browser, return_url: &str) -> Result<Answer, String> {
        let body = self.mint_body(return_url);
        self.call(browser, Method::POST, &self.mint_path(), Some(&body))
            .await
    }

    /// A mint that must work: 200 with a state and an absolute authorizeUrl.
    pub(crate) async fn mint_ok(&self, browser: &Browser) -> Result<Minted, String> {
        let answer = self.mint(browser, self.options.return_url.as_str()).await?;
        let path = self.mint_path();
        if answer.status != 200 {
            return Err(format!(
                "POST {path} with a valid body answered {} (see routes.mint)",
                answer.summary()
            ));
        }
        let state = answer.json["state"].as_str().filter(|s| !s.is_empty());
        let authorize_url = answer.json["authorizeUrl"]
            .as_str()
            .and_then(|u| Url::parse(u).ok());
        match (state, authorize_url) {
            (Some(state), Some(authorize_url)) if answer.json["expiresAt"].is_string() => {
                Ok(Minted {
                    state: state.to_owned(),
                    authorize_url,
                })
            }
            _ => Err(format!(
                "POST {path} answered 200 without state, authorizeUrl and expiresAt: {}",
                answer.summary()
            )),
        }
    }

    pub(crate) async fn poll(&self, browser: &Browser, state: &str) -> Result<Answer, String> {
        self.call(
            browser,
            Method::GET,
            &format!("social/oauth-status/{state}"),
            None,
        )
        .await
    }

    pub(crate) async fn accounts(&self, browser: &Browser) -> Result<Answer, String> {
        self.call(
            browser,
            Method::GET,
            &format!("projects/{}/social-accounts", self.options.project),
            None,
        )
        .await
    }

    /// The secret of the key the proxy uses, found through the sandbox's log.
    pub(crate) fn secret_of(&self, key_id: &str) -> Option<&str> {
        self.options
            .fixtures
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .map(|k| k.secret.as_str())
    }

    pub(crate) fn organization_of(&self, key_id: &str) -> Option<&str> {
        self.options
            .fixtures
            .keys
            .iter()
            .find(|k| k.id == key_id)
            .map(|k| k.organization.as_str())
    }

    /// Every fixture secret (the kit does not know which key the partner configured).
    pub(crate) fn secrets(&self) -> Vec<String> {
        self.options
            .fixtures
            .keys
            .iter()
            .map(|k| k.secret.clone())
            .collect()
    }

    /// What the sandbox itself answers on a `/v1` route, asked directly with `key_id`'s secret.
    pub(crate) async fn sandbox_direct_headers(&self, secret: &str) -> Result<HeaderMap, String> {
        let url = self
            .options
            .sandbox
            .join(&format!(
                "v1/projects/{}/social-accounts",
                self.options.project
            ))
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .get(url)
            .bearer_auth(secret)
            .send()
            .await
            .map_err(|e| format!("the sandbox did not answer ({})", plain_error(&e)))?;
        Ok(response.headers().clone())
    }
}

/// The sandbox's `/_sandbox` controls, its request log and its consent page.
pub(crate) struct SandboxClient {
    base: Url,
    http: reqwest::Client,
}

impl SandboxClient {
    fn url(&self, path: &str) -> Result<Url, String> {
        self.base
            .join(path)
            .map_err(|e| format!("bad sandbox URL: {e}"))
    }

    async fn post(&self, path: &str, body: Option<Value>) -> Result<(), String> {
        let mut request = self.http.post(self.url(path)?);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| {
            format!(
                "the sandbox at {} did not answer {path} ({}); is it running? (--sandbox)",
                self.base,
                plain_error(&e)
            )
        })?;
        if response.status().is_success() {
            Ok(())
        } else {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            Err(format!("sandbox {path} answered {status}: {text}"))
        }
    }

    pub(crate) async fn reset(&self) -> Result<(), String> {
        self.post("_sandbox/reset", None).await
    }

    pub(crate) async fn fault(&self, fault: Value) -> Result<(), String> {
        self.post("_sandbox/faults", Some(fault)).await
    }

    pub(crate) async fn kill_switch(
        &self,
        scope: &str,
        target: Option<&str>,
    ) -> Result<(), String> {
        let mut body = json!({ "scope": scope, "enabled": true });
        if let Some(target) = target {
            body["target"] = json!(target);
        }
        self.post("_sandbox/kill-switch", Some(body)).await
    }

    async fn get_json(&self, path: &str) -> Result<Value, String> {
        let response = self
            .http
            .get(self.url(path)?)
            .send()
            .await
            .map_err(|e| format!("the sandbox did not answer {path} ({})", plain_error(&e)))?;
        response
            .json()
            .await
            .map_err(|e| format!("sandbox {path} is not JSON ({})", plain_error(&e)))
    }

    /// The `/v1` requests that reached the sandbox since the last reset.
    pub(crate) async fn calls(&self) -> Result<Vec<Call>, String> {
        let log = self.get_json("_sandbox/requests").await?;
        let entries = log["data"]
            .as_array()
            .ok_or("sandbox request log has no data array")?;
        Ok(entries
            .iter()
            .map(|e| Call {
                method: e["method"].as_str().unwrap_or_default().to_owned(),
                path: e["path"].as_str().unwrap_or_default().to_owned(),
                key_id: e["keyId"].as_str().map(str::to_owned),
                status: e["status"].as_u64().unwrap_or_default() as u16,
                request_id: e["requestId"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Plays the end-customer: opens the consent page, presses `decision`
    /// (`allow`, `deny`, …), and follows the platform's redirect to the Layers
    /// callback, which settles the attempt and redirects to the returnUrl.
    pub(crate) async fn consent(&self, authorize_url: &Url, decision: &str) -> Result<(), String> {
        let fail = |what: &str| format!("consent on {authorize_url}: {what}");
        let page = self
            .http
            .get(authorize_url.clone())
            .send()
            .await
            .map_err(|e| fail(&plain_error(&e)))?;
        if page.status() != 200 {
            return Err(fail(&format!(
                "the consent page answered {} (did the proxy change authorizeUrl?)",
                page.status()
            )));
        }
        let state = authorize_url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| fail("authorizeUrl has no state parameter"))?;
        let mut form_target = authorize_url.clone();
        form_target.set_query(None);
        let to_callback = self
            .http
            .post(form_target)
            .form(&[("state", state.as_str()), ("decision", decision)])
            .send()
            .await
            .map_err(|e| fail(&plain_error(&e)))?;
        let callback = redirect_target(authorize_url, to_callback.headers())
            .ok_or_else(|| fail("the consent form did not redirect to the callback"))?;
        let to_return = self
            .http
            .get(callback)
            .send()
            .await
            .map_err(|e| fail(&plain_error(&e)))?;
        match to_return.status().as_u16() {
            303 => Ok(()),
            other => Err(fail(&format!("the Layers callback answered {other}"))),
        }
    }
}

fn redirect_target(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let location = headers.get("location")?.to_str().ok()?;
    base.join(location).ok()
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// reqwest's error with its causes (connection refused, timed out, …).
fn plain_error(error: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
