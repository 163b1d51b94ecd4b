//! The handlers' inputs, validated on the way in: a path id that can exist
//! upstream, a mint that came from an allowed page, and a mint body within
//! [`MAX_BODY_BYTES`]. Each rejects with the proxy's error envelope.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use crate::csrf::CsrfVerdict;
use crate::error::AppError;
use crate::routes::Proxy;
use crate::session::MAX_STATE_LEN;

/// Mint bodies are a few hundred bytes; anything near this is not the widget.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The one path parameter of a route (`{projectId}`, `{state}`), when it is a
/// plain Layers id (`prj_…`, `st_…`: short ASCII tokens). Anything else cannot
/// exist upstream, so it is a 404 here rather than a strange upstream path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Id(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found())?;
        if is_id(&id) {
            Ok(Self(id))
        } else {
            Err(AppError::not_found())
        }
    }
}

pub(crate) fn is_id(id: &str) -> bool {
    id.len() <= MAX_STATE_LEN && is_token(id)
}

/// Non-empty ASCII letters, digits, `_` and `-`: what an id is made of, and
/// a path segment that needs no percent-encoding (`upstream`).
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A mint from a page this proxy trusts (see `csrf`). Extracted before the
/// body, so a cross-site POST is refused before its body is read or the
/// session is touched.
#[derive(Debug)]
pub(crate) struct AllowedCaller;

impl FromRequestParts<Arc<Proxy>> for AllowedCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, proxy: &Arc<Proxy>) -> Result<Self, AppError> {
        match proxy.csrf.check(&parts.headers) {
            CsrfVerdict::Accepted => Ok(Self),
            verdict => {
                tracing::info!(?verdict, "cross-site mint refused");
                Err(AppError::csrf_rejected())
            }
        }
    }
}

/// The mint body, read by axum's `Bytes` under the router's `DefaultBodyLimit`
/// within [`crate::Config::body_timeout`].
/// A declared `Content-Length` over the limit is refused before reading, so a
/// client announcing gigabytes gets its 413 at once instead of a wait.
#[derive(Debug)]
pub(crate) struct MintBody(pub(crate) Bytes);

impl FromRequest<Arc<Proxy>> for MintBody {
    type Rejection = AppError;

    async fn from_request(request: Request, proxy: &Arc<Proxy>) -> Result<Self, AppError> {
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
            return Err(AppError::payload_too_large(MAX_BODY_BYTES));
        }
        // A whole-body deadline, not a per-chunk one: a client trickling a byte
        // at a time would otherwise hold the connection for hours.
        let read = tokio::time::timeout(proxy.body_timeout, Bytes::from_request(request, proxy));
        let Ok(read) = read.await else {
            return Err(AppError::request_timeout());
        };
        match read {
            Ok(bytes) => Ok(Self(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::payload_too_large(MAX_BODY_BYTES))
            }
            Err(rejection) => Err(AppError::validation(
                "body",
                "The request body could not be read.",
            )
            .with_cause(rejection.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_tokens() {
        assert!(is_id("prj_demo"));
        assert!(is_id("st_01HXZ8K2M4P5QRS6TUV7WXYZ9A"));
        for bad in [
            "",
            "..",
            "a/b",
            "a%2Fb",
            "a b",
            "ä",
            &"x".repeat(MAX_STATE_LEN + 1),
        ] {
            assert!(!is_id(bad), "{bad}");
        }
    }
}
