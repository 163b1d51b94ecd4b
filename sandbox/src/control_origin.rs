//! Who may drive `/_sandbox/*` from a browser.
//!
//! The controls change what the sandbox answers (faults, kill switch, reset),
//! so "any origin" would let any website a developer visits drive their local
//! sandbox. Only configured origins (and the sandbox's own) get CORS; a
//! state-changing request that names any other `Origin` is refused outright,
//! because a simple cross-site POST reaches the server without a preflight.
//! Requests without an `Origin` (curl, scripts, tests) are not browsers' cross-site
//! requests and keep working.

use axum::http::{HeaderValue, Method};
use url::Url;

/// What to do with one control request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No `Origin` header: not a cross-site browser request. Serve, no CORS headers.
    NoOrigin,
    /// An allowed origin: serve and echo it in `Access-Control-Allow-Origin`.
    Allowed(HeaderValue),
    /// Another origin on a read (GET/HEAD): serve without CORS headers, so the
    /// browser keeps the answer from the page (an `<img>` of an avatar still loads).
    ForeignRead,
    /// Another origin on anything else, preflight included: refuse (403).
    ForeignWrite,
}

/// Decides from the `Origin` header, the method, and which origins are allowed.
pub(crate) fn judge(
    origin: Option<&HeaderValue>,
    method: &Method,
    is_allowed: impl Fn(&Url) -> bool,
) -> Verdict {
    let Some(value) = origin else {
        return Verdict::NoOrigin;
    };
    // `null` (sandboxed frames, file: pages) and garbage parse to nothing allowed.
    let allowed = value
        .to_str()
        .ok()
        .and_then(|raw| Url::parse(raw).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .is_some_and(|url| is_allowed(&url));
    if allowed {
        Verdict::Allowed(value.clone())
    } else if *method == Method::GET || *method == Method::HEAD {
        Verdict::ForeignRead
    } else {
        Verdict::ForeignWrite
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo_only(url: &Url) -> bool {
        url.origin() == Url::parse("http://127.0.0.1:8080").unwrap().origin()
    }

    fn judge_str(origin: Option<&str>, method: Method) -> Verdict {
        let value = origin.map(|o| HeaderValue::from_str(o).unwrap());
        judge(value.as_ref(), &method, demo_only)
    }

    #[test]
    fn the_allowed_origin_is_echoed_whatever_the_method() {
        for method in [Method::GET, Method::POST, Method::OPTIONS] {
            assert_eq!(
                judge_str(Some("http://127.0.0.1:8080"), method),
                Verdict::Allowed(HeaderValue::from_static("http://127.0.0.1:8080"))
            );
        }
    }

    #[test]
    fn no_origin_is_served() {
        assert_eq!(judge_str(None, Method::POST), Verdict::NoOrigin);
    }

    #[test]
    fn other_origins_are_refused_on_writes_and_not_helped_on_reads() {
        for foreign in [
            "https://evil.example",
            "http://127.0.0.1:8081",
            "http://localhost:8080",
            "https://127.0.0.1:8080",
            "http://127.0.0.1:8080.evil.example",
            "null",
            "file://",
            "",
        ] {
            assert_eq!(
                judge_str(Some(foreign), Method::POST),
                Verdict::ForeignWrite,
                "{foreign}"
            );
            assert_eq!(
                judge_str(Some(foreign), Method::OPTIONS),
                Verdict::ForeignWrite,
                "{foreign}"
            );
            assert_eq!(
                judge_str(Some(foreign), Method::GET),
                Verdict::ForeignRead,
                "{foreign}"
            );
        }
    }
}
