//! Binds each minted state to the browser that minted it, without server
//! memory, in cookies signed (HMAC-SHA256) with the proxy's cookie secret, so
//! any instance that shares the secret can verify them and none can be fooled
//! by an edited copy.
//!
//! Two kinds of cookie:
//! - `layers_proxy_session`: the session id (`sid=…`), for the mint limit and
//!   the authorization hook. Its value never changes once set.
//! - one `layers_proxy_st_<state>` per minted state (`st=<state>&iat=<unix
//!   seconds>&prj=<project>&pf=<platform>&exp=<unix seconds>`). One cookie per state rather than one cookie holding a list:
//!   two mints sent at once from one browser each add their own cookie, where
//!   a shared list would be overwritten by the last `Set-Cookie` and lose the
//!   other attempt. The state is repeated inside the signed value because the
//!   signature covers the value only, not the name. `iat` (issued at) lets the
//!   proxy refuse a replayed old cookie after [`DEFAULT_STATE_MAX_AGE`] even if
//!   a client ignores `Max-Age`. `prj`, `pf` and `exp` (the state's project,
//!   platform and `expiresAt`) bind the outcome stream (`oauth-events`) to the
//!   webhook nudges that concern it, on whichever instance holds the stream;
//!   cookies from before they existed lack them and still verify.
//!
//! Attributes and why:
//! - `HttpOnly`: page scripts (and an XSS) cannot read or copy them.
//! - `SameSite=Strict`: the widget's fetches are same-site, the only requests
//!   that need them; no cross-site navigation or form ever carries them.
//! - `Path=<mount prefix>`: sent to the proxy routes only, not the whole site.
//! - `Secure` when served over https (see [`crate::SecureCookies`]).
//! - `Max-Age`: one day for the session; for a state, its remaining lifetime
//!   (Layers' `expiresAt`), at most the state max age.
//!
//! Time is an input (`now`), never read here, so expiry is testable.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "layers_proxy_session";
/// Prefix of the per-state cookies' names (`layers_proxy_st_<state>`).
pub const STATE_COOKIE_PREFIX: &str = "layers_proxy_st_";
/// States kept per browser; minting more removes the oldest cookies (a user
/// rarely has more than one or two attempts within a state's 10-minute life).
pub const MAX_STATES: usize = 8;
/// How long a state cookie is honoured after it was issued: a bit over
/// Layers' 10-minute state lifetime. See [`crate::Config::state_max_age`].
pub const DEFAULT_STATE_MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// Longer tokens are refused rather than stored, to keep cookies small.
pub(crate) const MAX_STATE_LEN: usize = 200;
const SESSION_MAX_AGE: time::Duration = time::Duration::days(1);
/// How long a state cookie outlives the state's `expiresAt` (see `remember`).
const STATE_COOKIE_GRACE: Duration = Duration::from_secs(60);

/// One browser session as carried by its cookie: only the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub(crate) id: String,
}

/// How to write cookies for one response.
#[derive(Debug, Clone)]
pub(crate) struct CookieAttributes {
    pub(crate) path: String,
    pub(crate) secure: bool,
}

impl CookieAttributes {
    fn apply<'c>(&self, cookie: Cookie<'c>) -> Cookie<'c> {
        let mut cookie = cookie;
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Strict);
        cookie.set_secure(self.secure);
        cookie.set_path(self.path.clone());
        cookie
    }
}

/// The states this browser holds cookies for, as the proxy verifies them.
pub(crate) struct StateCookies {
    /// Valid, unexpired ones: (state, issued at).
    valid: Vec<(String, u64)>,
    /// Cookies to remove: expired, forged or malformed.
    stale: Vec<String>,
}

fn unix(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Session {
    fn new() -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// The verified session of this request, or a fresh one when the cookie is
    /// absent, unsigned, signed with another secret or malformed.
    pub(crate) fn from_headers(headers: &HeaderMap, key: &Key) -> Self {
        verified(headers, key, COOKIE_NAME)
            .and_then(|cookie| Self::decode(cookie.value()))
            .unwrap_or_else(Self::new)
    }

    /// Adds the signed session cookie to `jar`.
    pub(crate) fn add_to(
        &self,
        jar: SignedCookieJar,
        attributes: &CookieAttributes,
    ) -> SignedCookieJar {
        let value = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("sid", &self.id)
            .finish();
        let mut cookie = attributes.apply(Cookie::new(COOKIE_NAME, value));
        cookie.set_max_age(SESSION_MAX_AGE);
        jar.add(cookie)
    }

    fn decode(value: &str) -> Option<Self> {
        let mut id = None;
        for (name, value) in url::form_urlencoded::parse(value.as_bytes()) {
            match &*name {
                "sid" if id.is_none() => id = Some(value.into_owned()),
                _ => return None,
            }
        }
        let id = id.filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some(Self { id })
    }
}

/// The cookie name for `state`. States are plain tokens (`[A-Za-z0-9_-]`,
/// checked before any state is stored), which are valid cookie-name characters.
fn cookie_name(state: &str) -> String {
    format!("{STATE_COOKIE_PREFIX}{state}")
}

/// Whether this request carries a valid cookie for `state`, issued less than
/// `max_age` before `now`. Anything else is "not this browser's state".
pub(crate) fn owns(
    headers: &HeaderMap,
    key: &Key,
    state: &str,
    now: SystemTime,
    max_age: Duration,
) -> bool {
    verified(headers, key, &cookie_name(state))
        .and_then(|cookie| decode_state(cookie.value()))
        .is_some_and(|d| d.state == state && fresh(d.issued, now, max_age))
}

fn fresh(issued: u64, now: SystemTime, max_age: Duration) -> bool {
    let now = unix(now);
    // A cookie from the future (clock skew between instances) is accepted up to a minute.
    issued <= now + 60 && now.saturating_sub(issued) < max_age.as_secs()
}

/// What a minted state is about, carried signed in its cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StateBinding {
    pub(crate) project: String,
    pub(crate) platform: String,
}

/// A state this browser holds a valid cookie for, as the stream route needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeldState {
    /// `None` for a cookie written before the binding was recorded.
    pub(crate) binding: Option<StateBinding>,
    /// The state's `expiresAt` (unix seconds); for an older cookie, when it stops being honoured.
    pub(crate) expires: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Decoded {
    state: String,
    issued: u64,
    binding: Option<StateBinding>,
    expires: Option<u64>,
}

fn decode_state(value: &str) -> Option<Decoded> {
    let mut state = None;
    let mut issued = None;
    let mut project = None;
    let mut platform = None;
    let mut expires = None;
    for (name, value) in url::form_urlencoded::parse(value.as_bytes()) {
        match &*name {
            "st" if state.is_none() && value.len() <= MAX_STATE_LEN => {
                state = Some(value.into_owned())
            }
            "iat" if issued.is_none() => issued = Some(value.parse().ok()?),
            "prj" if project.is_none() && value.len() <= MAX_STATE_LEN => {
                project = Some(value.into_owned())
            }
            "pf" if platform.is_none() && value.len() <= 32 => platform = Some(value.into_owned()),
            "exp" if expires.is_none() => expires = Some(value.parse().ok()?),
            _ => return None,
        }
    }
    let binding = match (project, platform) {
        (Some(project), Some(platform)) => Some(StateBinding { project, platform }),
        (None, None) => None,
        // Half a binding is not one this proxy wrote.
        _ => return None,
    };
    Some(Decoded {
        state: state?,
        issued: issued?,
        binding,
        expires,
    })
}

/// The state's cookie if this request carries a valid one (as [`owns`]), with
/// what it is bound to and when it ends.
pub(crate) fn held(
    headers: &HeaderMap,
    key: &Key,
    state: &str,
    now: SystemTime,
    max_age: Duration,
) -> Option<HeldState> {
    let decoded = verified(headers, key, &cookie_name(state))
        .and_then(|cookie| decode_state(cookie.value()))
        .filter(|d| d.state == state && fresh(d.issued, now, max_age))?;
    let honoured_until = decoded.issued + max_age.as_secs();
    Some(HeldState {
        binding: decoded.binding,
        expires: decoded
            .expires
            .map_or(honoured_until, |e| e.min(honoured_until)),
    })
}

impl StateCookies {
    /// The state cookies this request carries.
    pub(crate) fn from_headers(
        headers: &HeaderMap,
        key: &Key,
        now: SystemTime,
        max_age: Duration,
    ) -> Self {
        let mut valid = Vec::new();
        let mut stale = Vec::new();
        // The raw cookies, to find the names; `verified` checks each.
        for (name, _) in raw_cookies(headers) {
            let Some(state) = name.strip_prefix(STATE_COOKIE_PREFIX) else {
                continue;
            };
            match verified(headers, key, &name).and_then(|c| decode_state(c.value())) {
                Some(d) if d.state == state && fresh(d.issued, now, max_age) => {
                    valid.push((d.state, d.issued))
                }
                _ => stale.push(name.clone()),
            }
        }
        valid.sort_by_key(|(_, issued)| *issued);
        Self { valid, stale }
    }

    /// Adds the cookie for a newly minted `state` (honoured for `lifetime`,
    /// Layers' remaining time, at most `max_age`, and bound to `binding`), and
    /// removals for stale cookies and for the oldest beyond [`MAX_STATES`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn remember(
        mut self,
        jar: SignedCookieJar,
        attributes: &CookieAttributes,
        state: &str,
        now: SystemTime,
        lifetime: Duration,
        max_age: Duration,
        binding: &StateBinding,
    ) -> SignedCookieJar {
        self.valid.retain(|(s, _)| s != state);
        let excess = (self.valid.len() + 1).saturating_sub(MAX_STATES);
        let mut jar = jar;
        for name in self
            .stale
            .into_iter()
            .chain(self.valid.drain(..excess).map(|(s, _)| cookie_name(&s)))
        {
            let mut removal = attributes.apply(Cookie::new(name, ""));
            removal.set_max_age(time::Duration::ZERO);
            jar = jar.add(removal);
        }
        let value = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("st", state)
            .append_pair("iat", &unix(now).to_string())
            .append_pair("prj", &binding.project)
            .append_pair("pf", &binding.platform)
            .append_pair("exp", &(unix(now) + lifetime.as_secs()).to_string())
            .finish();
        // A minute past the state's own life: a browser drops a cookie at
        // Max-Age, whole seconds, and the widget's last poll goes 1 s before
        // `expiresAt`; without the margin that poll could go cookieless and
        // read 404 instead of Layers' answer. `max_age` still bounds it.
        let seconds = (lifetime + STATE_COOKIE_GRACE)
            .min(max_age)
            .as_secs()
            .max(1);
        let mut cookie = attributes.apply(Cookie::new(cookie_name(state), value));
        cookie.set_max_age(time::Duration::seconds(seconds as i64));
        jar.add(cookie)
    }
}

/// The cookie `name` of this request if its signature checks out under `key`
/// (the last such one if the browser sent the name twice), with the signature
/// stripped: what `SignedCookieJar::from_headers(..).get(name)` returns, but
/// with one HMAC for that cookie only. `from_headers` verifies every cookie
/// the browser sends (the session, each state, and the partner's own) and
/// `get` verifies again; on the poll route that was a third of the proxy's
/// instructions (callgrind, docs/proxy.md "Performance").
fn verified(headers: &HeaderMap, key: &Key, name: &str) -> Option<Cookie<'static>> {
    let jar = SignedCookieJar::new(key.clone());
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        // The same parse as `from_headers` (trimmed, percent-decoded), so the
        // same cookies match; the name is compared before any HMAC is spent.
        .filter_map(|pair| Cookie::parse_encoded(pair.to_owned()).ok())
        .filter(|cookie| cookie.name() == name)
        .filter_map(|cookie| jar.verify(cookie))
        // The last one that verifies, searched from the end.
        .next_back()
}

fn raw_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;
    use axum::response::IntoResponse;

    const T0: u64 = 1_800_000_000;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn attributes() -> CookieAttributes {
        CookieAttributes {
            path: "/api/layers".into(),
            secure: false,
        }
    }

    fn set_cookies(jar: SignedCookieJar) -> Vec<String> {
        jar.into_response()
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// What a browser sends back after `set`: live cookies merged into `jar`.
    fn browser_merge(cookie_header: &str, set: &[String]) -> HeaderMap {
        let mut jar: Vec<(String, String)> = cookie_header
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap();
                (n.to_owned(), v.to_owned())
            })
            .collect();
        for line in set {
            let (pair, attrs) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            jar.retain(|(n, _)| n != name);
            if !attrs.contains("Max-Age=0") {
                jar.push((name.to_owned(), value.to_owned()));
            }
        }
        let mut headers = HeaderMap::new();
        let joined: Vec<String> = jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if !joined.is_empty() {
            headers.insert(header::COOKIE, joined.join("; ").parse().unwrap());
        }
        headers
    }

    fn header_of(headers: &HeaderMap) -> String {
        headers
            .get(header::COOKIE)
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned())
    }

    fn mint(key: &Key, headers: &HeaderMap, state: &str, now: u64) -> Vec<String> {
        let jar = SignedCookieJar::new(key.clone());
        let cookies = StateCookies::from_headers(headers, key, at(now), DEFAULT_STATE_MAX_AGE);
        set_cookies(cookies.remember(
            jar,
            &attributes(),
            state,
            at(now),
            Duration::from_secs(600),
            DEFAULT_STATE_MAX_AGE,
            &StateBinding {
                project: "prj_demo".into(),
                platform: "tiktok".into(),
            },
        ))
    }

    #[test]
    fn session_round_trips_through_a_signed_cookie() {
        let key = Key::generate();
        let session = Session::new();
        let set = set_cookies(session.add_to(SignedCookieJar::new(key.clone()), &attributes()));
        let back = Session::from_headers(&browser_merge("", &set), &key);
        assert_eq!(back, session);
        assert_ne!(
            Session::from_headers(&browser_merge("", &set), &Key::generate()),
            session
        );
    }

    #[test]
    fn attributes_are_strict() {
        let key = Key::generate();
        let mut set =
            set_cookies(Session::new().add_to(SignedCookieJar::new(key.clone()), &attributes()));
        set.extend(mint(&key, &HeaderMap::new(), "st_a", T0));
        assert!(set[0].starts_with("layers_proxy_session="), "{set:?}");
        assert!(set[1].starts_with("layers_proxy_st_st_a="), "{set:?}");
        assert!(set[0].contains("Max-Age=86400"), "{set:?}");
        assert!(
            set[1].contains("Max-Age=660"),
            "the state's lifetime and a minute's grace: {set:?}"
        );
        for cookie in &set {
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/layers"] {
                assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
            }
            assert!(!cookie.contains("Secure"));
        }
        let secure = CookieAttributes {
            secure: true,
            ..attributes()
        };
        let jar = Session::new().add_to(SignedCookieJar::new(key), &secure);
        assert!(set_cookies(jar)[0].contains("Secure"));
    }

    #[test]
    fn two_mints_from_the_same_jar_both_survive_the_merge() {
        let key = Key::generate();
        let start = browser_merge("", &mint(&key, &HeaderMap::new(), "st_old", T0));
        // Both requests carry the same starting jar; both answers reach the browser.
        let first = mint(&key, &start, "st_one", T0 + 1);
        let second = mint(&key, &start, "st_two", T0 + 1);
        let after_first = browser_merge(&header_of(&start), &first);
        let merged = browser_merge(&header_of(&after_first), &second);
        for state in ["st_old", "st_one", "st_two"] {
            assert!(
                owns(&merged, &key, state, at(T0 + 2), DEFAULT_STATE_MAX_AGE),
                "{state}"
            );
        }
    }

    #[test]
    fn an_old_cookie_is_refused_even_if_replayed() {
        let key = Key::generate();
        let jar = browser_merge("", &mint(&key, &HeaderMap::new(), "st_a", T0));
        let max_age = DEFAULT_STATE_MAX_AGE;
        assert!(owns(&jar, &key, "st_a", at(T0 + 599), max_age));
        assert!(owns(
            &jar,
            &key,
            "st_a",
            at(T0 + max_age.as_secs() - 1),
            max_age
        ));
        assert!(!owns(
            &jar,
            &key,
            "st_a",
            at(T0 + max_age.as_secs()),
            max_age
        ));
        assert!(!owns(&jar, &key, "st_a", at(T0 + 86_400), max_age));
        assert!(
            !owns(&jar, &key, "st_a", at(T0 - 3600), max_age),
            "issued in the future"
        );
        // A shorter configured max age applies to cookies already issued.
        assert!(!owns(
            &jar,
            &key,
            "st_a",
            at(T0 + 120),
            Duration::from_secs(60)
        ));
    }

    #[test]
    fn forged_renamed_or_foreign_cookies_own_nothing() {
        let key = Key::generate();
        let jar = browser_merge("", &mint(&key, &HeaderMap::new(), "st_mine", T0));
        let now = at(T0 + 1);
        let max_age = DEFAULT_STATE_MAX_AGE;
        assert!(owns(&jar, &key, "st_mine", now, max_age));
        assert!(!owns(&jar, &key, "st_other", now, max_age));
        assert!(!owns(&jar, &Key::generate(), "st_mine", now, max_age));
        // The valid value under another state's name: the signed value names st_mine.
        let renamed =
            header_of(&jar).replace("layers_proxy_st_st_mine=", "layers_proxy_st_st_theirs=");
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, renamed.parse().unwrap());
        assert!(!owns(&headers, &key, "st_theirs", now, max_age));
        // Unsigned.
        let mut unsigned = HeaderMap::new();
        unsigned.insert(
            header::COOKIE,
            format!("layers_proxy_st_st_x=st%3Dst_x%26iat%3D{T0}")
                .parse()
                .unwrap(),
        );
        assert!(!owns(&unsigned, &key, "st_x", now, max_age));
    }

    #[test]
    fn keeps_only_the_last_states_and_removes_stale_cookies() {
        let key = Key::generate();
        let mut jar = HeaderMap::new();
        for i in 0..MAX_STATES + 3 {
            let set = mint(&key, &jar, &format!("st_{i}"), T0 + i as u64);
            jar = browser_merge(&header_of(&jar), &set);
        }
        let now = at(T0 + 20);
        let owned = (0..MAX_STATES + 3)
            .filter(|i| owns(&jar, &key, &format!("st_{i}"), now, DEFAULT_STATE_MAX_AGE))
            .count();
        assert_eq!(owned, MAX_STATES);
        assert!(!owns(&jar, &key, "st_2", now, DEFAULT_STATE_MAX_AGE));
        assert!(owns(&jar, &key, "st_3", now, DEFAULT_STATE_MAX_AGE));
        assert!(header_of(&jar).len() < 4096, "cookies stay small");

        // An expired cookie is removed at the next mint.
        let later = mint(
            &key,
            &jar,
            "st_new",
            T0 + 20 + DEFAULT_STATE_MAX_AGE.as_secs(),
        );
        let removals = later.iter().filter(|c| c.contains("Max-Age=0")).count();
        assert_eq!(removals, MAX_STATES);
    }

    #[test]
    fn malformed_values_are_refused() {
        assert!(Session::decode("").is_none());
        assert!(Session::decode("sid=short").is_none());
        let id = "0123456789abcdef0123456789abcdef";
        assert!(Session::decode(&format!("sid={id}&x=1")).is_none());
        assert!(Session::decode(&format!("sid={id}&sid={id}")).is_none());
        assert_eq!(Session::decode(&format!("sid={id}")).unwrap().id, id);
        assert!(decode_state("st=st_a").is_none());
        assert!(decode_state("iat=1").is_none());
        assert!(decode_state("st=st_a&iat=x").is_none());
        assert!(decode_state("st=st_a&iat=1&x=2").is_none());
        assert!(
            decode_state("st=st_a&iat=1&prj=prj_a").is_none(),
            "half a binding"
        );
        assert!(decode_state("st=st_a&iat=1&prj=a&pf=b&exp=x").is_none());
        let old = decode_state("st=st_a&iat=1").unwrap();
        assert_eq!(
            (old.state.as_str(), old.issued, old.binding, old.expires),
            ("st_a", 1, None, None)
        );
        let bound = decode_state("st=st_a&iat=1&prj=prj_a&pf=tiktok&exp=601").unwrap();
        assert_eq!(
            bound.binding,
            Some(StateBinding {
                project: "prj_a".into(),
                platform: "tiktok".into()
            })
        );
        assert_eq!(bound.expires, Some(601));
    }

    #[test]
    fn held_state_carries_its_binding_and_end() {
        let key = Key::generate();
        let jar = browser_merge("", &mint(&key, &HeaderMap::new(), "st_a", T0));
        let mine = held(&jar, &key, "st_a", at(T0 + 5), DEFAULT_STATE_MAX_AGE).unwrap();
        assert_eq!(mine.expires, T0 + 600);
        assert_eq!(mine.binding.unwrap().platform, "tiktok");
        assert!(held(&jar, &key, "st_b", at(T0 + 5), DEFAULT_STATE_MAX_AGE).is_none());
        assert!(held(
            &jar,
            &Key::generate(),
            "st_a",
            at(T0 + 5),
            DEFAULT_STATE_MAX_AGE
        )
        .is_none());
    }
}
