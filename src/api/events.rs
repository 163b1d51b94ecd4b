//! The outcome stream's events (`GET {endpoint}/social/oauth-events/{state}`,
//! docs/proxy.md "Outcome stream"), read defensively: only the documented
//! event names, only the documented members, and nothing in them is ever
//! shown, executed or navigated to. Only `status` carries an answer: the
//! proxy's own poll of this state (asked for with `?check=1`), read by the
//! same decoder as a poll's body.

use crate::api::{OAuthStatus, Platform};
use crate::flow::{StreamEnd, StreamSignal};
use crate::json::{FromJson, Json};

/// The event names the shell listens for; every other name is ignored.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) const EVENT_NAMES: [&str; 4] = ["ready", "nudge", "status", "end"];

/// What the event `name` with `data` (parsed JSON, `None` when it was not
/// JSON) tells the flow; `None` for an event that is not for it.
pub(crate) fn stream_signal<J: Json>(name: &str, data: Option<&J>) -> Option<StreamSignal> {
    match name {
        "ready" => Some(StreamSignal::Ready),
        "nudge" => {
            // A platform the widget does not know is not this attempt's; a
            // missing or unreadable one still nudges (one poll, by the rules).
            match data.and_then(|d| d.member("platform")).map(|p| p.string()) {
                Some(Some(name)) => Platform::parse(&name).map(|p| StreamSignal::Nudge { platform: Some(p) }),
                _ => Some(StreamSignal::Nudge { platform: None }),
            }
        }
        // The proxy's poll on a nudge: its answer, or `None` when it is not
        // a status answer (the poll was still spent; the floor takes over).
        "status" => Some(StreamSignal::Checked(data.and_then(|d| OAuthStatus::from_json(d).ok()))),
        "end" => {
            let reason = data.and_then(|d| d.member("reason")).and_then(|r| r.string());
            Some(StreamSignal::Ended(match reason.as_deref() {
                Some("outcome") => StreamEnd::Outcome,
                _ => StreamEnd::Expired,
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn read(name: &str, data: Value) -> Option<StreamSignal> {
        stream_signal(name, Some(&data))
    }

    #[test]
    fn documented_events() {
        assert_eq!(read("ready", json!({})), Some(StreamSignal::Ready));
        assert_eq!(read("nudge", json!({"platform": "tiktok"})), Some(StreamSignal::Nudge { platform: Some(Platform::Tiktok) }));
        assert_eq!(read("nudge", json!({"platform": "instagram"})), Some(StreamSignal::Nudge { platform: Some(Platform::Instagram) }));
        assert_eq!(read("end", json!({"reason": "outcome"})), Some(StreamSignal::Ended(StreamEnd::Outcome)));
        assert_eq!(read("end", json!({"reason": "expired"})), Some(StreamSignal::Ended(StreamEnd::Expired)));
        assert_eq!(read("status", json!({"status": "pending"})), Some(StreamSignal::Checked(Some(OAuthStatus::Pending))));
        let completed = json!({"status": "completed", "socialAccountId": "sa_1", "platform": "tiktok", "handle": "acme"});
        assert!(matches!(
            read("status", completed),
            Some(StreamSignal::Checked(Some(OAuthStatus::Completed(c)))) if c.social_account_id == "sa_1" && c.handle.as_deref() == Some("acme")
        ));
        assert!(matches!(
            read("status", json!({"status": "failed", "error": {"code": "platform_denied"}})),
            Some(StreamSignal::Checked(Some(OAuthStatus::Failed { .. })))
        ));
    }

    #[test]
    fn a_status_that_breaks_the_contract_is_read_as_no_answer() {
        // The same decoder as a poll's body: what it refuses is no outcome.
        for data in [
            json!(null),
            json!({}),
            json!("completed"),
            json!({"status": "completed"}),
            json!({"status": "completed", "socialAccountId": ""}),
            json!({"status": "completed", "socialAccountId": 7}),
            json!({"status": 1}),
        ] {
            assert_eq!(read("status", data.clone()), Some(StreamSignal::Checked(None)), "{data}");
        }
        assert_eq!(stream_signal::<Value>("status", None), Some(StreamSignal::Checked(None)));
    }

    #[test]
    fn anything_else_is_read_safely() {
        // Unknown event names are not the flow's.
        for name in ["message", "outcome", "connected", "", "READY", "STATUS"] {
            assert_eq!(read(name, json!({"status": "completed"})), None, "{name}");
        }
        // A platform the widget does not know: not this attempt's.
        assert_eq!(read("nudge", json!({"platform": "youtube"})), None);
        // Unreadable data still nudges: the poll decides.
        for data in [json!(null), json!([1]), json!({"platform": 7}), json!("tiktok"), json!({})] {
            assert_eq!(read("nudge", data.clone()), Some(StreamSignal::Nudge { platform: None }), "{data}");
        }
        assert_eq!(stream_signal::<Value>("nudge", None), Some(StreamSignal::Nudge { platform: None }));
        // An end of any other shape ends the stream without a poll.
        for data in [json!({"reason": "OUTCOME"}), json!({"reason": 1}), json!(null), json!({})] {
            assert_eq!(read("end", data.clone()), Some(StreamSignal::Ended(StreamEnd::Expired)), "{data}");
        }
        // An outcome in the stream is never read as one.
        let sneaky = json!({"reason": "outcome", "status": "completed", "socialAccountId": "sa_x"});
        assert_eq!(read("end", sneaky), Some(StreamSignal::Ended(StreamEnd::Outcome)));
    }
}
