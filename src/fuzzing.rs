//! Fuzz entry points into the widget's private parsers, for `fuzz/`
//! (cargo-fuzz) and for the corpus replay test below. Not an API: compiled
//! only with the `fuzzing` feature (and for this crate's own tests).
//!
//! Each function takes the fuzzer's raw bytes, runs one parser on them the
//! way the browser shell would, and panics when a property fails, so a
//! violated property is a crash to libFuzzer and a failure to `cargo test`.
//! JSON text is parsed with serde_json, the native stand-in for the
//! browser's `JSON.parse`; what the decoders see is the same `Json` view.

use crate::api::fuzz_access::{classify, parse_retry_after, ErrorEnvelope};
use crate::api::{ApiError, Connection, OAuthStatus, OAuthUrl, SocialAccount, SocialAccounts};
use crate::attributes::RawAttributes;
use crate::flow::time::{format_rfc3339, parse_rfc3339};
use crate::json::{FromJson, Json, Mismatch};
use crate::messages::{Messages, Overrides};
use crate::persisted::Persisted;
use serde_json::{json, Map, Value as Raw};

/// A target: the fuzzer's bytes in, a panic when a property fails.
pub type Target = fn(&[u8]);

/// The targets, by name: `fuzz/fuzz_targets/<name>.rs` calls the function,
/// and the replay test feeds `fuzz/corpus/<name>/*` to it.
pub const TARGETS: &[(&str, Target)] = &[
    ("retry_after", retry_after),
    ("rfc3339", rfc3339),
    ("api_answers", api_answers),
    ("persisted", persisted),
    ("element_config", element_config),
];

/// A parsed JSON value behind the decoders' read-only view. A newtype, so it
/// does not collide with the tests' own `Json for serde_json::Value`.
#[derive(Clone)]
struct Value(Raw);

impl Json for Value {
    fn member(&self, name: &str) -> Option<Self> {
        self.0
            .as_object()?
            .get(name)
            .filter(|v| !v.is_null())
            .cloned()
            .map(Value)
    }
    fn names(&self) -> Option<Vec<String>> {
        Some(self.0.as_object()?.keys().cloned().collect())
    }
    fn string(&self) -> Option<String> {
        self.0.as_str().map(str::to_owned)
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn items(&self) -> Option<Vec<Self>> {
        Some(self.0.as_array()?.iter().cloned().map(Value).collect())
    }
}

/// `JSON.parse`: `None` when the text is not JSON.
fn parse_json(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Raw>(bytes).ok().map(Value)
}

fn decode<T: FromJson>(value: &Raw) -> Result<T, Mismatch> {
    T::from_json(&Value(value.clone()))
}

/// `Retry-After`: delta-seconds or nothing. Checked against an independent
/// reading: trimmed, only ASCII digits, saturating at `u32::MAX`; a sign,
/// a fraction or an HTTP-date is unknown (never a negative or zero wait
/// made up from garbage).
pub fn retry_after(data: &[u8]) {
    let Ok(header) = core::str::from_utf8(data) else {
        return;
    };
    let got = parse_retry_after(header);
    let digits = header.trim();
    let want = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| {
        digits.bytes().fold(0u64, |n, d| {
            (n * 10 + u64::from(d - b'0')).min(u64::from(u32::MAX) + 1)
        })
    });
    let want = want.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    assert_eq!(got, want, "Retry-After {header:?}");
}

/// RFC 3339: an accepted timestamp formats back (UTC, canonical) to the same
/// instant, and any instant up to year 9999 formats to a timestamp that
/// parses back to it.
pub fn rfc3339(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        if let Some(ms) = parse_rfc3339(text) {
            let canonical = format_rfc3339(ms);
            assert_eq!(
                parse_rfc3339(&canonical),
                Some(ms),
                "{text:?} -> {ms} -> {canonical:?}"
            );
            assert!(
                text.trim().is_ascii() && text.trim().len() >= 20,
                "{text:?} accepted"
            );
        }
    }
    if let Some(bytes) = data.get(..8) {
        // Up to 9999-12-31T23:59:59.999Z, the last instant RFC 3339 can write.
        let ms = u64::from_le_bytes(bytes.try_into().unwrap()) % 253_402_300_800_000;
        let text = format_rfc3339(ms);
        assert_eq!(parse_rfc3339(&text), Some(ms), "{ms} -> {text:?}");
    }
}

/// A proxy answer: `[status selector, Retry-After bytes…, '\n', body…]`, run
/// through `classify` for each route's answer type as the browser shell
/// does. Properties: a 2xx is the answer or `Malformed`, never `Http`; any
/// other status is `Http` with that status, the envelope's code and the
/// parsed `Retry-After`; a decoded answer or envelope re-encodes to JSON
/// that decodes to the same value; `Display` and `code` never panic.
pub fn api_answers(data: &[u8]) {
    const STATUSES: [u16; 16] = [
        200, 201, 204, 299, 300, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504,
    ];
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    let (header, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let header = header.and_then(|h| core::str::from_utf8(h).ok());
    let parsed = parse_json(body);

    let envelope = parsed
        .as_ref()
        .and_then(|v| ErrorEnvelope::from_json(v).ok());
    if let Some(body) = envelope.as_ref().and_then(|e| e.error.as_ref()) {
        let again: ErrorEnvelope = decode(&json!({ "error": {
            "code": body.code, "message": body.message, "requestId": body.request_id,
            "details": body.details.as_ref().map(|d| json!({ "scope": d.scope })),
        }}))
        .expect("a re-encoded envelope decodes");
        assert_eq!(again.error.as_ref(), Some(body));
    }

    check_route::<OAuthUrl>(status, header, &parsed, &envelope, encode_oauth_url);
    check_route::<OAuthStatus>(status, header, &parsed, &envelope, encode_oauth_status);
    check_route::<SocialAccounts>(status, header, &parsed, &envelope, encode_social_accounts);
}

fn check_route<T: FromJson + PartialEq + core::fmt::Debug>(
    status: u16,
    header: Option<&str>,
    parsed: &Option<Value>,
    envelope: &Option<ErrorEnvelope>,
    encode: fn(&T) -> Raw,
) {
    let result = classify(
        status,
        header,
        || parsed.as_ref().and_then(|v| T::from_json(v).ok()),
        || envelope.clone(),
    );
    match &result {
        Ok(answer) => {
            assert!(
                (200..300).contains(&status),
                "{status} decoded as an answer"
            );
            let again: T = decode(&encode(answer)).expect("a re-encoded answer decodes");
            assert_eq!(&again, answer);
        }
        Err(ApiError::Malformed { status: s }) => assert!((200..300).contains(s) && *s == status),
        Err(ApiError::Http {
            status: s,
            code,
            retry_after,
            ..
        }) => {
            assert!(!(200..300).contains(s) && *s == status);
            assert_eq!(*retry_after, header.and_then(parse_retry_after));
            let want = envelope
                .as_ref()
                .and_then(|e| e.error.as_ref())
                .and_then(|b| b.code.as_deref())
                .filter(|c| !c.is_empty());
            assert_eq!(code.as_ref().map(|c| c.as_str()), want);
        }
        Err(other) => panic!("an answer read as {other:?}"),
    }
    if let Err(error) = &result {
        assert!(!error.code().is_empty());
        let _ = (error.to_string(), error.kill_switch());
    }
}

fn encode_oauth_url(u: &OAuthUrl) -> Raw {
    let mut v = json!({ "authorizeUrl": u.authorize_url, "state": u.state });
    if !u.expires_at.is_empty() {
        v["expiresAt"] = json!(u.expires_at);
    }
    v
}

fn encode_oauth_status(s: &OAuthStatus) -> Raw {
    match s {
        OAuthStatus::Pending => json!({ "status": "pending" }),
        OAuthStatus::Completed(Connection {
            social_account_id,
            platform,
            handle,
            connected_at,
        }) => json!({
            "status": "completed", "socialAccountId": social_account_id, "platform": platform,
            "handle": handle, "connectedAt": connected_at,
        }),
        OAuthStatus::Failed { code, message } => {
            json!({ "status": "failed", "error": { "code": code.as_str(), "message": message } })
        }
        OAuthStatus::Unrecognized(status) => json!({ "status": status }),
    }
}

fn encode_social_accounts(list: &SocialAccounts) -> Raw {
    let item = |a: &SocialAccount| {
        json!({
            "id": a.id, "platform": a.platform, "handle": a.handle, "displayName": a.display_name,
            "avatarUrl": a.avatar_url, "status": a.status, "tokenExpiresAt": a.token_expires_at,
            "leased": a.leased, "connectedAt": a.connected_at,
        })
    };
    json!({ "data": list.data.iter().map(item).collect::<Vec<_>>() })
}

/// The sessionStorage record: what decodes is written back by the real
/// writer (serde) and reads back equal.
pub fn persisted(data: &[u8]) {
    let Some(value) = parse_json(data) else {
        return;
    };
    if let Ok(record) = Persisted::from_json(&value) {
        let written = serde_json::to_value(&record).expect("a record serializes");
        assert_eq!(decode::<Persisted>(&written), Ok(record));
    }
}

/// The element's settings: the shim's config object (attributes, validated)
/// and its `messages` overrides (the whole value, and its `messages` member).
/// Valid attributes are trimmed, never a script URL, with platforms non-empty
/// and unique; an override either applies or is named as ignored.
pub fn element_config(data: &[u8]) {
    let Some(value) = parse_json(data) else {
        return;
    };
    let is_object = value.0.is_object();
    match RawAttributes::from_json(&value) {
        Err(Mismatch) => {}
        Ok(raw) => match raw.validate() {
            Ok(a) => {
                assert!(is_object);
                for s in [&a.endpoint, &a.project_id, &a.lang] {
                    assert!(!s.is_empty() && s.trim() == s, "{s:?}");
                }
                assert!(!a.endpoint.to_ascii_lowercase().starts_with("javascript:"));
                assert!(!a.platforms.is_empty());
                assert!(a
                    .platforms
                    .iter()
                    .enumerate()
                    .all(|(i, p)| !a.platforms[..i].contains(p)));
                assert!(a.scopes.as_ref().is_none_or(|s| !s.is_empty()));
            }
            Err(e) => assert!(!e.0.is_empty()),
        },
    }
    overrides(&value);
    if let Some(messages) = value.member("messages") {
        overrides(&messages);
    }
}

fn overrides(value: &Value) {
    let Ok((all, ignored)) = Overrides::read(value) else {
        assert!(!value.0.is_object(), "an object's overrides are read");
        return;
    };
    let names = value.names().expect("read only accepts objects");
    assert!(
        ignored.iter().all(|n| names.contains(n)),
        "{ignored:?} ⊄ {names:?}"
    );
    // Name by name: a string that is not ignored replaces a message.
    for name in names.iter().take(8) {
        let Some(text) = value.member(name).and_then(|v| v.string()) else {
            continue;
        };
        let mut one = Map::new();
        one.insert(name.clone(), json!(text));
        let (single, single_ignored) = Overrides::read(&Value(Raw::Object(one))).unwrap();
        assert_eq!(
            single_ignored.is_empty(),
            !ignored.contains(name),
            "{name:?}"
        );
        assert_eq!(
            single == Overrides::default(),
            ignored.contains(name),
            "{name:?}"
        );
    }
    let _ = Messages::for_lang("en").with(&all);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Every file of `fuzz/corpus/<target>/`, fed to the target's function.
    /// An absent or empty corpus fails: it is what this test replays.
    fn replay(root: PathBuf, targets: &[(&str, Target)]) {
        for (name, target) in targets {
            let dir = root.join(name);
            // Plus the hand-written `fuzz/seeds/<target>/` and
            // `fuzz/regressions/<target>/`, the crashes found so far.
            let more = ["seeds", "regressions"].map(|d| root.parent().unwrap().join(d).join(name));
            let files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .chain(
                    more.iter()
                        .filter_map(|d| std::fs::read_dir(d).ok())
                        .flatten(),
                )
                .map(|entry| entry.unwrap().path())
                .filter(|p| p.is_file())
                .collect();
            assert!(!files.is_empty(), "{} is empty", dir.display());
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

    #[test]
    fn the_fuzz_corpus_replays() {
        replay(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus"),
            TARGETS,
        );
    }

    #[test]
    fn the_properties_hold_for_valid_inputs() {
        // Valid inputs of each kind pass: the properties do not cry wolf.
        let panics = |f: fn()| std::panic::catch_unwind(f).is_err();
        assert!(!panics(|| retry_after(b" 0012 ")));
        assert!(!panics(|| rfc3339(b"2026-04-18T21:12:11.5+02:00")));
        assert!(!panics(|| api_answers(
            b"\x0b12\n{\"error\":{\"code\":\"RATE_LIMITED\"}}"
        )));
        assert!(!panics(|| element_config(
            br#"{"endpoint":" /api ","projectId":"p","messages":{"tryAgain":"x","nope":"y"}}"#
        )));
    }
}
