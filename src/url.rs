//! The one test for "an http(s) URL", for every URL that becomes a link, an
//! image or a navigation (the authorize URL, the account's avatar), so a
//! `javascript:` or `data:` URL from a server never reaches the page.

/// Whether `url` starts with `http://` or `https://`. The scheme is
/// case-insensitive (RFC 3986 §3.1), so `HTTPS://` is one too.
pub(crate) fn is_http_url(url: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|scheme| url.get(..scheme.len()).is_some_and(|p| p.eq_ignore_ascii_case(scheme)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_in_any_case() {
        for yes in ["https://a.example/x", "http://a.example", "HTTPS://A.EXAMPLE/", "Http://a"] {
            assert!(is_http_url(yes), "{yes}");
        }
        for no in ["javascript:alert(1)", "data:image/png;base64,AA", "//a.example", "/path", "", "https:/x", "httpx://a", "é"] {
            assert!(!is_http_url(no), "{no}");
        }
    }
}
