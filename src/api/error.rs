//! The crate's one error type, [`ApiError`], and Layers' error envelope it
//! is read from.

use super::{ErrorCode, KillSwitchScope};
use core::fmt;

shell_only! {
    use crate::json::{self, FromJson, Json, Mismatch};

    /// Layers' error envelope, `{"error":{"code","message","requestId","details"}}`.
    /// Every part is optional so a partial body still yields what it has.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub(crate) struct ErrorEnvelope {
        /// The error object.
        pub(crate) error: Option<ErrorBody>,
    }

    impl FromJson for ErrorEnvelope {
        fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
            json::object(v)?;
            Ok(ErrorEnvelope { error: json::opt(v, "error")? })
        }
    }

    /// The `error` object of an [`ErrorEnvelope`].
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub(crate) struct ErrorBody {
        /// Machine code such as `RATE_LIMITED`.
        pub(crate) code: Option<String>,
        /// English explanation.
        pub(crate) message: Option<String>,
        /// Correlates with Layers' logs.
        pub(crate) request_id: Option<String>,
        /// Extra data; only `scope` (of `KILL_SWITCH`) is read.
        pub(crate) details: Option<ErrorDetails>,
    }

    impl FromJson for ErrorBody {
        // An error answer is read for what it has: one odd member (a numeric
        // requestId, a string `details`) must not hide the code next to it.
        fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
            json::object(v)?;
            Ok(ErrorBody {
                code: json::opt_string(v, "code").unwrap_or_default(),
                message: json::opt_string(v, "message").unwrap_or_default(),
                request_id: json::opt_string(v, "requestId").unwrap_or_default(),
                details: json::opt(v, "details").unwrap_or_default(),
            })
        }
    }

    /// `error.details`.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub(crate) struct ErrorDetails {
        /// `key`, `organization` or `global` on `KILL_SWITCH`.
        pub(crate) scope: Option<String>,
    }

    impl FromJson for ErrorDetails {
        fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
            json::object(v)?;
            Ok(ErrorDetails { scope: json::opt_string(v, "scope").unwrap_or_default() })
        }
    }
}

/// The crate's one error type: why a request to the proxy did not yield its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an HTTP answer (offline, DNS, CORS, connection reset).
    Network,
    /// The shell gave up waiting for the answer.
    Timeout,
    /// The shell aborted the request.
    Aborted,
    /// A non-2xx answer. Fields the body did not carry are `None`.
    Http {
        /// HTTP status.
        status: u16,
        /// `error.code`, when the body was an error envelope.
        code: Option<ErrorCode>,
        /// `error.message`.
        message: Option<String>,
        /// `error.requestId`, to quote to Layers support.
        request_id: Option<String>,
        /// `Retry-After` in seconds (an HTTP-date reads as unknown).
        retry_after: Option<u32>,
        /// `error.details.scope` of a `KILL_SWITCH`.
        scope: Option<KillSwitchScope>,
    },
    /// A 2xx answer whose body is not the documented JSON.
    Malformed {
        /// HTTP status.
        status: u16,
    },
}

impl ApiError {
    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } | ApiError::Malformed { status } => Some(*status),
            _ => None,
        }
    }

    /// The kill-switch scope when this is a `503 KILL_SWITCH`.
    pub fn kill_switch(&self) -> Option<KillSwitchScope> {
        match self {
            ApiError::Http {
                status: 503,
                code: Some(ErrorCode::KillSwitch),
                scope,
                ..
            } => Some(
                scope
                    .clone()
                    .unwrap_or(KillSwitchScope::Other(String::new())),
            ),
            _ => None,
        }
    }

    /// A short machine code for events: the API's code (`RETURN_URL_NOT_ALLOWED`),
    /// else `HTTP_<status>`, `NETWORK`, `TIMEOUT`, `ABORTED` or `MALFORMED_RESPONSE`.
    pub fn code(&self) -> String {
        match self {
            ApiError::Network => "NETWORK".into(),
            ApiError::Timeout => "TIMEOUT".into(),
            ApiError::Aborted => "ABORTED".into(),
            ApiError::Http {
                code: Some(code), ..
            } => code.as_str().into(),
            ApiError::Http { status, .. } => format!("HTTP_{status}"),
            ApiError::Malformed { .. } => "MALFORMED_RESPONSE".into(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => {
                f.write_str("could not reach the proxy (network error, CORS or offline)")
            }
            ApiError::Timeout => f.write_str("the proxy did not answer in time"),
            ApiError::Aborted => f.write_str("the request was aborted"),
            ApiError::Malformed { status } => {
                write!(
                    f,
                    "the proxy answered HTTP {status} with a body that is not the documented JSON"
                )
            }
            ApiError::Http {
                status,
                code,
                message,
                request_id,
                scope,
                ..
            } => {
                write!(f, "HTTP {status}")?;
                if let Some(code) = code {
                    write!(f, " {}", code.as_str())?;
                }
                if let Some(message) = message {
                    write!(f, ": {message}")?;
                }
                // What the integrator should do next, for the codes that have one answer.
                let hint = match code {
                    Some(ErrorCode::ReturnUrlNotAllowed) => {
                        " (add returnUrl to the key's return_url_allowlist)"
                    }
                    Some(ErrorCode::ForbiddenScope) => {
                        " (the key needs social:write and social:read)"
                    }
                    Some(ErrorCode::Unauthenticated) => " (check the proxy's Layers API key)",
                    Some(ErrorCode::NotFound) => {
                        " (check projectId, and that one key mints and polls)"
                    }
                    _ => "",
                };
                f.write_str(hint)?;
                if let Some(scope) = scope {
                    write!(f, " [scope: {}]", scope.as_str())?;
                }
                if let Some(id) = request_id {
                    write!(f, " [requestId: {id}]")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ApiError {}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::response::decode;
    use crate::api::{OAuthStatus, OAuthUrl};

    #[test]
    fn one_odd_member_of_an_error_answer_does_not_hide_the_rest() {
        let body = r#"{"error":{"code":"KILL_SWITCH","requestId":12345,"details":"organization","message":"off"}}"#;
        let error = decode::<OAuthStatus>(503, Some("60"), body).unwrap_err();
        assert_eq!(
            error,
            ApiError::Http {
                status: 503,
                code: Some(ErrorCode::KillSwitch),
                message: Some("off".into()),
                request_id: None,
                retry_after: Some(60),
                scope: None,
            }
        );
        // An `error` that is not an object is no envelope at all.
        let error = decode::<OAuthStatus>(500, None, r#"{"error":"boom"}"#).unwrap_err();
        assert!(matches!(error, ApiError::Http { status: 500, code: None, message: None, .. }), "{error:?}");
    }

    #[test]
    fn error_envelope_is_read_tolerantly() {
        let body = r#"{"error":{"code":"RATE_LIMITED","message":"Polling budget exhausted.","requestId":"req_1","unknown":true}}"#;
        assert_eq!(
            decode::<OAuthStatus>(429, Some("12"), body),
            Err(ApiError::Http {
                status: 429,
                code: Some(ErrorCode::RateLimited),
                message: Some("Polling budget exhausted.".into()),
                request_id: Some("req_1".into()),
                retry_after: Some(12),
                scope: None,
            })
        );
        let kill = r#"{"error":{"code":"KILL_SWITCH","details":{"scope":"global","since":"x"}}}"#;
        let error = decode::<OAuthStatus>(503, None, kill).unwrap_err();
        assert_eq!(error.kill_switch(), Some(KillSwitchScope::Global));
        assert_eq!(error.code(), "KILL_SWITCH");
        // Missing message and requestId.
        let bare = decode::<OAuthUrl>(403, None, r#"{"error":{"code":"RETURN_URL_NOT_ALLOWED"}}"#)
            .unwrap_err();
        assert!(matches!(
            bare,
            ApiError::Http {
                code: Some(ErrorCode::ReturnUrlNotAllowed),
                message: None,
                request_id: None,
                ..
            }
        ));
        // A gateway's HTML page keeps its status and Retry-After.
        let html = decode::<OAuthUrl>(502, Some("30"), "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!(
            html,
            ApiError::Http {
                status: 502,
                code: None,
                message: None,
                request_id: None,
                retry_after: Some(30),
                scope: None
            }
        );
        assert_eq!(html.code(), "HTTP_502");
        // The proxy's own codes are kept verbatim.
        let csrf = decode::<OAuthUrl>(
            403,
            None,
            r#"{"error":{"code":"CSRF","message":"bad origin"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(csrf, ApiError::Http { code: Some(ErrorCode::Other(ref c)), .. } if c == "CSRF")
        );
        // An unknown scope is kept too.
        let scope = decode::<OAuthUrl>(
            503,
            None,
            r#"{"error":{"code":"KILL_SWITCH","details":{"scope":"region"}}}"#,
        );
        assert_eq!(
            scope.unwrap_err().kill_switch(),
            Some(KillSwitchScope::Other("region".into()))
        );
    }

    #[test]
    fn display_text_helps_integrators() {
        let error = ApiError::Http {
            status: 403,
            code: Some(ErrorCode::ReturnUrlNotAllowed),
            message: Some("returnUrl not allowed".into()),
            request_id: Some("req_9".into()),
            retry_after: None,
            scope: None,
        };
        assert_eq!(
            error.to_string(),
            "HTTP 403 RETURN_URL_NOT_ALLOWED: returnUrl not allowed (add returnUrl to the key's return_url_allowlist) [requestId: req_9]"
        );
        assert_eq!(
            ApiError::Malformed { status: 200 }.to_string(),
            "the proxy answered HTTP 200 with a body that is not the documented JSON"
        );
        assert_eq!(ApiError::Network.code(), "NETWORK");
    }
}
