//! OAuth attempts ("state rows"): minted by oauth-url, settled once by the callback.

use serde::Serialize;
use time::OffsetDateTime;
use url::Url;

use crate::clock::rfc3339_seconds;
use crate::social::Platform;

/// Why an attempt failed: the stable snake_case codes of the spec's failure table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureCode {
    StateExpired,
    PlatformDenied,
    PlatformMismatch,
    MissingCode,
    ExchangeFailed,
    PersistenceError,
}

impl FailureCode {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::StateExpired => "state_expired",
            Self::PlatformDenied => "platform_denied",
            Self::PlatformMismatch => "platform_mismatch",
            Self::MissingCode => "missing_code",
            Self::ExchangeFailed => "exchange_failed",
            Self::PersistenceError => "persistence_error",
        }
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::StateExpired => "The authorization link expired before consent was completed. Create a new one.",
            Self::PlatformDenied => "The user did not grant consent on the platform.",
            Self::PlatformMismatch => "The platform in the callback did not match the platform of this attempt.",
            Self::MissingCode => "The platform redirected back without an authorization code. Create a new link and retry.",
            Self::ExchangeFailed => "Exchanging the authorization code with the platform failed.",
            Self::PersistenceError => "Layers could not save the connected account. Contact support with the state.",
        }
    }
}

/// Where an attempt stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pending,
    Completed {
        social_account_id: String,
        handle: String,
        connected_at: OffsetDateTime,
    },
    Failed(FailureCode),
}

impl Outcome {
    /// `pending`, `completed`, or the failure code: enough for a log line.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed { .. } => "completed",
            Self::Failed(code) => code.code(),
        }
    }
}

/// The 200 body of oauth-status.
#[derive(Debug, Serialize)]
#[serde(untagged, rename_all_fields = "camelCase")]
pub(crate) enum StatusBody<'a> {
    Pending {
        state: &'a str,
        status: &'static str,
        expires_at: String,
    },
    Completed {
        state: &'a str,
        status: &'static str,
        social_account_id: String,
        platform: &'static str,
        handle: String,
        connected_at: String,
    },
    Failed {
        state: &'a str,
        status: &'static str,
        error: FailureBody,
    },
}

#[derive(Debug, Serialize)]
pub(crate) struct FailureBody {
    code: &'static str,
    message: &'static str,
}

/// One state row.
#[derive(Debug, Clone)]
pub(crate) struct Attempt {
    pub state: String,
    /// Only this key may see the attempt, even within the same organization.
    pub key_id: String,
    pub project_id: String,
    pub platform: Platform,
    pub return_url: Url,
    pub scopes: Vec<String>,
    pub expires_at: OffsetDateTime,
    pub outcome: Outcome,
}

impl Attempt {
    /// `st_` + a ULID.
    pub(crate) fn new_state_token() -> String {
        format!("st_{}", ulid::Ulid::new())
    }

    pub(crate) fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires_at
    }

    /// The outcome as a reader sees it now: a pending row past its expiry has failed.
    pub(crate) fn outcome_at(&self, now: OffsetDateTime) -> Outcome {
        match self.outcome {
            Outcome::Pending if self.is_expired(now) => Outcome::Failed(FailureCode::StateExpired),
            ref settled => settled.clone(),
        }
    }

    /// The oauth-status 200 body, field for field (and in the order) of the spec's examples.
    pub(crate) fn status_body(&self, now: OffsetDateTime) -> StatusBody<'_> {
        let state = self.state.as_str();
        match self.outcome_at(now) {
            Outcome::Pending => StatusBody::Pending {
                state,
                status: "pending",
                expires_at: rfc3339_seconds(self.expires_at),
            },
            Outcome::Completed {
                social_account_id,
                handle,
                connected_at,
            } => StatusBody::Completed {
                state,
                status: "completed",
                social_account_id,
                platform: self.platform.id(),
                handle,
                connected_at: rfc3339_seconds(connected_at),
            },
            Outcome::Failed(code) => StatusBody::Failed {
                state,
                status: "failed",
                error: FailureBody {
                    code: code.code(),
                    message: code.message(),
                },
            },
        }
    }

    /// The partner's returnUrl, plus `layers_oauth_error` on failure; its own query
    /// and fragment are kept.
    pub(crate) fn return_location(&self) -> Url {
        let mut url = self.return_url.clone();
        if let Outcome::Failed(code) = self.outcome {
            url.query_pairs_mut()
                .append_pair("layers_oauth_error", code.code());
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(return_url: &str, outcome: Outcome) -> Attempt {
        Attempt {
            state: "st_X".into(),
            key_id: "key_demo".into(),
            project_id: "prj_demo".into(),
            platform: Platform::TikTok,
            return_url: Url::parse(return_url).unwrap(),
            scopes: vec![],
            expires_at: time::macros::datetime!(2026-04-18 19:12:11 UTC),
            outcome,
        }
    }

    #[test]
    fn failure_appends_code_and_keeps_query_and_fragment() {
        let a = attempt(
            "http://127.0.0.1:8080/return.html?tab=social#top",
            Outcome::Failed(FailureCode::PlatformDenied),
        );
        assert_eq!(
            a.return_location().as_str(),
            "http://127.0.0.1:8080/return.html?tab=social&layers_oauth_error=platform_denied#top"
        );
    }

    #[test]
    fn success_leaves_return_url_untouched() {
        let a = attempt(
            "http://127.0.0.1:8080/return.html?tab=social",
            Outcome::Completed {
                social_account_id: "sa_1".into(),
                handle: "h".into(),
                connected_at: time::macros::datetime!(2026-04-18 19:06:42 UTC),
            },
        );
        assert_eq!(
            a.return_location().as_str(),
            "http://127.0.0.1:8080/return.html?tab=social"
        );
    }

    #[test]
    fn pending_reads_as_expired_from_the_expiry_instant_on() {
        let a = attempt("http://127.0.0.1:8080/", Outcome::Pending);
        let before = a.expires_at - time::Duration::seconds(1);
        assert_eq!(a.outcome_at(before), Outcome::Pending);
        assert_eq!(
            a.outcome_at(a.expires_at),
            Outcome::Failed(FailureCode::StateExpired)
        );
    }
}
