//! The API's open sets of codes: [`FailureCode`], [`ErrorCode`] and
//! [`KillSwitchScope`]. Layers promises to extend each, so every one is "the
//! known values plus `Other(String)`", and one macro makes all three the
//! same way: `as_str`, `Display`, `From<&str>`, `From<String>`, `FromStr`,
//! `Into<String>` and `Serialize` as the wire string. (`Other` comes first
//! in each invocation only so the macro can tell it from the known values.)

use core::convert::Infallible;
use core::fmt;
use core::str::FromStr;
use serde::{Serialize, Serializer};

macro_rules! open_code {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$other:meta])* Other(String),
            $( $(#[$doc:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
            $(#[$other])* Other(String),
        }

        impl $name {
            /// The wire value (an unknown one verbatim).
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(value) => value,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => $name::$variant, )*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            // Reuses the allocation for an unknown value.
            fn from(value: String) -> Self {
                match $name::from(value.as_str()) {
                    $name::Other(_) => $name::Other(value),
                    known => known,
                }
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(value: &str) -> Result<Self, Infallible> {
                Ok($name::from(value))
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> Self {
                match code {
                    $name::Other(value) => value,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

open_code! {
    /// `error.code` of a failed attempt (also the `layers_oauth_error` return
    /// parameter). The set only grows, so unknown codes are kept verbatim.
    pub enum FailureCode {
        /// A code this version does not know yet, verbatim.
        Other(String),
        /// `state_expired`: the 10-minute state passed before consent finished.
        StateExpired = "state_expired",
        /// `platform_denied`: the customer declined, or the platform said access_denied.
        PlatformDenied = "platform_denied",
        /// `platform_mismatch`: the callback's platform differs from the state's.
        PlatformMismatch = "platform_mismatch",
        /// `missing_code`: the platform redirected without `?code`.
        MissingCode = "missing_code",
        /// `exchange_failed`: the platform's token endpoint failed.
        ExchangeFailed = "exchange_failed",
        /// `persistence_error`: Layers could not store the account.
        PersistenceError = "persistence_error",
    }
}

impl FailureCode {
    /// The generic code that stands in for a value not of the documented shape.
    pub const UNKNOWN: &'static str = "unknown";

    /// From a value that came from outside (a status answer, the
    /// `layers_oauth_error` parameter): a code of the documented shape
    /// `[a-z_]{1,64}` as [`FailureCode::from`], anything else as
    /// `Other("unknown")`. Anyone can put any text in a return URL, so a
    /// value of another shape is never shown or reported.
    pub fn from_wire(value: &str) -> Self {
        let documented = (1..=64).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if documented {
            FailureCode::from(value)
        } else {
            FailureCode::Other(Self::UNKNOWN.into())
        }
    }

    /// One English sentence for integrators (customer copy lives in the view).
    pub fn description(&self) -> &'static str {
        match self {
            FailureCode::StateExpired => "The authorize link expired before consent finished.",
            FailureCode::PlatformDenied => "The customer did not grant consent on the platform.",
            FailureCode::PlatformMismatch => "The callback's platform did not match the attempt.",
            FailureCode::MissingCode => "The platform redirected without an authorization code.",
            FailureCode::ExchangeFailed => "The platform's token exchange failed.",
            FailureCode::PersistenceError => "Layers could not store the account.",
            FailureCode::Other(_) => "The connection failed.",
        }
    }
}

open_code! {
    /// Transport-level error codes of the API and the proxy.
    pub enum ErrorCode {
        /// Any other code (the proxy's own, or a new one), verbatim.
        Other(String),
        /// `VALIDATION`: a bad request (platform, returnUrl, empty state).
        Validation = "VALIDATION",
        /// `UNAUTHENTICATED`: the proxy's key is missing or invalid.
        Unauthenticated = "UNAUTHENTICATED",
        /// `FORBIDDEN_SCOPE`: the key lacks `social:write` / `social:read`.
        ForbiddenScope = "FORBIDDEN_SCOPE",
        /// `RETURN_URL_NOT_ALLOWED`: returnUrl is not on the key's allowlist.
        ReturnUrlNotAllowed = "RETURN_URL_NOT_ALLOWED",
        /// `NOT_FOUND`: unknown project, or a state minted under another key.
        NotFound = "NOT_FOUND",
        /// `RATE_LIMITED`: budget exhausted; honour `Retry-After`.
        RateLimited = "RATE_LIMITED",
        /// `INTERNAL`: server-side failure; retry with backoff.
        Internal = "INTERNAL",
        /// `KILL_SWITCH`: the key, organization or whole partner API is disabled.
        KillSwitch = "KILL_SWITCH",
    }
}

open_code! {
    /// What a `KILL_SWITCH` disabled.
    pub enum KillSwitchScope {
        /// A scope this version does not know, verbatim (empty when absent).
        Other(String),
        /// The partner's API key.
        Key = "key",
        /// The partner's organization.
        Organization = "organization",
        /// Layers' whole partner API.
        Global = "global",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_failure_code_round_trips() {
        for code in [
            "state_expired",
            "platform_denied",
            "platform_mismatch",
            "missing_code",
            "exchange_failed",
            "persistence_error",
        ] {
            let parsed = FailureCode::from(code);
            assert!(!matches!(parsed, FailureCode::Other(_)), "{code}");
            assert_eq!(parsed.as_str(), code);
            assert_eq!(String::from(parsed), code);
        }
    }

    #[test]
    fn the_three_code_sets_behave_alike() {
        // Known values by every way in, and out again as the wire string.
        assert_eq!(ErrorCode::from("KILL_SWITCH"), ErrorCode::KillSwitch);
        assert_eq!(ErrorCode::from(String::from("RATE_LIMITED")), ErrorCode::RateLimited);
        assert_eq!("global".parse::<KillSwitchScope>(), Ok(KillSwitchScope::Global));
        assert_eq!(KillSwitchScope::Organization.to_string(), "organization");
        assert_eq!(String::from(ErrorCode::ReturnUrlNotAllowed), "RETURN_URL_NOT_ALLOWED");
        assert_eq!(serde_json::to_string(&ErrorCode::NotFound).unwrap(), r#""NOT_FOUND""#);
        assert_eq!(serde_json::to_string(&KillSwitchScope::Key).unwrap(), r#""key""#);
        // Wire values are case-sensitive: another spelling is unknown, kept verbatim.
        assert_eq!(ErrorCode::from("kill_switch"), ErrorCode::Other("kill_switch".into()));
        assert_eq!(KillSwitchScope::from("Global"), KillSwitchScope::Other("Global".into()));
        for unknown in ["CSRF", ""] {
            let code = ErrorCode::from(unknown);
            assert_eq!((code.as_str(), code.to_string()), (unknown, unknown.to_string()));
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("{unknown:?}"));
        }
    }
}
