//! What one widget keeps in sessionStorage while an attempt runs, so a
//! reload, or redirect mode's return, resumes it. Pure, so the stored format
//! (and reading what an older version stored) is tested natively.

use crate::api::Platform;
use crate::flow::Attempt;
use crate::json::{self, FromJson, Json, Mismatch};
use serde::Serialize;

/// The persisted form of an attempt: the core's [`Attempt`] plus whether this
/// page left for the consent page itself (redirect mode), which is how a page
/// load tells "came back" from "reloaded while waiting".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Persisted {
    /// The attempt.
    pub attempt: Attempt,
    /// This page itself went to the consent page (redirect mode).
    pub redirected: bool,
    /// The consent tab's return token, so a reload still recognizes its
    /// return; absent in records written before tokens existed.
    pub return_token: Option<String>,
}

impl FromJson for Persisted {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        Ok(Persisted {
            attempt: json::opt(v, "attempt")?.ok_or(Mismatch)?,
            redirected: json::opt_bool(v, "redirected")?.ok_or(Mismatch)?,
            return_token: json::opt_string(v, "returnToken")?,
        })
    }
}

// Here rather than in the core: reading what an older version stored is
// this record's concern, not the state machine's.
impl FromJson for Attempt {
    fn from_json<J: Json>(v: &J) -> Result<Self, Mismatch> {
        Ok(Attempt {
            state: json::string(v, "state")?,
            platform: Platform::parse(&json::string(v, "platform")?).ok_or(Mismatch)?,
            expires_at: json::opt_u64(v, "expiresAt")?.ok_or(Mismatch)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt() -> Attempt {
        Attempt { state: "st_1".into(), platform: Platform::Instagram, expires_at: 1_776_539_531_000 }
    }

    #[test]
    fn what_is_written_reads_back() {
        let saved = Persisted { attempt: attempt(), redirected: true, return_token: Some("a1b2".into()) };
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(
            text,
            r#"{"attempt":{"state":"st_1","platform":"instagram","expiresAt":1776539531000},"redirected":true,"returnToken":"a1b2"}"#
        );
        assert_eq!(json::parse::<Persisted>(&text), Ok(saved));
    }

    #[test]
    fn a_record_without_a_token_still_resumes() {
        let old = r#"{"attempt":{"state":"st_1","platform":"instagram","expiresAt":1776539531000},"redirected":false}"#;
        assert_eq!(json::parse(old), Ok(Persisted { attempt: attempt(), redirected: false, return_token: None }));
    }

    #[test]
    fn anything_else_is_not_an_attempt_to_resume() {
        for bad in [
            "",
            "null",
            r#"{"redirected":false}"#,
            r#"{"attempt":{"state":"st_1","platform":"instagram","expiresAt":1},"redirected":"no"}"#,
            r#"{"attempt":{"state":"st_1","platform":"instagram"},"redirected":false}"#,
            r#"{"attempt":{"state":"st_1","platform":"instagram","expiresAt":1},"redirected":false,"returnToken":7}"#,
        ] {
            assert_eq!(json::parse::<Persisted>(bad), Err(Mismatch), "{bad}");
        }
    }
}
