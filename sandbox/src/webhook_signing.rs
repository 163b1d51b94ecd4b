//! **Assumption**, in this one module: Layers signs its webhooks the Standard
//! Webhooks way (<https://www.standardwebhooks.com>). The spec names the
//! `social_account.connected` event and its fields, not the transport, so the
//! sandbox sends what a Standard Webhooks receiver verifies:
//!
//! - `webhook-id`: the message id, the same on every retry of one message;
//! - `webhook-timestamp`: unix seconds when this attempt was sent;
//! - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`;
//! - the secret: `whsec_<base64 key bytes>`.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET_PREFIX: &str = "whsec_";

/// A webhook signing secret (`whsec_<base64>`). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// Parses `whsec_<base64>`, at least 16 key bytes.
    pub fn new(secret: &str) -> Result<Self, String> {
        let encoded = secret
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or("a webhook secret must start with whsec_")?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| "the part after whsec_ must be base64")?;
        if key.len() < 16 {
            return Err("a webhook secret must hold at least 16 key bytes".into());
        }
        Ok(Self(key))
    }

    /// The `webhook-signature` header value for one attempt.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks reference vector, as its libraries test it.
    #[test]
    fn signs_like_the_standard_webhooks_libraries() {
        let secret = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(!format!("{secret:?}").contains("MfKQ"));
    }

    #[test]
    fn refuses_what_is_not_a_secret() {
        assert!(WebhookSecret::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(WebhookSecret::new("whsec_!!").is_err());
        assert!(WebhookSecret::new("whsec_AAAA").is_err());
    }
}
