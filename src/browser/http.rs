//! The proxy client's I/O: `fetch` with an abort handle and a deadline.
//!
//! Bodies are parsed with the browser's own `JSON.parse` and read by the
//! decoders of [`crate::json`]; request bodies are written with
//! serde-wasm-bindgen and `JSON.stringify`. serde_json would add about 17 KB
//! compressed to the bundle for work the browser already does. Everything
//! after the bytes arrive is [`crate::api::classify`], which is pure and
//! tested natively.

use super::js_json;
use crate::api::{classify, ApiError, ErrorEnvelope};
use crate::json::FromJson;
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCredentials, RequestInit, Response};

/// How long one request may take before it counts as [`ApiError::Timeout`].
/// Longer than the reference proxy's 15 s upstream timeout, so its 504 wins.
const TIMEOUT_MS: u32 = 20_000;

/// A request's abort handle: dropping it aborts the request, so a widget
/// that goes away leaves nothing in flight.
#[must_use = "dropping the handle aborts the request"]
pub struct Abort(Option<AbortController>);

impl Abort {
    /// A fresh handle (a no-op one if the browser has no AbortController).
    pub fn new() -> Self {
        Self(AbortController::new().ok())
    }

    /// The controller a request listens to; the handle keeps the power to abort.
    pub fn controller(&self) -> Option<AbortController> {
        self.0.clone()
    }
}

impl Default for Abort {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.abort();
        }
    }
}

/// `GET url`, decoded as `T`; `abort` is from [`Abort::controller`].
pub async fn get<T: FromJson>(url: &str, abort: Option<AbortController>) -> Result<T, ApiError> {
    send("GET", url, None, abort).await?.decode()
}

/// `POST url` with `body` as JSON, decoded as `T`.
pub async fn post<B: Serialize, T: FromJson>(
    url: &str,
    body: &B,
    abort: Option<AbortController>,
) -> Result<T, ApiError> {
    let json = to_json(body).ok_or(ApiError::Network)?;
    send("POST", url, Some(json), abort).await?.decode()
}

/// Serializes with the browser's JSON (see the module docs for why).
pub fn to_json<T: Serialize>(value: &T) -> Option<String> {
    let value = serde_wasm_bindgen::to_value(value).ok()?;
    js_sys::JSON::stringify(&value).ok().map(String::from)
}

/// What came back, before it is read as a route's answer. `send` is kept
/// free of the answer type so its (large) future exists once in the bundle,
/// not once per route.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    /// The body through `JSON.parse`; `None` when it is not JSON.
    body: Option<JsValue>,
}

impl Answer {
    fn decode<T: FromJson>(self) -> Result<T, ApiError> {
        let body = self.body.as_ref();
        classify(
            self.status,
            self.retry_after.as_deref(),
            || T::from_json(body?).ok(),
            || ErrorEnvelope::from_json(body?).ok(),
        )
    }
}

async fn send(
    method: &str,
    url: &str,
    body: Option<String>,
    abort: Option<AbortController>,
) -> Result<Answer, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    // The proxy binds attempts to its session cookie; same-origin only, so
    // a misconfigured cross-origin endpoint never receives it.
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("accept", "application/json");
    if let Some(body) = &body {
        let _ = headers.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);

    let timed_out = Rc::new(Cell::new(false));
    let _deadline = abort.as_ref().map(|controller| {
        init.set_signal(Some(&controller.signal()));
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || {
            timed_out.set(true);
            controller.abort();
        })
    });
    let failed = |_| {
        if timed_out.get() {
            ApiError::Timeout
        } else if abort.as_ref().is_some_and(|c| c.signal().aborted()) {
            ApiError::Aborted
        } else {
            ApiError::Network
        }
    };

    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(failed)?
        .unchecked_into();
    let status = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.map_err(failed)?.as_string().unwrap_or_default(),
        Err(_) => String::new(),
    };
    Ok(Answer { status, retry_after, body: js_json::parse(&text) })
}
