//! **Assumption**, in this one module: Layers signs its webhooks the Standard
//! Webhooks way (<https://www.standardwebhooks.com>). The spec names the
//! `social_account.connected` event and its fields but not the transport, so
//! this is what the proxy verifies until Layers documents otherwise:
//!
//! - `webhook-id`: the message id, the same on every retry of one message;
//! - `webhook-timestamp`: unix seconds when this attempt was sent;
//! - `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries,
//!   each over `{id}.{timestamp}.{body}`, any one of which may match (a sender
//!   rotating its secret signs with both);
//! - the secret: `whsec_<base64 key bytes>`.
//!
//! Sans-IO: the clock is an argument. The MAC comparison is the `hmac` crate's
//! constant-time `verify_slice`.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::ConfigError;

/// Standard Webhooks' default tolerance between `webhook-timestamp` and now.
pub const DEFAULT_WEBHOOK_TOLERANCE: Duration = Duration::from_secs(5 * 60);

const SECRET_PREFIX: &str = "whsec_";
const HEADER_ID: &str = "webhook-id";
const HEADER_TIMESTAMP: &str = "webhook-timestamp";
const HEADER_SIGNATURE: &str = "webhook-signature";
/// Longer ids are refused: they become replay-guard keys (memory, Redis).
const MAX_ID_LEN: usize = 200;

/// The webhook signing secret (`whsec_…`). `Debug` never shows it.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Parses `whsec_<base64>` (surrounding whitespace dropped).
    pub fn new(secret: &str) -> Result<Self, ConfigError> {
        let refuse = |reason| ConfigError::WebhookSecret { reason };
        let encoded = secret
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| refuse("it must start with whsec_"))?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| refuse("the part after whsec_ must be base64"))?;
        if key.len() < 16 {
            return Err(refuse("it must hold at least 16 key bytes"));
        }
        Ok(Self(key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` value for a message (what a sender puts on it).
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Why a delivery was refused. `Malformed` is the sender's bug (400); the
/// others are "not from Layers, or not now" (401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    Malformed {
        header: &'static str,
        why: &'static str,
    },
    Stale,
    BadSignature,
}

/// A delivery whose signature and timestamp check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) id: String,
}

/// Checks the three headers against `body` at `now`.
pub(crate) fn verify(
    secret: &WebhookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<Verified, Refused> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(Refused::Malformed {
                header: name,
                why: "missing or not text",
            })
    };
    let id = header(HEADER_ID)?;
    if id.len() > MAX_ID_LEN || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Refused::Malformed {
            header: HEADER_ID,
            why: "longer than 200 characters or not printable ASCII",
        });
    }
    let timestamp = header(HEADER_TIMESTAMP)?;
    let sent: u64 = timestamp.parse().map_err(|_| Refused::Malformed {
        header: HEADER_TIMESTAMP,
        why: "not unix seconds",
    })?;
    let signatures = header(HEADER_SIGNATURE)?;
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if sent.abs_diff(now) > tolerance.as_secs() {
        return Err(Refused::Stale);
    }
    let matches = signatures
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|tag| STANDARD.decode(tag).ok())
        .any(|tag| secret.mac(id, timestamp, body).verify_slice(&tag).is_ok());
    if matches {
        Ok(Verified { id: id.to_owned() })
    } else {
        Err(Refused::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const NOW: u64 = 1_800_000_000;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
    }

    fn headers(id: &str, ts: &str, sig: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in [
            (HEADER_ID, id),
            (HEADER_TIMESTAMP, ts),
            (HEADER_SIGNATURE, sig),
        ] {
            h.insert(name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn check(h: &HeaderMap, body: &[u8], now: u64) -> Result<Verified, Refused> {
        verify(&secret(), h, body, at(now), DEFAULT_WEBHOOK_TOLERANCE)
    }

    /// The Standard Webhooks reference vector (its libraries' test suites use
    /// this secret, id, timestamp and body): our HMAC agrees with theirs.
    #[test]
    fn matches_the_standard_webhooks_test_vector() {
        let body = br#"{"test": 2432232314}"#;
        let sig = secret().sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn good_signature_passes_and_names_the_id() {
        let body = b"{}";
        let sig = secret().sign("msg_1", NOW, body);
        let ok = check(&headers("msg_1", &NOW.to_string(), &sig), body, NOW + 299).unwrap();
        assert_eq!(ok.id, "msg_1");
        // One good entry among several (secret rotation, unknown versions) is enough.
        let many = format!("v2,abc v1,AAAA {sig}");
        assert!(check(&headers("msg_1", &NOW.to_string(), &many), body, NOW).is_ok());
    }

    #[test]
    fn forged_or_mismatched_signatures_are_refused() {
        let body = b"{}";
        let ts = NOW.to_string();
        let sig = secret().sign("msg_1", NOW, body);
        let other = WebhookSecret::new("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let forged = other.sign("msg_1", NOW, body);
        for (h, b) in [
            (headers("msg_1", &ts, &forged), &body[..]),
            (headers("msg_2", &ts, &sig), &body[..]),
            (headers("msg_1", &ts, &sig), &b"{ }"[..]),
            (headers("msg_1", &(NOW + 1).to_string(), &sig), &body[..]),
            (headers("msg_1", &ts, "v1,not-base64!"), &body[..]),
            (
                headers("msg_1", &ts, &sig.replacen("v1", "v2", 1)),
                &body[..],
            ),
        ] {
            assert_eq!(check(&h, b, NOW), Err(Refused::BadSignature), "{h:?}");
        }
    }

    #[test]
    fn stale_or_future_timestamps_are_refused() {
        let body = b"{}";
        for sent in [NOW - 301, NOW + 301] {
            let sig = secret().sign("msg_1", sent, body);
            let h = headers("msg_1", &sent.to_string(), &sig);
            assert_eq!(check(&h, body, NOW), Err(Refused::Stale));
        }
    }

    #[test]
    fn malformed_headers_are_refused_as_such() {
        let body = b"{}";
        let sig = secret().sign("msg_1", NOW, body);
        let ts = NOW.to_string();
        let malformed =
            |h: HeaderMap| matches!(check(&h, body, NOW), Err(Refused::Malformed { .. }));
        assert!(malformed(headers("msg_1", "yesterday", &sig)));
        assert!(malformed(headers(&"m".repeat(201), &ts, &sig)));
        let mut missing = headers("msg_1", &ts, &sig);
        missing.remove(HEADER_SIGNATURE);
        assert!(malformed(missing));
        assert!(malformed(HeaderMap::new()));
    }

    #[test]
    fn secrets_are_checked_and_never_shown() {
        assert!(WebhookSecret::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::new("whsec_***").is_err());
        assert!(WebhookSecret::new("whsec_AAAA").is_err(), "3 bytes");
        let shown = format!("{:?}", secret());
        assert!(!shown.contains("MfKQ"), "{shown}");
    }
}
