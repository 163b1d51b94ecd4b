//! The proxy's route paths, which mirror Layers' without `/v1`, and how
//! their URLs are built from the endpoint and ids.


/// `{endpoint}/projects/{projectId}/social/oauth-url`.
pub(crate) fn oauth_url_url(endpoint: &str, project_id: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/projects/");
    push_segment(&mut url, project_id);
    url.push_str("/social/oauth-url");
    url
}

/// `{endpoint}/social/oauth-status/{state}`.
pub(crate) fn oauth_status_url(endpoint: &str, state: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/social/oauth-status/");
    push_segment(&mut url, state);
    url
}

/// `{endpoint}/social/oauth-events/{state}`: the outcome stream, built
/// like the poll URL.
/// With `check`, `?check=1`: the proxy may poll once on a nudge for us
/// (`crate::flow::stream`, rule 5).
pub(crate) fn oauth_events_url(endpoint: &str, state: &str, check: bool) -> String {
    let mut url = base(endpoint);
    url.push_str("/social/oauth-events/");
    push_segment(&mut url, state);
    if check {
        url.push_str("?check=1");
    }
    url
}

/// `{endpoint}/projects/{projectId}/social-accounts`.
pub(crate) fn social_accounts_url(endpoint: &str, project_id: &str) -> String {
    let mut url = base(endpoint);
    url.push_str("/projects/");
    push_segment(&mut url, project_id);
    url.push_str("/social-accounts");
    url
}

fn base(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').to_owned()
}

// Percent-encodes everything but RFC 3986 unreserved characters, so an id
// can never add a path segment or a query to the proxy's URL.
fn push_segment(out: &mut String, segment: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_urls_encode_their_segments() {
        assert_eq!(
            oauth_url_url("https://p.example/layers/", "prj_1"),
            "https://p.example/layers/projects/prj_1/social/oauth-url"
        );
        assert_eq!(
            oauth_status_url("/layers", "st_01HX"),
            "/layers/social/oauth-status/st_01HX"
        );
        assert_eq!(
            oauth_status_url("/layers", "a/../b?c#d é"),
            "/layers/social/oauth-status/a%2F..%2Fb%3Fc%23d%20%C3%A9"
        );
        assert_eq!(
            oauth_events_url("/layers/", "a/../b?c#d", false),
            "/layers/social/oauth-events/a%2F..%2Fb%3Fc%23d"
        );
        assert_eq!(
            oauth_events_url("/layers", "st_1?check=0", true),
            "/layers/social/oauth-events/st_1%3Fcheck%3D0?check=1"
        );
        assert_eq!(
            social_accounts_url("/l", "prj 1"),
            "/l/projects/prj%201/social-accounts"
        );
    }
}
