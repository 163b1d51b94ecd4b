//! The proxy's own errors and the envelope they render as, the same as Layers':
//! `{"error":{"code","message","requestId","details"?}}` plus `x-request-id`.

use std::borrow::Cow;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `prx_` + a UUID: visibly the proxy's, not a Layers request id.
pub(crate) fn new_request_id() -> String {
    format!("prx_{}", uuid::Uuid::new_v4().simple())
}

/// An answer the proxy gives itself. The message is written for the caller;
/// `cause` (internal detail, e.g. a connection error) is only logged, by the
/// access log, which finds it in the response's [`Refusal`] extension.
#[derive(Debug)]
pub(crate) struct AppError(Box<Inner>);

// Boxed: errors travel through every `Result` of the request path; keep those small.
#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    details: Option<Value>,
    retry_after: Option<HeaderValue>,
    cause: Option<String>,
}

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            cause: None,
        }))
    }

    pub(crate) fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    pub(crate) fn with_retry_after(mut self, value: Option<HeaderValue>) -> Self {
        self.0.retry_after = value;
        self
    }

    pub(crate) fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    /// The code and internal cause, for the log line of work no response
    /// renders (the outcome stream's check).
    pub(crate) fn log_fields(&self) -> (&'static str, Option<&str>) {
        (self.0.code, self.0.cause.as_deref())
    }

    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.0.code
    }

    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.0.status
    }

    /// Same answer as Layers for an unknown state or a project outside the org,
    /// so a caller cannot tell "not yours" from "does not exist".
    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found.")
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed on this route.",
        )
    }

    pub(crate) fn csrf_rejected() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "CSRF_REJECTED",
            "This request did not come from an allowed page (Origin / Sec-Fetch-Site).",
        )
    }

    pub(crate) fn validation(field: &str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION", message)
            .with_details(json!({ "field": field }))
    }

    pub(crate) fn return_url_not_allowed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "RETURN_URL_NOT_ALLOWED",
            "returnUrl is not in this proxy's allowlist.",
        )
        .with_details(json!({ "field": "returnUrl" }))
    }

    pub(crate) fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "Request body is too large.",
        )
        .with_details(json!({ "limitBytes": limit }))
    }

    /// The mint body did not arrive within the body timeout. The server closes
    /// the connection after this answer: the rest of the body is never read.
    pub(crate) fn request_timeout() -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "REQUEST_TIMEOUT",
            "The request body did not arrive in time.",
        )
    }

    pub(crate) fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "Too many authorize URLs minted from this browser session; retry later.",
        )
        .with_details(json!({ "scope": "session" }))
        .with_retry_after(Some(HeaderValue::from(retry_after_secs)))
    }

    /// A webhook delivery that is not well-formed (missing or malformed
    /// Standard Webhooks headers, a body that is not the event JSON).
    pub(crate) fn webhook_malformed(field: &str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "WEBHOOK_MALFORMED", message)
            .with_details(json!({ "field": field }))
    }

    /// A webhook whose signature does not verify with the configured secret.
    pub(crate) fn webhook_signature_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "WEBHOOK_SIGNATURE_INVALID",
            "No webhook-signature entry verifies with this proxy's webhook secret.",
        )
    }

    /// A webhook whose `webhook-timestamp` is outside the tolerance.
    pub(crate) fn webhook_timestamp_stale(tolerance_secs: u64) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "WEBHOOK_TIMESTAMP_STALE",
            "webhook-timestamp is too far from this proxy's clock.",
        )
        .with_details(json!({ "toleranceSeconds": tolerance_secs }))
    }

    /// A webhook id this proxy (or, with Redis, any instance) already accepted.
    pub(crate) fn webhook_replayed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "WEBHOOK_REPLAYED",
            "This webhook-id was already received.",
        )
    }

    /// The process already holds its maximum of open outcome streams.
    pub(crate) fn streams_exhausted() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "STREAMS_EXHAUSTED",
            "Too many open outcome streams; poll oauth-status instead.",
        )
        .with_retry_after(Some(HeaderValue::from_static("30")))
    }

    pub(crate) fn upstream_unavailable() -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_UNAVAILABLE",
            "The Layers API could not be reached.",
        )
    }

    pub(crate) fn upstream_timeout() -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "UPSTREAM_TIMEOUT",
            "The Layers API did not answer in time.",
        )
    }

    pub(crate) fn upstream_invalid(upstream_status: u16) -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "UPSTREAM_INVALID",
            "The Layers API sent an answer this proxy cannot read.",
        )
        .with_details(json!({ "upstreamStatus": upstream_status }))
    }
}

/// What the access log needs to know about an error the proxy rendered itself:
/// its code and internal cause. Travels as a response extension (never on the
/// wire), so rendering stays free of side effects.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    pub(crate) code: &'static str,
    pub(crate) cause: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let error = *self.0;
        let request_id = new_request_id();
        let mut envelope =
            json!({ "code": error.code, "message": error.message, "requestId": request_id });
        if let Some(details) = error.details {
            envelope["details"] = details;
        }
        let mut response = (error.status, axum::Json(json!({ "error": envelope }))).into_response();
        let headers = response.headers_mut();
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            headers.insert(X_REQUEST_ID, id);
        }
        if let Some(retry_after) = error.retry_after {
            headers.insert(header::RETRY_AFTER, retry_after);
        }
        response.extensions_mut().insert(Refusal {
            code: error.code,
            cause: error.cause,
        });
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn render(error: AppError) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = error.into_response();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            serde_json::from_slice(&bytes).unwrap(),
        )
    }

    #[tokio::test]
    async fn envelope_shape_and_request_id_header_agree() {
        let (status, headers, body) = render(AppError::not_found()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "NOT_FOUND");
        assert!(body["error"]["message"].is_string());
        let id = body["error"]["requestId"].as_str().unwrap();
        assert!(id.starts_with("prx_"));
        assert_eq!(headers[X_REQUEST_ID], id);
        assert!(body["error"].get("details").is_none());
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    }

    #[tokio::test]
    async fn cause_is_never_rendered() {
        let error =
            AppError::upstream_unavailable().with_cause("connect error: 10.0.0.7:443 refused");
        let (status, _, body) = render(error).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(!body.to_string().contains("10.0.0.7"));
    }

    #[test]
    fn cause_is_handed_to_the_access_log_only() {
        let response = AppError::upstream_unavailable()
            .with_cause("connect error: 10.0.0.7:443 refused")
            .into_response();
        let refusal = response.extensions().get::<Refusal>().expect("refusal");
        assert_eq!(refusal.code, "UPSTREAM_UNAVAILABLE");
        assert_eq!(
            refusal.cause.as_deref(),
            Some("connect error: 10.0.0.7:443 refused")
        );
        assert!(response
            .headers()
            .values()
            .all(|v| !v.as_bytes().starts_with(b"connect")));
    }

    #[tokio::test]
    async fn rate_limited_carries_retry_after() {
        let (status, headers, body) = render(AppError::rate_limited(42)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(headers[header::RETRY_AFTER], "42");
        assert_eq!(body["error"]["code"], "RATE_LIMITED");
        assert_eq!(body["error"]["details"]["scope"], "session");
    }
}
