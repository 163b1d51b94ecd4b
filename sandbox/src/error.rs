//! The one error type of the JSON surfaces, and the envelope it renders as.
//!
//! Envelope (the sandbox's reading of Layers' "canonical envelope"):
//! `{"error":{"code","message","requestId","details"?}}`.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

tokio::task_local! {
    /// The id of the /v1 request being served, set by the API middleware so an
    /// error built anywhere below it carries the same id as the `x-request-id` header.
    pub(crate) static REQUEST_ID: String;
}

/// `req_` + a ULID.
pub(crate) fn new_request_id() -> String {
    format!("req_{}", ulid::Ulid::new())
}

/// An error answer. Messages are written for the caller and never contain
/// internals or credentials.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: Cow<'static, str>,
    message: Cow<'static, str>,
    details: Option<Value>,
    retry_after: Option<u64>,
    /// Fault injection: answer a body that is not JSON.
    malformed: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            details: None,
            retry_after: None,
            malformed: false,
        }
    }

    fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub(crate) fn validation(field: &str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION", message)
            .with_details(json!({ "field": field }))
    }

    pub(crate) fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Missing or invalid API key. Send `Authorization: Bearer <key>`.",
        )
    }

    pub(crate) fn forbidden_scope(scope: &'static str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_SCOPE",
            format!("This API key lacks the {scope} scope."),
        )
        .with_details(json!({ "requiredScope": scope }))
    }

    pub(crate) fn return_url_not_allowed() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "RETURN_URL_NOT_ALLOWED",
            "returnUrl is not in this key's return_url_allowlist. Add it via ladmin, then retry.",
        )
    }

    pub(crate) fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "This route does not accept that method.",
        )
    }

    pub(crate) fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "Request budget exhausted. Retry after the number of seconds in Retry-After.",
        )
        .with_details(json!({ "retryAfter": retry_after_secs }));
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// The per-state poll budget is spent (see `poll_budget`): same code and
    /// headers as the key budget, with a message that names the cause.
    pub(crate) fn state_polled_too_fast(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "This state is polled faster than its poll budget allows (Layers: about once every 5 s). \
             Retry after the number of seconds in Retry-After.",
        )
        .with_details(json!({ "retryAfter": retry_after_secs }));
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// A `/_sandbox` control request from a browser origin that may not drive the sandbox.
    pub(crate) fn foreign_control_origin() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN_ORIGIN",
            "This origin may not drive the sandbox's controls. \
             Start the sandbox with --control-origin <origin> to allow it.",
        )
    }

    pub(crate) fn kill_switch(scope: &str) -> Self {
        let whose = match scope {
            "key" => "this API key",
            "organization" => "your organization",
            _ => "the partner API",
        };
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "KILL_SWITCH",
            format!("Access has been disabled for {whose}."),
        )
        .with_details(json!({ "scope": scope }))
    }

    /// An injected fault: any status, with a code that defaults from the status.
    pub(crate) fn injected(
        status: StatusCode,
        code: Option<String>,
        message: Option<String>,
        retry_after: Option<u64>,
        malformed: bool,
    ) -> Self {
        let default_code = match status.as_u16() {
            400 => "VALIDATION",
            401 => "UNAUTHENTICATED",
            403 => "FORBIDDEN_SCOPE",
            404 => "NOT_FOUND",
            429 => "RATE_LIMITED",
            503 => "KILL_SWITCH",
            _ => "INTERNAL",
        };
        let code: Cow<'static, str> = code.map(Cow::Owned).unwrap_or(Cow::Borrowed(default_code));
        let message = message
            .map(Cow::Owned)
            .unwrap_or(Cow::Borrowed(match code.as_ref() {
                "INTERNAL" => {
                    "Internal error. Retry with backoff; quote the requestId if it persists."
                }
                _ => "Injected sandbox fault.",
            }));
        let details = (code == "KILL_SWITCH").then(|| json!({ "scope": "global" }));
        Self {
            status,
            code,
            message,
            details,
            retry_after,
            malformed,
        }
    }
}

#[derive(serde::Serialize)]
struct Envelope<'a> {
    error: EnvelopeError<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvelopeError<'a> {
    code: &'a str,
    message: &'a str,
    request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = REQUEST_ID
            .try_with(Clone::clone)
            .unwrap_or_else(|_| new_request_id());
        let mut response = if self.malformed {
            // What a broken gateway in front of an API tends to send.
            (
                self.status,
                [(header::CONTENT_TYPE, "application/json")],
                "<html><body>502 Bad Gateway</body></html>{\"error\":",
            )
                .into_response()
        } else {
            let envelope = Envelope {
                error: EnvelopeError {
                    code: &self.code,
                    message: &self.message,
                    request_id: &request_id,
                    details: self.details.as_ref(),
                },
            };
            (self.status, axum::Json(envelope)).into_response()
        };
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
