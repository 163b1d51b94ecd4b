//! Cross-site request forgery guard for the one state-changing route.
//!
//! A browser cannot forge `Origin` or `Sec-Fetch-Site` (both are forbidden
//! header names for page scripts), so they tell us which page sent a POST:
//!
//! 1. `Sec-Fetch-Site: same-origin` → accepted (the page is on the proxy's origin).
//! 2. `Origin` in the configured allowed origins → accepted (the page lives on
//!    another origin the partner trusts, or an older browser without Sec-Fetch-*).
//! 3. Neither header → a non-browser client (curl, a server). Rejected unless
//!    [`crate::Config::allow_requests_without_origin`] says otherwise: every
//!    browser sends `Origin` on a POST, so the widget never lands here.
//! 4. Anything else (`cross-site`, `same-site`, `none`, an unknown or `null`
//!    Origin) → rejected.

use axum::http::HeaderMap;

/// The CSRF settings of a proxy.
#[derive(Debug, Clone, Default)]
pub(crate) struct CsrfPolicy {
    pub(crate) allowed_origins: std::collections::HashSet<String>,
    pub(crate) allow_requests_without_origin: bool,
}

/// Why a request was refused; only logged, the caller sees one generic answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsrfVerdict {
    Accepted,
    ForeignOrigin,
    CrossSiteFetch,
    NoBrowserHeaders,
}

impl CsrfPolicy {
    pub(crate) fn check(&self, headers: &HeaderMap) -> CsrfVerdict {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let origin = header("origin");
        let fetch_site = header("sec-fetch-site");

        if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("same-origin")) {
            return CsrfVerdict::Accepted;
        }
        if let Some(origin) = origin {
            let origin = origin.to_ascii_lowercase();
            return if self.allowed_origins.contains(&origin) {
                CsrfVerdict::Accepted
            } else {
                CsrfVerdict::ForeignOrigin
            };
        }
        match fetch_site {
            Some(_) => CsrfVerdict::CrossSiteFetch,
            None if self.allow_requests_without_origin => CsrfVerdict::Accepted,
            None => CsrfVerdict::NoBrowserHeaders,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CsrfPolicy {
        CsrfPolicy {
            allowed_origins: ["https://app.example.com".to_owned()].into(),
            allow_requests_without_origin: false,
        }
    }

    fn check(policy: &CsrfPolicy, pairs: &[(&'static str, &'static str)]) -> CsrfVerdict {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        policy.check(&headers)
    }

    #[test]
    fn same_origin_fetch_is_accepted() {
        assert_eq!(
            check(&policy(), &[("sec-fetch-site", "same-origin")]),
            CsrfVerdict::Accepted
        );
        assert_eq!(
            check(
                &policy(),
                &[
                    ("sec-fetch-site", "same-origin"),
                    ("origin", "http://127.0.0.1:8080")
                ]
            ),
            CsrfVerdict::Accepted
        );
    }

    #[test]
    fn allowed_origin_is_accepted_with_or_without_fetch_metadata() {
        assert_eq!(
            check(&policy(), &[("origin", "https://app.example.com")]),
            CsrfVerdict::Accepted
        );
        assert_eq!(
            check(&policy(), &[("origin", "https://APP.example.com")]),
            CsrfVerdict::Accepted
        );
        assert_eq!(
            check(
                &policy(),
                &[
                    ("origin", "https://app.example.com"),
                    ("sec-fetch-site", "same-site")
                ]
            ),
            CsrfVerdict::Accepted
        );
    }

    #[test]
    fn foreign_origins_are_rejected() {
        for origin in [
            "https://evil.test",
            "null",
            "https://app.example.com.evil.test",
            "http://app.example.com",
        ] {
            assert_eq!(
                check(&policy(), &[("origin", origin)]),
                CsrfVerdict::ForeignOrigin,
                "{origin}"
            );
        }
        assert_eq!(
            check(
                &policy(),
                &[
                    ("origin", "https://evil.test"),
                    ("sec-fetch-site", "cross-site")
                ]
            ),
            CsrfVerdict::ForeignOrigin
        );
    }

    #[test]
    fn cross_site_fetch_metadata_without_origin_is_rejected() {
        for site in ["cross-site", "same-site", "none"] {
            assert_eq!(
                check(&policy(), &[("sec-fetch-site", site)]),
                CsrfVerdict::CrossSiteFetch,
                "{site}"
            );
        }
    }

    #[test]
    fn no_browser_headers_is_rejected_unless_opted_in() {
        assert_eq!(check(&policy(), &[]), CsrfVerdict::NoBrowserHeaders);
        let lenient = CsrfPolicy {
            allow_requests_without_origin: true,
            ..policy()
        };
        assert_eq!(check(&lenient, &[]), CsrfVerdict::Accepted);
        // Opting in for non-browsers never lets a foreign browser page through.
        assert_eq!(
            check(&lenient, &[("origin", "https://evil.test")]),
            CsrfVerdict::ForeignOrigin
        );
        assert_eq!(
            check(&lenient, &[("sec-fetch-site", "cross-site")]),
            CsrfVerdict::CrossSiteFetch
        );
    }
}
