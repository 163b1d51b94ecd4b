//! Fuzz entry points into the proxy's request parsing, for `fuzz/`
//! (cargo-fuzz) and for the corpus replay test below. Not an API: compiled
//! only with the `fuzzing` feature (and for this crate's own tests).
//!
//! Each function takes the fuzzer's raw bytes and panics when a property
//! fails, so a violated property is a crash to libFuzzer and a failure to
//! `cargo test`.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use axum::body::{to_bytes, Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use axum_extra::extract::cookie::{Cookie, Key, SignedCookieJar};
use serde_json::{json, Value};
use tower::ServiceExt;
use url::Url;

use crate::allowlist::ReturnUrlAllowlist;
use crate::csrf::{CsrfPolicy, CsrfVerdict};
use crate::extract::{is_id, MAX_BODY_BYTES};
use crate::session::{
    owns, CookieAttributes, Session, StateCookies, COOKIE_NAME, DEFAULT_STATE_MAX_AGE,
    MAX_STATE_LEN, STATE_COOKIE_PREFIX,
};
use crate::{ApiKey, Config, CookieSecret, MintLimit};

/// A target: the fuzzer's bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// The targets, by name: `fuzz/fuzz_targets/<name>.rs` calls the function,
/// and the replay test feeds `fuzz/corpus/<name>/*` to it.
pub const TARGETS: &[(&str, Target)] = &[
    ("proxy_mint", mint),
    ("proxy_cookie", cookie),
    ("proxy_checks", checks),
];

const RETURN_URLS: [&str; 3] = [
    "http://127.0.0.1:8080/return.html",
    "https://app.example.com/connect/return",
    "https://xn--bcher-kva.example:8443/r%C3%BCck?",
];
const ORIGINS: [&str; 2] = ["https://app.example.com", "http://127.0.0.1:8080"];
const API_KEY: &str = "lp_fuzz_the_key_never_comes_back";

fn allowlist() -> ReturnUrlAllowlist {
    let mut list = ReturnUrlAllowlist::default();
    for url in RETURN_URLS {
        list.push(Url::parse(url).unwrap());
    }
    list
}

/// The spec's rule, written independently of `allowlist`: a return URL is
/// allowed when, without its query and fragment, it *is* an entry.
fn is_listed(candidate: &Url) -> bool {
    let mut bare = candidate.clone();
    bare.set_query(None);
    bare.set_fragment(None);
    RETURN_URLS.iter().any(|entry| {
        let mut entry = Url::parse(entry).unwrap();
        entry.set_query(None);
        bare == entry
    })
}

/// `[selector, text…]`: a path id, an `Origin`/`Sec-Fetch-Site` pair or a
/// return URL, each against a property of what acceptance promises.
pub fn checks(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 4 {
        0 => path_id(rest),
        1 | 2 => origin(rest, selector % 4 == 2),
        _ => return_url(selector, rest),
    }
}

/// An accepted id is short, and a URL path segment exactly as written: it can
/// never add a level or an escape to the upstream path.
fn path_id(rest: &[u8]) {
    let Ok(id) = std::str::from_utf8(rest) else {
        return;
    };
    if !is_id(id) {
        return;
    }
    assert!((1..=MAX_STATE_LEN).contains(&id.len()), "{id:?}");
    let mut url = Url::parse("https://api.layers.test/v1/").unwrap();
    url.path_segments_mut().unwrap().pop_if_empty().push(id);
    assert_eq!(
        url.path(),
        format!("/v1/{id}"),
        "{id:?} is not a plain segment"
    );
    assert!(id != "." && id != "..");
}

/// `origin '\n' sec-fetch-site`: accepted only for a same-origin fetch, an
/// allowed origin or (when opted in) a request with neither header; a
/// readable foreign `Origin` is refused whatever else the request says.
fn origin(rest: &[u8], lenient: bool) {
    let mut parts = rest.splitn(2, |&b| b == b'\n');
    let (origin, site) = (parts.next().unwrap_or_default(), parts.next());
    let mut headers = HeaderMap::new();
    let mut readable = |name: &'static str, value: &[u8]| {
        let value = HeaderValue::from_bytes(value).ok()?;
        headers.insert(name, value.clone());
        value.to_str().ok().map(|v| v.trim().to_owned())
    };
    let origin = readable("origin", origin);
    let site = site.and_then(|s| readable("sec-fetch-site", s));
    let policy = CsrfPolicy {
        allowed_origins: ORIGINS.iter().map(|o| o.to_string()).collect(),
        allow_requests_without_origin: lenient,
    };
    let verdict = policy.check(&headers);
    let same_origin = site
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("same-origin"));
    let allowed = origin
        .as_deref()
        .is_some_and(|o| ORIGINS.contains(&o.to_ascii_lowercase().as_str()));
    if verdict == CsrfVerdict::Accepted {
        assert!(
            same_origin || allowed || (lenient && origin.is_none() && site.is_none()),
            "accepted {origin:?} {site:?} lenient={lenient}"
        );
    }
    if origin.is_some() && !allowed && !same_origin {
        assert_eq!(verdict, CsrfVerdict::ForeignOrigin, "{origin:?} {site:?}");
    }
}

/// An accepted return URL is an entry of the allowlist (plus a query and a
/// fragment); and every entry is accepted with any query and fragment.
fn return_url(selector: u8, rest: &[u8]) {
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let list = allowlist();
    if let Ok(candidate) = Url::parse(text) {
        assert_eq!(list.allows(&candidate), is_listed(&candidate), "{text:?}");
    }
    let mut entry = Url::parse(RETURN_URLS[usize::from(selector / 4) % RETURN_URLS.len()]).unwrap();
    let (query, fragment) = text.split_once('#').unwrap_or((text, ""));
    entry.set_query(Some(query));
    entry.set_fragment(Some(fragment));
    assert!(list.allows(&entry), "{entry} refused");
}

/// A cookie value, as the signed session cookie a browser returns, as each
/// state cookie it could be, and as an unsigned forgery. A verified session
/// re-encodes to itself; a state cookie is honoured only with a fresh `iat`;
/// a forgery is never taken; a state the proxy remembers is one it owns.
pub fn cookie(data: &[u8]) {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let key = Key::from(&[7u8; 64]);
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(value.as_bytes())
        .into_owned()
        .collect();
    let sid = pairs
        .iter()
        .find(|(n, _)| n == "sid")
        .map(|(_, v)| v.as_str());
    let attributes = CookieAttributes {
        path: "/".into(),
        secure: true,
    };

    // The session cookie.
    let signed = SignedCookieJar::new(key.clone()).add(Cookie::new(COOKIE_NAME, value.to_owned()));
    let session = Session::from_headers(&returned(signed), &key);
    assert!(
        session.id.len() == 32 && session.id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{:?}",
        session.id
    );
    let jar = session.add_to(SignedCookieJar::new(key.clone()), &attributes);
    let again = Session::from_headers(&returned(jar), &key);
    assert_eq!(again, session, "a session does not survive its own cookie");
    if let Ok(forged) = HeaderValue::from_str(&format!("{COOKIE_NAME}={value}")) {
        let headers = HeaderMap::from_iter([(header::COOKIE, forged)]);
        let session = Session::from_headers(&headers, &key);
        assert!(
            Some(session.id.as_str()) != sid,
            "an unsigned cookie's id was taken"
        );
    }

    // The same value as the state cookie of each state it names.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let max_age = DEFAULT_STATE_MAX_AGE;
    for (_, state) in pairs.iter().filter(|(n, _)| n == "st") {
        if !is_id(state) || state.len() > MAX_STATE_LEN {
            continue; // never stored: a state is checked before its cookie exists
        }
        let name = format!("{STATE_COOKIE_PREFIX}{state}");
        let signed =
            SignedCookieJar::new(key.clone()).add(Cookie::new(name.clone(), value.to_owned()));
        if owns(&returned(signed), &key, state, now, max_age) {
            let issued = pairs
                .iter()
                .find(|(n, _)| n == "iat")
                .and_then(|(_, v)| v.parse::<u64>().ok());
            let fresh = issued.is_some_and(|iat| {
                let now = 1_800_000_000u64;
                iat <= now + 60 && now.saturating_sub(iat) < max_age.as_secs()
            });
            assert!(
                fresh,
                "{value:?} honoured for {state:?} without a fresh iat"
            );
        }
        if let Ok(forged) = HeaderValue::from_str(&format!("{name}={value}")) {
            let headers = HeaderMap::from_iter([(header::COOKIE, forged)]);
            assert!(
                !owns(&headers, &key, state, now, max_age),
                "an unsigned state cookie was taken"
            );
        }
        let jar = StateCookies::from_headers(&HeaderMap::new(), &key, now, max_age).remember(
            SignedCookieJar::new(key.clone()),
            &attributes,
            state,
            now,
            Duration::from_secs(600),
            max_age,
            &crate::session::StateBinding::default(),
        );
        assert!(
            owns(&returned(jar), &key, state, now, max_age),
            "{state:?}: a remembered state is not owned"
        );
    }
}

/// The `Cookie` header a browser sends back for a jar's `Set-Cookie`.
fn returned(jar: SignedCookieJar) -> HeaderMap {
    let response = jar.into_response();
    let mut headers = HeaderMap::new();
    if let Some(set) = response.headers().get(header::SET_COOKIE) {
        let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
        headers.insert(header::COOKIE, pair.parse().unwrap());
    }
    headers
}

/// What the mint target keeps across runs: a runtime, the router, and a
/// stand-in Layers that records the body it was sent.
struct Mint {
    runtime: tokio::runtime::Runtime,
    router: Router,
    received: Arc<Mutex<Option<Bytes>>>,
    cookie: HeaderValue,
}

fn mint_rig() -> &'static Mint {
    static RIG: OnceLock<Mint> = OnceLock::new();
    RIG.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let received = Arc::new(Mutex::new(None));
        let seen = received.clone();
        let layers = Router::new().fallback(move |body: Bytes| {
            let seen = seen.clone();
            async move {
                *seen.lock().unwrap() = Some(body);
                let answer = json!({"authorizeUrl": "https://www.tiktok.com/auth", "state": "st_fuzz", "expiresAt": "2026-04-18T19:12:11Z"});
                (StatusCode::CREATED, axum::Json(answer))
            }
        });
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        runtime.spawn(async move { axum::serve(listener, layers).await });
        let mut config = Config::new(base.try_into().unwrap(), ApiKey::new(API_KEY))
            .cookie_secret(CookieSecret::new(&[7u8; 64]).unwrap())
            .allow_projects(["prj_fuzz"])
            .mint_limit(MintLimit { max: u32::MAX, window: std::time::Duration::from_secs(1) });
        for url in RETURN_URLS {
            config = config.allow_return_url(Url::parse(url).unwrap());
        }
        for origin in ORIGINS {
            config = config.allowed_origin(&Url::parse(origin).unwrap());
        }
        // One session for every run, so the mint limiter tracks one entry.
        let session = Session::from_headers(&HeaderMap::new(), &Key::from(&[7u8; 64]));
        let jar = session.add_to(
            SignedCookieJar::new(Key::from(&[7u8; 64])),
            &CookieAttributes { path: "/".into(), secure: false },
        );
        let cookie = returned(jar).remove(header::COOKIE).unwrap();
        Mint { runtime, router: crate::router(config), received, cookie }
    })
}

/// The mint route's body, through the whole router to a stand-in Layers.
/// Forwarded exactly when the spec's rules hold (an object, a known
/// platform, an allowed http(s) return URL, string scopes and note); what
/// goes up is only those fields, as sent (the return URL as it was checked, normalised); the key never comes back down.
pub fn mint(data: &[u8]) {
    let rig = mint_rig();
    *rig.received.lock().unwrap() = None;
    let request = Request::post("/projects/prj_fuzz/social/oauth-url")
        .header(header::ORIGIN, ORIGINS[0])
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, rig.cookie.clone())
        .body(Body::from(data.to_vec()))
        .unwrap();
    let (status, headers, body) = rig.runtime.block_on(async {
        let response = rig.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        (
            parts.status,
            parts.headers,
            to_bytes(body, usize::MAX).await.unwrap(),
        )
    });
    let sent = rig.received.lock().unwrap().take();

    assert!(!String::from_utf8_lossy(&body).contains(API_KEY));
    assert!(headers
        .values()
        .all(|v| !String::from_utf8_lossy(v.as_bytes()).contains(API_KEY)));
    let fields = match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(fields)) if data.len() <= MAX_BODY_BYTES => fields,
        _ => {
            assert!(
                matches!(status.as_u16(), 400 | 413),
                "{status} for a non-object"
            );
            assert!(sent.is_none());
            return;
        }
    };
    let platform = fields
        .get("platform")
        .and_then(Value::as_str)
        .filter(|p| ["tiktok", "instagram"].contains(p));
    let return_url = fields.get("returnUrl").and_then(Value::as_str);
    let listed = return_url
        .and_then(|u| Url::parse(u).ok())
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && is_listed(&u));
    let scopes_ok = match fields.get("scopes") {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        Some(_) => false,
    };
    let note_ok = matches!(
        fields.get("usageNote"),
        None | Some(Value::Null | Value::String(_))
    );
    let valid = platform.is_some() && listed && scopes_ok && note_ok;

    assert_eq!(
        status == StatusCode::CREATED,
        valid,
        "{status} for {}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(sent.is_some(), valid, "forwarded: {sent:?}");
    if !valid {
        assert!(matches!(status.as_u16(), 400 | 403), "{status}");
        return;
    }
    let Ok(Value::Object(up)) = serde_json::from_slice::<Value>(&sent.unwrap()) else {
        panic!("upstream body is no object")
    };
    assert!(
        up.keys()
            .all(|k| ["platform", "returnUrl", "scopes", "usageNote"].contains(&k.as_str())),
        "{up:?}"
    );
    assert_eq!(up["platform"].as_str(), platform);
    // What goes upstream is the URL that was checked, in its normalised form
    // (issue 13: never the raw text beside the checked value).
    let checked = return_url
        .and_then(|u| Url::parse(u).ok())
        .map(String::from);
    assert_eq!(up["returnUrl"].as_str(), checked.as_deref());
    for name in ["scopes", "usageNote"] {
        assert_eq!(
            up.get(name),
            fields.get(name).filter(|v| !v.is_null()),
            "{name}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Every file of `fuzz/corpus/<target>/` (and of the hand-written
    /// `fuzz/seeds/<target>/` and `fuzz/regressions/<target>/`, the crashes
    /// found so far), fed to the target's function. An absent or empty corpus
    /// fails: it is what this test replays.
    #[test]
    fn the_fuzz_corpus_replays() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
        for (name, target) in TARGETS {
            let corpus = root.join("corpus").join(name);
            let mut files: Vec<_> = std::fs::read_dir(&corpus)
                .unwrap_or_else(|e| panic!("{}: {e}", corpus.display()))
                .chain(
                    ["seeds", "regressions"]
                        .iter()
                        .filter_map(|d| std::fs::read_dir(root.join(d).join(name)).ok())
                        .flatten(),
                )
                .map(|entry| entry.unwrap().path())
                .collect();
            files.retain(|p| p.is_file());
            assert!(!files.is_empty(), "{} is empty", corpus.display());
            for file in files {
                let data = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(
                    outcome.is_ok(),
                    "{name}: {} fails its properties",
                    file.display()
                );
            }
        }
    }
}
