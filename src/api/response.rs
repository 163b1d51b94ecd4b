//! HTTP status classification: a finished exchange becomes the route's
//! typed answer or an [`ApiError`].

use super::error::ErrorEnvelope;
use super::{ApiError, ErrorCode, KillSwitchScope};

/// Reads a `Retry-After` header: delta-seconds only. An HTTP-date, or
/// anything else, is `None`, which the poll policy treats as "use the backoff".
pub(crate) fn parse_retry_after(header: &str) -> Option<u32> {
    let s = header.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // More digits than a u32 holds still means "a long time".
    Some(s.parse().unwrap_or(u32::MAX))
}

/// Turns a finished HTTP exchange into the typed answer or an [`ApiError`].
///
/// `decode_success` and `decode_error` decode the body as the route's answer
/// or as Layers' [`ErrorEnvelope`] (see `crate::json`); only the one the
/// status calls for runs, and `None` means the body is not that.
/// A 2xx body that does not decode is [`ApiError::Malformed`]; a non-2xx one
/// that does not decode (an HTML error page from a gateway) is still
/// [`ApiError::Http`] with its status and `Retry-After`, because the status
/// is what the poll policy acts on.
pub(crate) fn classify<T>(
    status: u16,
    retry_after: Option<&str>,
    decode_success: impl FnOnce() -> Option<T>,
    decode_error: impl FnOnce() -> Option<ErrorEnvelope>,
) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        return decode_success().ok_or(ApiError::Malformed { status });
    }
    let body = decode_error().and_then(|e| e.error).unwrap_or_default();
    Err(ApiError::Http {
        status,
        // `"code":""` names no code: the event's code is then `HTTP_<status>`, never empty.
        code: body.code.filter(|c| !c.is_empty()).map(ErrorCode::from),
        message: body.message,
        request_id: body.request_id,
        retry_after: retry_after.and_then(parse_retry_after),
        scope: body.details.and_then(|d| d.scope).map(KillSwitchScope::from),
    })
}

/// Decodes `body` as the browser shell would: the tests' way to run a whole
/// answer (status, `Retry-After`, body) through [`classify`].
#[cfg(test)]
pub(crate) fn decode<T: crate::json::FromJson>(status: u16, retry_after: Option<&str>, body: &str) -> Result<T, ApiError> {
    classify(status, retry_after, || crate::json::parse(body).ok(), || crate::json::parse(body).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ErrorBody;
    use crate::api::OAuthStatus;

    #[test]
    fn only_the_decoder_the_status_calls_for_runs() {
        let envelope = ErrorEnvelope { error: Some(ErrorBody { code: Some("RATE_LIMITED".into()), ..Default::default() }) };
        let answer: Result<OAuthStatus, ApiError> =
            classify(429, Some("12"), || panic!("a 429 is not a success body"), || Some(envelope));
        assert!(matches!(answer, Err(ApiError::Http { status: 429, retry_after: Some(12), .. })));
        assert_eq!(answer.unwrap_err().code(), "RATE_LIMITED");
        let ok: Result<OAuthStatus, ApiError> =
            classify(200, None, || Some(OAuthStatus::Pending), || panic!("a 200 is not an error body"));
        assert_eq!(ok, Ok(OAuthStatus::Pending));
    }

    #[test]
    fn retry_after_is_delta_seconds_only() {
        assert_eq!(parse_retry_after("12"), Some(12));
        assert_eq!(parse_retry_after(" 0 "), Some(0));
        assert_eq!(parse_retry_after("99999999999"), Some(u32::MAX));
        for unknown in [
            "",
            "Wed, 21 Oct 2026 07:28:00 GMT",
            "-1",
            "1.5",
            "+3",
            "soon",
        ] {
            assert_eq!(parse_retry_after(unknown), None, "{unknown:?}");
        }
    }
}
