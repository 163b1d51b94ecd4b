//! The partner's own `returnUrl` allowlist, checked before Layers sees the URL,
//! so a tampered widget cannot send users to a page the partner never chose
//! even when the Layers key's allowlist is broader.

use url::Url;

/// Return URLs the widget may request. Same rule as Layers: scheme, host, port
/// and path equal an entry exactly; query and fragment belong to the partner.
#[derive(Debug, Clone, Default)]
pub struct ReturnUrlAllowlist {
    entries: Vec<Url>,
}

impl ReturnUrlAllowlist {
    pub(crate) fn push(&mut self, url: Url) {
        self.entries.push(url);
    }

    /// Whether `candidate` matches an entry.
    pub fn allows(&self, candidate: &Url) -> bool {
        // Credentials in a return URL are never legitimate; entries cannot hold them.
        if !candidate.username().is_empty() || candidate.password().is_some() {
            return false;
        }
        self.entries.iter().any(|allowed| {
            allowed.scheme() == candidate.scheme()
                && allowed.host_str() == candidate.host_str()
                && allowed.port_or_known_default() == candidate.port_or_known_default()
                && allowed.path() == candidate.path()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> ReturnUrlAllowlist {
        let mut list = ReturnUrlAllowlist::default();
        list.push(Url::parse("http://127.0.0.1:8080/return.html").unwrap());
        list.push(Url::parse("https://app.example.com/connect/return").unwrap());
        list
    }

    fn allows(raw: &str) -> bool {
        list().allows(&Url::parse(raw).unwrap())
    }

    #[test]
    fn exact_match_and_free_query_fragment() {
        assert!(allows("http://127.0.0.1:8080/return.html"));
        assert!(allows("http://127.0.0.1:8080/return.html?x=1#y"));
        assert!(allows("https://app.example.com:443/connect/return"));
        assert!(allows("HTTPS://APP.EXAMPLE.COM/connect/return"));
    }

    #[test]
    fn any_other_part_differs() {
        assert!(!allows("https://127.0.0.1:8080/return.html"), "scheme");
        assert!(!allows("http://localhost:8080/return.html"), "host");
        assert!(!allows("http://127.0.0.1:8081/return.html"), "port");
        assert!(!allows("http://127.0.0.1:8080/return.html/"), "path");
        assert!(!allows("http://127.0.0.1:8080/Return.html"), "path case");
        assert!(
            !allows("https://app.example.com.evil.test/connect/return"),
            "suffix host"
        );
        assert!(
            !allows("https://user:pw@app.example.com/connect/return"),
            "credentials"
        );
    }

    #[test]
    fn empty_list_allows_nothing() {
        assert!(
            !ReturnUrlAllowlist::default().allows(&Url::parse("http://127.0.0.1:8080/").unwrap())
        );
    }
}
