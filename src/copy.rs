//! Which words a phase shows: pure, so every phase's copy is tested natively.

use crate::api::{ApiError, FailureCode};
use crate::flow::{Connected, Failure, Millis, Phase};
use crate::in_app::{App, InAppBrowser, Os};
use crate::messages::{fill, Messages};

/// The countdown line: "Link expires in 9:05"; "0:00" once past.
pub fn time_left(m: &Messages, expires_at: Millis, now: Millis) -> String {
    let secs = expires_at.saturating_sub(now).div_ceil(1_000);
    let time = format!("{}:{:02}", secs / 60, secs % 60);
    fill(&m.time_left, &[("time", &time)])
}

/// The customer-facing sentence for an ended phase other than connected.
pub fn failure_text(m: &Messages, phase: &Phase) -> String {
    let platform = phase.platform().map_or("", |p| p.label());
    match phase {
        Phase::Failed { failure: Failure::OAuth { code, .. }, .. } => oauth_failure(m, code, platform),
        Phase::Failed { failure: Failure::Rejected(error), .. } | Phase::FailedToStart { error, .. } => {
            api_failure(m, error)
        }
        Phase::Expired { .. } => m.expired.to_string(),
        Phase::Unavailable { scope, .. } => fill(&m.unavailable, &[("scope", scope.as_str())]),
        Phase::Cancelled { .. } => m.cancelled.to_string(),
        _ => String::new(),
    }
}

fn oauth_failure(m: &Messages, code: &FailureCode, platform: &str) -> String {
    let template = match code {
        FailureCode::PlatformDenied => &m.platform_denied,
        FailureCode::StateExpired => &m.state_expired,
        FailureCode::MissingCode | FailureCode::PlatformMismatch => &m.platform_glitch,
        FailureCode::ExchangeFailed => &m.exchange_failed,
        FailureCode::PersistenceError => &m.persistence_error,
        FailureCode::Other(_) => &m.failed_generic,
    };
    fill(template, &[("platform", platform), ("code", code.as_str())])
}

fn api_failure(m: &Messages, error: &ApiError) -> String {
    if let Some(scope) = error.kill_switch() {
        return fill(&m.unavailable, &[("scope", scope.as_str())]);
    }
    // Transient: the customer can simply try again. Nothing retries on its
    // own after a failed start (nor after a refused poll), so not
    // "Retrying…": the ending says what failed, next to "Try again", with
    // the code the `layers-failed` event carries.
    let transient = match error {
        ApiError::Network | ApiError::Timeout | ApiError::Aborted => true,
        ApiError::Http { status, .. } => *status == 408 || *status == 429 || *status >= 500,
        ApiError::Malformed { .. } => false,
    };
    if transient {
        fill(&m.failed_generic, &[("code", &error.code())])
    } else {
        // The integrator's configuration: say what Layers said.
        fill(&m.setup_error, &[("message", &error.to_string())])
    }
}

/// The success line: "Connected as @{handle}", or without the handle when
/// the answer has none (never "Connected as @").
pub fn connected(m: &Messages, handle: Option<&str>) -> String {
    match handle.map(str::trim).filter(|h| !h.is_empty()) {
        Some(handle) => fill(&m.connected, &[("handle", handle)]),
        None => m.connected_no_handle.to_string(),
    }
}

/// The connected account's handle: the status answer's, else the account
/// record's; an empty one is no handle.
pub fn handle_of(c: &Connected) -> Option<&str> {
    let present = |h: &&str| !h.trim().is_empty();
    c.connection.handle.as_deref().filter(present).or(c.account.as_ref().map(|a| a.handle.as_str()).filter(present))
}

/// In an in-app browser: why there are no buttons ("… inside Instagram …").
pub fn in_app(m: &Messages, browser: &InAppBrowser) -> String {
    fill(&m.in_app, &[("app", browser.app.label())])
}

/// How to leave the app's browser by its own menu, on iOS (on Android the
/// `intent:` link does it; elsewhere there is no menu we know of). TikTok
/// names the menu item differently from Meta's apps.
pub fn in_app_steps<'m>(m: &'m Messages, browser: &InAppBrowser) -> Option<&'m str> {
    match (browser.os, browser.app) {
        (Os::Ios, App::Tiktok) => Some(&m.in_app_steps_tiktok),
        (Os::Ios, App::Instagram | App::Facebook | App::Messenger) => Some(&m.in_app_steps),
        (Os::Android | Os::Other, _) => None,
    }
}

/// What the live region announces for a phase (no countdown: it would
/// interrupt a screen reader every second).
pub fn announcement(m: &Messages, phase: &Phase) -> String {
    let platform = phase.platform().map_or("", |p| p.label());
    match phase {
        Phase::Idle => String::new(),
        Phase::Starting(_) | Phase::Redirecting { .. } => fill(&m.opening, &[("platform", platform)]),
        Phase::Waiting(p) if p.blocked_link().is_some() => m.tab_blocked.to_string(),
        Phase::Waiting(_) => fill(&m.waiting, &[("platform", platform)]),
        Phase::Finishing(_) => m.finishing.to_string(),
        Phase::Connected(c) => connected(m, handle_of(c)),
        Phase::InAppBrowser { browser, .. } => in_app(m, browser),
        ended => failure_text(m, ended),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorCode, KillSwitchScope, Platform};

    fn en() -> Messages {
        Messages::for_lang("en")
    }

    fn failed(code: &str) -> Phase {
        Phase::Failed { platform: Platform::Tiktok, failure: Failure::OAuth { code: code.into(), message: None } }
    }

    fn http(status: u16, code: ErrorCode) -> ApiError {
        ApiError::Http { status, code: Some(code), message: Some("nope".into()), request_id: None, retry_after: None, scope: None }
    }

    #[test]
    fn countdown_rounds_up_to_the_second_and_stops_at_zero() {
        assert_eq!(time_left(&en(), 600_000, 0), "Link expires in 10:00");
        assert_eq!(time_left(&en(), 65_001, 0), "Link expires in 1:06");
        assert_eq!(time_left(&en(), 1_000, 5_000), "Link expires in 0:00");
    }

    #[test]
    fn every_documented_failure_code_has_its_own_copy_and_unknown_ones_keep_their_code() {
        let m = en();
        assert!(failure_text(&m, &failed("platform_denied")).contains("didn't give access on TikTok"));
        assert!(failure_text(&m, &failed("state_expired")).contains("link expired"));
        assert!(failure_text(&m, &failed("missing_code")).contains("TikTok sent you back"));
        assert!(failure_text(&m, &failed("platform_mismatch")).contains("TikTok sent you back"));
        assert!(failure_text(&m, &failed("exchange_failed")).contains("couldn't complete"));
        assert!(failure_text(&m, &failed("persistence_error")).contains("contact support"));
        assert_eq!(failure_text(&m, &failed("quota_exceeded")), "The connection failed (quota_exceeded). Please try again.");
    }

    #[test]
    fn configuration_errors_name_the_problem_and_transient_ones_do_not() {
        let m = en();
        let rejected = Phase::FailedToStart { platform: Platform::Instagram, error: http(403, ErrorCode::ReturnUrlNotAllowed) };
        let text = failure_text(&m, &rejected);
        assert!(text.starts_with("Connecting accounts isn't set up correctly") && text.contains("RETURN_URL_NOT_ALLOWED"), "{text}");
        let busy = Phase::FailedToStart { platform: Platform::Instagram, error: http(429, ErrorCode::RateLimited) };
        assert_eq!(failure_text(&m, &busy), "The connection failed (RATE_LIMITED). Please try again.");
        let offline = Phase::FailedToStart { platform: Platform::Instagram, error: ApiError::Network };
        assert_eq!(failure_text(&m, &offline), "The connection failed (NETWORK). Please try again.");
    }

    #[test]
    fn a_failed_start_never_says_retrying_next_to_try_again() {
        // Issue 11: a 501 from the proxy showed "Retrying…" with a failed
        // HTTP_501 and "Try again". One state, one message, in every language.
        let unimplemented = ApiError::Http { status: 501, code: None, message: None, request_id: None, retry_after: None, scope: None };
        for lang in crate::messages::LANGUAGES {
            let m = Messages::for_lang(lang);
            for error in [unimplemented.clone(), http(502, ErrorCode::Internal), ApiError::Timeout, ApiError::Network] {
                let code = error.code();
                let phase = Phase::FailedToStart { platform: Platform::Tiktok, error };
                let text = failure_text(&m, &phase);
                assert_ne!(text, m.retrying, "{lang}");
                assert!(text.contains(&code), "{lang}: {text}");
            }
        }
        let m = en();
        let phase = Phase::FailedToStart { platform: Platform::Tiktok, error: unimplemented };
        assert_eq!(failure_text(&m, &phase), "The connection failed (HTTP_501). Please try again.");
        assert_eq!(announcement(&m, &phase), failure_text(&m, &phase));
    }

    #[test]
    fn kill_switch_names_its_scope_whether_minting_or_polling() {
        let m = en();
        let polling = Phase::Unavailable { platform: Platform::Tiktok, scope: KillSwitchScope::Organization };
        assert_eq!(failure_text(&m, &polling), "Connecting accounts is unavailable right now (organization).");
        let minting = Phase::FailedToStart {
            platform: Platform::Tiktok,
            error: ApiError::Http { status: 503, code: Some(ErrorCode::KillSwitch), message: None, request_id: None, retry_after: None, scope: Some(KillSwitchScope::Global) },
        };
        assert_eq!(failure_text(&m, &minting), "Connecting accounts is unavailable right now (global).");
    }

    #[test]
    fn a_missing_or_empty_handle_never_reads_connected_as_at() {
        use crate::api::Connection;
        for lang in crate::messages::LANGUAGES {
            let m = Messages::for_lang(lang);
            for handle in [None, Some(""), Some("  ")] {
                let text = connected(&m, handle);
                assert!(!text.contains('@') && !text.is_empty(), "{lang} {handle:?}: {text}");
                assert_eq!(text, m.connected_no_handle);
            }
            assert!(connected(&m, Some("acmecoffee")).contains("@acmecoffee"), "{lang}");
        }
        // Through the flow: a completed answer without a handle.
        use crate::api::{OAuthStatus, OAuthUrl};
        use crate::flow::driver::{poll_id, Driver};
        use crate::flow::{Input, Mode};
        for handle in [None, Some(String::new())] {
            let mut d = Driver::new(Mode::Tab, 0);
            let url = OAuthUrl { authorize_url: "https://consent.example/a".into(), state: "st_1".into(), expires_at: String::new() };
            d.connect(0, false, url);
            let poll = d.at(5_000, Input::Timer);
            assert!(poll_id(&poll).is_some());
            let connection = Connection { social_account_id: "sa_1".into(), platform: None, handle, connected_at: None };
            d.answer(&poll, 5_100, Ok(OAuthStatus::Completed(connection)));
            assert_eq!(announcement(&en(), d.phase()), "Connected.");
        }
    }

    #[test]
    fn in_app_copy_names_the_app_and_its_menu_on_ios_only() {
        let browser = |app, os| InAppBrowser { app, os };
        for lang in crate::messages::LANGUAGES {
            let m = Messages::for_lang(lang);
            for app in [App::Instagram, App::Tiktok, App::Facebook, App::Messenger] {
                let text = in_app(&m, &browser(app, Os::Ios));
                assert!(text.contains(app.label()) && !text.contains('{'), "{lang}: {text}");
                assert!(in_app_steps(&m, &browser(app, Os::Android)).is_none());
                assert!(in_app_steps(&m, &browser(app, Os::Other)).is_none());
            }
            assert_eq!(in_app_steps(&m, &browser(App::Tiktok, Os::Ios)), Some(&*m.in_app_steps_tiktok));
            assert_eq!(in_app_steps(&m, &browser(App::Messenger, Os::Ios)), Some(&*m.in_app_steps));
        }
        let phase = Phase::InAppBrowser { browser: browser(App::Facebook, Os::Android), page_url: "https://p.example/".into() };
        assert_eq!(announcement(&en(), &phase), "Accounts can't be connected inside Facebook. Open this page in your browser to continue.");
        assert_eq!(failure_text(&en(), &phase), "");
    }

    #[test]
    fn announcements_follow_the_language() {
        let es = Messages::for_lang("es");
        assert_eq!(announcement(&es, &Phase::Expired { platform: Platform::Tiktok }), es.expired);
        assert_eq!(announcement(&es, &Phase::Idle), "");
    }
}
