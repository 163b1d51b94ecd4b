//! Which `authorizeUrl`s a mint answer may carry to the browser. The widget
//! sends the customer's top-level tab there, so an upstream that is not Layers
//! (or a compromised one) must not be able to pick any page: real Layers only
//! returns the platforms' own consent pages, over https.

use std::collections::HashSet;

use url::Url;

/// The platforms' authorize hosts, the only ones real Layers hands out
/// (`https://www.tiktok.com/v2/auth/authorize?…`, Instagram's on
/// `www.instagram.com` / `api.instagram.com`). Any port other than 443 is refused.
pub const PLATFORM_AUTHORIZE_HOSTS: [&str; 5] = [
    "tiktok.com",
    "www.tiktok.com",
    "instagram.com",
    "www.instagram.com",
    "api.instagram.com",
];

/// The platforms' hosts plus any origins the partner added (the sandbox serves
/// its consent pages on its own origin, usually plain http on loopback).
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthorizeUrlPolicy {
    pub(crate) extra_origins: HashSet<String>,
}

impl AuthorizeUrlPolicy {
    pub(crate) fn allows(&self, raw: &str) -> bool {
        let Ok(url) = Url::parse(raw) else {
            return false;
        };
        if !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        let platform = url.scheme() == "https"
            && url.port().is_none()
            && url
                .host_str()
                .is_some_and(|host| PLATFORM_AUTHORIZE_HOSTS.contains(&host));
        platform
            || (matches!(url.scheme(), "http" | "https")
                && self
                    .extra_origins
                    .contains(&url.origin().ascii_serialization()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_platforms_over_https_by_default() {
        let policy = AuthorizeUrlPolicy::default();
        for ok in [
            "https://www.tiktok.com/v2/auth/authorize?client_key=x&state=st_1",
            "https://tiktok.com/v2/auth/authorize",
            "https://www.instagram.com/oauth/authorize?x=1",
            "https://api.instagram.com/oauth/authorize",
            "https://WWW.TIKTOK.COM:443/v2/auth/authorize",
        ] {
            assert!(policy.allows(ok), "{ok}");
        }
        for bad in [
            "http://www.tiktok.com/v2/auth/authorize",
            "https://www.tiktok.com:8443/v2/auth/authorize",
            "https://tiktok.com.evil.test/",
            "https://evil.test/www.tiktok.com",
            "https://user@www.tiktok.com/",
            "https://m.tiktok.com/",
            "javascript:alert(1)",
            "http://127.0.0.1:9000/_platform/tiktok/authorize",
            "not a url",
        ] {
            assert!(!policy.allows(bad), "{bad}");
        }
    }

    #[test]
    fn an_added_origin_is_allowed_exactly() {
        let mut policy = AuthorizeUrlPolicy::default();
        policy
            .extra_origins
            .insert("http://127.0.0.1:9000".to_owned());
        assert!(policy.allows("http://127.0.0.1:9000/_platform/tiktok/authorize?state=st_1"));
        assert!(!policy.allows("http://127.0.0.1:9001/_platform/tiktok/authorize"));
        assert!(!policy.allows("https://127.0.0.1:9000/"));
    }
}
