//! What the widget shows: one flat [`Screen`] per moment, computed from the
//! phase, the strings, connectivity and the clock. Pure, so every phase's
//! screen is tested natively; the view maps it to elements and decides
//! nothing.
//!
//! Every screen has the same shape (headline, details, actions, notices,
//! link, connect buttons), so the view is one element tree whose parts come
//! and go. That keeps the bundle small (one tree to build and update, not
//! one per phase), and an element only ever plays one role: the Cancel
//! button is never reused as "Try again".

use crate::api::Platform;
use crate::copy::{announcement, connected, failure_text, handle_of, time_left};
use crate::flow::{Millis, Phase};
use crate::messages::{fill, Messages};
use crate::url::is_http_url;

/// Everything the widget shows at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Screen {
    /// The phase name, the root's `data-phase`.
    pub phase: &'static str,
    /// The headline.
    pub status: Option<Status>,
    /// Quieter lines under the headline (countdown, display name).
    pub details: Vec<String>,
    /// "Try again", its label.
    pub retry: Option<String>,
    /// "Cancel" for the attempt under way, its label.
    pub cancel: Option<String>,
    /// Back to the buttons: "Connect another account", or "Cancel" after a failure.
    pub reset: Option<String>,
    /// Lines that explain the situation (offline, retrying, blocked tab, cancelled).
    pub notices: Vec<Notice>,
    /// "Continue to {platform}" when the browser blocked the consent tab.
    pub link: Option<Link>,
    /// One "Connect {platform}" button per offered platform.
    pub connect: Vec<(Platform, String)>,
    /// What the live region says (never the ticking countdown).
    pub announcement: String,
}

/// The headline of a screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// How it reads.
    pub tone: Tone,
    /// The words.
    pub text: String,
    /// The connected account's picture (http(s) only).
    pub avatar: Option<String>,
}

/// How a headline reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something is under way (with a spinner).
    Progress,
    /// Connected.
    Success,
    /// Ended without an account.
    Error,
}

// Read by the view only.
#[cfg(any(feature = "csr", feature = "hydrate", feature = "ssr"))]
impl Tone {
    /// The headline's `class`.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Progress => "lc-status",
            Tone::Success => "lc-status lc-success",
            Tone::Error => "lc-status lc-error",
        }
    }

    /// The headline's `part`.
    pub fn part(self) -> &'static str {
        match self {
            Tone::Progress => "status progress",
            Tone::Success => "status connected",
            Tone::Error => "status error",
        }
    }
}

/// A line that explains the situation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Its `part`: `message`, `message offline` or `message retrying`.
    pub part: &'static str,
    /// The words.
    pub text: String,
    /// Shown as a problem.
    pub alert: bool,
}

/// The fallback link to the consent page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The words.
    pub label: String,
    /// The authorize URL.
    pub href: String,
}

/// The screen for `phase` at `now` (epoch ms).
pub fn screen(phase: &Phase, m: &Messages, online: bool, now: Millis, platforms: &[Platform]) -> Screen {
    let mut s = Screen { phase: phase.name().as_str(), announcement: announcement(m, phase), ..Screen::default() };
    let platform = phase.platform().map_or("", |p| p.label());
    let progress = |text: String| Some(Status { tone: Tone::Progress, text, avatar: None });
    match phase {
        Phase::Idle => s.connect = connect_buttons(m, platforms),
        Phase::Starting(_) => {
            s.status = progress(fill(&m.opening, &[("platform", platform)]));
            s.cancel = Some(m.cancel.to_string());
        }
        Phase::Redirecting { .. } => s.status = progress(fill(&m.opening, &[("platform", platform)])),
        Phase::Waiting(polling) | Phase::Finishing(polling) => {
            s.status = progress(match phase {
                Phase::Finishing(_) => m.finishing.to_string(),
                _ => fill(&m.waiting, &[("platform", platform)]),
            });
            s.details.push(time_left(m, polling.attempt.expires_at, now));
            s.cancel = Some(m.cancel.to_string());
            // Polling pauses offline and backs off after errors: say so
            // rather than count down silently.
            if !online {
                s.notices.push(Notice { part: "message offline", text: m.offline.to_string(), alert: true });
            } else if polling.is_retrying() {
                s.notices.push(Notice { part: "message retrying", text: m.retrying.to_string(), alert: true });
            }
            if let Some(href) = polling.blocked_link() {
                s.notices.push(Notice { part: "message", text: m.tab_blocked.to_string(), alert: false });
                s.link = Some(Link { label: fill(&m.continue_to, &[("platform", platform)]), href: href.to_string() });
            }
        }
        Phase::Connected(c) => {
            let account = c.account.as_ref();
            s.status = Some(Status {
                tone: Tone::Success,
                text: connected(m, handle_of(c)),
                avatar: account
                    .and_then(|a| a.avatar_url.clone())
                    .filter(|u| is_http_url(u)),
            });
            s.details.extend(account.and_then(|a| a.display_name.clone()));
            s.reset = Some(m.connect_another.to_string());
        }
        Phase::Cancelled { .. } => {
            s.notices.push(Notice { part: "message", text: m.cancelled.to_string(), alert: false });
            s.connect = connect_buttons(m, platforms);
        }
        ended => {
            s.status = Some(Status { tone: Tone::Error, text: failure_text(m, ended), avatar: None });
            s.retry = Some(m.try_again.to_string());
            s.reset = Some(m.cancel.to_string());
        }
    }
    s
}

fn connect_buttons(m: &Messages, platforms: &[Platform]) -> Vec<(Platform, String)> {
    platforms.iter().map(|&p| (p, fill(&m.connect, &[("platform", p.label())]))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Connection, OAuthStatus, OAuthUrl, SocialAccount, SocialAccounts};
    use crate::flow::driver::{poll_id, request_id, Driver};
    use crate::flow::{Input, Mode, RequestId};

    const BOTH: &[Platform] = &[Platform::Tiktok, Platform::Instagram];

    fn en() -> Messages {
        Messages::for_lang("en")
    }

    /// Started, tab opened (or blocked), URL minted at t=0, expiring at 10:00.
    fn waiting(blocked: bool) -> Driver {
        let mut d = Driver::new(Mode::Tab, 0);
        let url = OAuthUrl { authorize_url: "https://consent.example/a".into(), state: "st_1".into(), expires_at: "1970-01-01T00:10:00Z".into() };
        d.connect(0, blocked, url);
        d
    }

    /// Fires the timer until the flow polls (within a minute).
    fn poll(d: &mut Driver) -> RequestId {
        while let Some(effects) = d.fire_timer(60_000) {
            if let Some(poll) = poll_id(&effects) {
                return poll;
            }
        }
        panic!("no poll within a minute");
    }

    #[test]
    fn idle_offers_one_button_per_platform_and_nothing_else() {
        let s = screen(&Phase::Idle, &en(), true, 0, BOTH);
        assert_eq!(s.connect, [(Platform::Tiktok, "Connect TikTok".into()), (Platform::Instagram, "Connect Instagram".into())]);
        assert_eq!((s.status, s.cancel, s.retry, s.reset, s.phase), (None, None, None, None, "idle"));
        assert_eq!(screen(&Phase::Idle, &en(), true, 0, &[Platform::Instagram]).connect.len(), 1);
    }

    #[test]
    fn starting_can_be_cancelled_and_hides_the_buttons() {
        let mut d = Driver::new(Mode::Tab, 0);
        d.at(0, Input::Start { platform: Platform::Tiktok });
        let s = screen(d.phase(), &en(), true, 0, BOTH);
        assert_eq!((s.phase, s.status.unwrap().text.as_str()), ("starting", "Opening TikTok…"));
        assert_eq!(s.cancel.as_deref(), Some("Cancel"));
        assert!(s.connect.is_empty());
    }

    #[test]
    fn waiting_counts_down_and_says_why_polling_is_paused() {
        let d = waiting(false);
        let s = screen(d.phase(), &en(), true, 540_500, BOTH);
        assert_eq!(s.status.as_ref().unwrap().tone, Tone::Progress);
        assert_eq!(s.details.len(), 1);
        assert_ne!(s.details, screen(d.phase(), &en(), true, 1_000, BOTH).details, "the countdown ticks");
        assert!(s.notices.is_empty() && s.link.is_none());
        assert_eq!(s.cancel.as_deref(), Some("Cancel"));
        let offline = screen(d.phase(), &en(), false, 0, BOTH);
        assert_eq!(offline.notices[0].part, "message offline");
        assert!(offline.notices[0].alert);
        // The countdown ticks; the announcement does not.
        assert_eq!(screen(d.phase(), &en(), true, 1_000, BOTH).announcement, s.announcement);
    }

    #[test]
    fn a_failed_poll_says_retrying() {
        let mut d = waiting(false);
        let poll = poll(&mut d);
        d.at(6_000, Input::Polled { request: poll, result: Err(crate::api::ApiError::Network) });
        let s = screen(d.phase(), &en(), true, 6_000, BOTH);
        assert_eq!(s.notices[0].part, "message retrying");
    }

    #[test]
    fn a_blocked_tab_gets_the_fallback_link() {
        let d = waiting(true);
        let s = screen(d.phase(), &en(), true, 0, BOTH);
        assert_eq!(s.link, Some(Link { label: "Continue to TikTok".into(), href: "https://consent.example/a".into() }));
        assert_eq!(s.notices[0].text, "Your browser blocked the new tab.");
    }

    #[test]
    fn connected_shows_the_account_and_only_a_safe_avatar() {
        let connect = |avatar: &str| {
            let mut d = waiting(false);
            let poll = poll(&mut d);
            let connection = Connection { social_account_id: "sa_1".into(), platform: None, handle: None, connected_at: None };
            let fetch = request_id(&d.at(6_000, Input::Polled { request: poll, result: Ok(OAuthStatus::Completed(connection)) })).expect("the account fetch");
            let account = SocialAccount {
                id: "sa_1".into(),
                platform: "tiktok".into(),
                handle: "acmecoffee".into(),
                display_name: Some("Acme Coffee".into()),
                avatar_url: Some(avatar.into()),
                status: None,
                token_expires_at: None,
                leased: None,
                connected_at: None,
            };
            d.at(6_100, Input::AccountsFetched { request: fetch, result: Ok(SocialAccounts { data: vec![account] }) });
            screen(d.phase(), &en(), true, 6_100, BOTH)
        };
        let s = connect("javascript:alert(1)");
        let status = s.status.unwrap();
        assert_eq!((status.tone, status.text.as_str(), status.avatar), (Tone::Success, "Connected as @acmecoffee", None));
        assert_eq!(s.details, ["Acme Coffee"]);
        assert_eq!((s.reset.as_deref(), s.retry, s.cancel), (Some("Connect another account"), None, None));
        assert_eq!(connect("https://cdn.example/a.png").status.unwrap().avatar.as_deref(), Some("https://cdn.example/a.png"));
    }

    #[test]
    fn endings_offer_try_again_and_cancelled_offers_the_buttons_again() {
        let expired = screen(&Phase::Expired { platform: Platform::Instagram }, &en(), true, 0, BOTH);
        assert_eq!(expired.status.unwrap().tone, Tone::Error);
        assert_eq!((expired.retry.as_deref(), expired.reset.as_deref(), expired.cancel), (Some("Try again"), Some("Cancel"), None));
        let cancelled = screen(&Phase::Cancelled { platform: Platform::Tiktok }, &en(), true, 0, BOTH);
        assert_eq!(cancelled.notices[0].text, "Connection cancelled.");
        assert_eq!(cancelled.connect.len(), 2);
        assert_eq!((cancelled.retry, cancelled.status), (None, None));
    }

    #[test]
    fn the_screen_follows_the_language() {
        let s = screen(&Phase::Idle, &Messages::for_lang("fr"), true, 0, &[Platform::Tiktok]);
        assert_ne!(s.connect[0].1, "Connect TikTok");
    }
}
