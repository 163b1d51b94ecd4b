//! Binds each minted state to the browser session that minted it, without
//! server memory: the session id and the last few states live in a cookie
//! signed (HMAC-SHA256) with the proxy's cookie secret, so any instance that
//! shares the secret can verify it and none can be fooled by an edited copy.
//!
//! Cookie attributes and why:
//! - `HttpOnly`: page scripts (and an XSS) cannot read or copy it.
//! - `SameSite=Strict`: the widget's fetches are same-site, the only requests
//!   that need it; no cross-site navigation or form ever carries it.
//! - `Path=<mount prefix>`: sent to the proxy routes only, not the whole site.
//! - `Secure` when served over https (see [`crate::SecureCookies`]).
//! - `Max-Age` one day; states themselves expire upstream after 10 minutes.

use std::collections::VecDeque;

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};

/// The cookie's name.
pub const COOKIE_NAME: &str = "layers_proxy_session";
/// States remembered per session; older ones fall off (a user rarely has more
/// than one or two attempts within a state's 10-minute life).
pub const MAX_STATES: usize = 8;
/// Longer tokens are refused rather than stored, to keep the cookie small.
pub(crate) const MAX_STATE_LEN: usize = 200;
const MAX_AGE: time::Duration = time::Duration::days(1);

/// One browser session as carried by its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) id: String,
    states: VecDeque<String>,
}

/// How to write the cookie for one response.
#[derive(Debug, Clone)]
pub(crate) struct CookieAttributes {
    pub(crate) path: String,
    pub(crate) secure: bool,
}

impl Session {
    fn new() -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            states: VecDeque::new(),
        }
    }

    /// The verified session of this request, or a fresh one when the cookie is
    /// absent, unsigned, signed with another secret or malformed.
    pub(crate) fn from_headers(headers: &HeaderMap, key: &Key) -> Self {
        SignedCookieJar::from_headers(headers, key.clone())
            .get(COOKIE_NAME)
            .and_then(|cookie| Self::decode(cookie.value()))
            .unwrap_or_else(Self::new)
    }

    /// Whether `state` was minted in this session.
    pub(crate) fn owns(&self, state: &str) -> bool {
        self.states.iter().any(|s| s == state)
    }

    /// Remembers a newly minted state, forgetting the oldest beyond [`MAX_STATES`].
    pub(crate) fn remember(&mut self, state: &str) {
        self.states.retain(|s| s != state);
        self.states.push_back(state.to_owned());
        while self.states.len() > MAX_STATES {
            self.states.pop_front();
        }
    }

    /// The signed `Set-Cookie` for this session.
    pub(crate) fn to_jar(&self, key: &Key, attributes: &CookieAttributes) -> SignedCookieJar {
        let cookie = Cookie::build((COOKIE_NAME, self.encode()))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(attributes.secure)
            .path(attributes.path.clone())
            .max_age(MAX_AGE)
            .build();
        SignedCookieJar::new(key.clone()).add(cookie)
    }

    /// `sid=<id>&st=<state>&st=<state>…`, form-encoded so any state token is cookie-safe.
    fn encode(&self) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        out.append_pair("sid", &self.id);
        for state in &self.states {
            out.append_pair("st", state);
        }
        out.finish()
    }

    fn decode(value: &str) -> Option<Self> {
        let mut id = None;
        let mut states = VecDeque::new();
        for (name, value) in url::form_urlencoded::parse(value.as_bytes()) {
            match &*name {
                "sid" if id.is_none() => id = Some(value.into_owned()),
                "st" if states.len() < MAX_STATES && value.len() <= MAX_STATE_LEN => {
                    states.push_back(value.into_owned())
                }
                _ => return None,
            }
        }
        let id = id.filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some(Self { id, states })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;
    use axum::response::IntoResponse;

    fn attributes() -> CookieAttributes {
        CookieAttributes {
            path: "/api/layers".into(),
            secure: false,
        }
    }

    /// The `Set-Cookie` a response carries, and the `Cookie` header a browser sends back.
    fn round_trip(session: &Session, key: &Key) -> (String, HeaderMap) {
        let response = session.to_jar(key, &attributes()).into_response();
        let set_cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        let pair = set_cookie.split(';').next().unwrap().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, pair.parse().unwrap());
        (set_cookie, headers)
    }

    #[test]
    fn round_trips_through_a_signed_cookie() {
        let key = Key::generate();
        let mut session = Session::new();
        session.remember("st_01HXZ8K2M4P5QRS6TUV7WXYZ9A");
        session.remember("weird; token,with=\"chars\" é");
        let (_, headers) = round_trip(&session, &key);
        let back = Session::from_headers(&headers, &key);
        assert_eq!(back, session);
        assert!(back.owns("st_01HXZ8K2M4P5QRS6TUV7WXYZ9A"));
        assert!(back.owns("weird; token,with=\"chars\" é"));
        assert!(!back.owns("st_other"));
    }

    #[test]
    fn attributes_are_strict() {
        let (set_cookie, _) = round_trip(&Session::new(), &Key::generate());
        assert!(
            set_cookie.starts_with("layers_proxy_session="),
            "{set_cookie}"
        );
        for attribute in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/api/layers",
            "Max-Age=86400",
        ] {
            assert!(
                set_cookie.contains(attribute),
                "{attribute} missing: {set_cookie}"
            );
        }
        assert!(!set_cookie.contains("Secure"));
        let key = Key::generate();
        let secure = Session::new()
            .to_jar(
                &key,
                &CookieAttributes {
                    secure: true,
                    ..attributes()
                },
            )
            .into_response();
        assert!(secure.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn another_secret_or_an_edit_yields_a_fresh_session() {
        let key = Key::generate();
        let mut session = Session::new();
        session.remember("st_a");
        let (_, headers) = round_trip(&session, &key);

        let other = Session::from_headers(&headers, &Key::generate());
        assert_ne!(other.id, session.id);
        assert!(!other.owns("st_a"));

        // Append a state to the signed value: the MAC no longer matches.
        let tampered = format!("{}%26st%3Dst_b", headers[header::COOKIE].to_str().unwrap());
        let mut edited = HeaderMap::new();
        edited.insert(header::COOKIE, tampered.parse().unwrap());
        let edited = Session::from_headers(&edited, &key);
        assert!(!edited.owns("st_b") && !edited.owns("st_a"));

        let unsigned = format!("{COOKIE_NAME}=sid%3D{}%26st%3Dst_a", session.id);
        let mut forged = HeaderMap::new();
        forged.insert(header::COOKIE, unsigned.parse().unwrap());
        assert!(!Session::from_headers(&forged, &key).owns("st_a"));
    }

    #[test]
    fn keeps_only_the_last_states() {
        let mut session = Session::new();
        for i in 0..MAX_STATES + 3 {
            session.remember(&format!("st_{i}"));
        }
        assert!(!session.owns("st_2"));
        assert!(session.owns("st_3"));
        assert!(session.owns(&format!("st_{}", MAX_STATES + 2)));
        let (_, headers) = round_trip(&session, &Key::generate());
        assert!(headers[header::COOKIE].len() < 1024, "cookie stays small");
    }

    #[test]
    fn malformed_values_are_refused() {
        assert!(Session::decode("").is_none());
        assert!(Session::decode("sid=short").is_none());
        assert!(Session::decode("st=st_a").is_none());
        let id = "0123456789abcdef0123456789abcdef";
        assert!(Session::decode(&format!("sid={id}&x=1")).is_none());
        assert!(Session::decode(&format!("sid={id}&sid={id}")).is_none());
        assert_eq!(Session::decode(&format!("sid={id}")).unwrap().id, id);
    }
}
