//! The one place that talks to Layers and the one place that reads the key.
//!
//! Nothing from the browser's request goes up except the validated JSON body
//! and the path ids; nothing from Layers' answer comes down except the status,
//! the JSON body, `Retry-After` and `x-request-id`.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::config::ApiKey;
use crate::error::{AppError, X_REQUEST_ID};

/// Upstream answers larger than this are not a Layers answer.
const MAX_UPSTREAM_BODY: usize = 1024 * 1024;

/// A pooled, redirect-free client for one Layers base URL and key.
#[derive(Clone)]
pub(crate) struct LayersClient {
    http: reqwest::Client,
    base: Url,
    key: ApiKey,
}

/// What comes back down from Layers (already checked to be JSON).
#[derive(Debug)]
pub(crate) struct UpstreamReply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) json: serde_json::Value,
    retry_after: Option<HeaderValue>,
    request_id: Option<HeaderValue>,
}

impl LayersClient {
    pub(crate) fn new(
        base: Url,
        key: ApiKey,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            // A redirect would carry the key somewhere we did not choose.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("layers-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a rustls client with static settings always builds");
        Self { http, base, key }
    }

    /// Sends `method /v1/<segments…>` with the key and an optional JSON body.
    /// Segments are percent-encoded one by one, so an id can never add a path level.
    pub(crate) async fn send(
        &self,
        method: Method,
        segments: &[&str],
        json_body: Option<Vec<u8>>,
    ) -> Result<UpstreamReply, AppError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("an http(s) base URL has path segments")
            .pop_if_empty()
            .push("v1")
            .extend(segments);

        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(self.key.expose())
            .header(header::ACCEPT, "application/json");
        if let Some(body) = json_body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }

        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
        let request_id = response.headers().get(X_REQUEST_ID).cloned();

        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() + chunk.len() > MAX_UPSTREAM_BODY {
                return Err(AppError::upstream_invalid(status.as_u16())
                    .with_retry_after(retry_after)
                    .with_cause("upstream body exceeds 1 MiB"));
            }
            body.extend_from_slice(&chunk);
        }
        let body = Bytes::from(body);

        let invalid = |why: &str| {
            AppError::upstream_invalid(status.as_u16())
                .with_retry_after(retry_after.clone())
                .with_cause(format!("{why} (upstream request id {:?})", request_id))
        };
        let json: serde_json::Value =
            serde_json::from_slice(&body).map_err(|_| invalid("body is not JSON"))?;
        if !(status.is_success() || status.is_client_error() || status.is_server_error()) {
            return Err(invalid(
                "unexpected status class (redirects are not followed)",
            ));
        }
        if !status.is_success() && !is_error_envelope(&json) {
            return Err(invalid("error body is not the Layers envelope"));
        }
        Ok(UpstreamReply {
            status,
            body,
            json,
            retry_after,
            request_id,
        })
    }
}

fn is_error_envelope(json: &serde_json::Value) -> bool {
    json.get("error")
        .and_then(|e| e.get("code"))
        .is_some_and(serde_json::Value::is_string)
}

/// Timeout (connect or total) → 504; refused, reset, DNS, TLS → 502.
fn transport_error(error: reqwest::Error) -> AppError {
    let timed_out = error.is_timeout();
    // `without_url`: the URL holds a state token (the key is never in it).
    let cause = error_chain(&error.without_url());
    if timed_out {
        AppError::upstream_timeout().with_cause(cause)
    } else {
        AppError::upstream_unavailable().with_cause(cause)
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

impl IntoResponse for UpstreamReply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(value) = self.retry_after {
            headers.insert(header::RETRY_AFTER, value);
        }
        match self.request_id {
            Some(id) => {
                headers.insert(X_REQUEST_ID, id);
            }
            None => {
                if let Ok(id) = HeaderValue::from_str(&crate::error::new_request_id()) {
                    headers.insert(X_REQUEST_ID, id);
                }
            }
        }
        response
    }
}
