//! The state machine: [`Flow::handle`] takes an [`Input`] and the time and
//! returns the [`Effect`]s the shell must run. The polling rules themselves
//! live in [`super::policy`]; this file decides *what* happens in each phase.

use core::mem;

use serde::Serialize;

use super::policy::{Decision, PollPolicy, PollSchedule, Verdict};
use super::stream::{StreamEnd, StreamLink, StreamSignal, Want};
use super::time::{format_rfc3339, Millis};
use crate::in_app::InAppBrowser;
use crate::url::is_http_url;
use crate::api::{
    ApiError, Connection, ErrorCode, FailureCode, KillSwitchScope, OAuthStatus, OAuthUrl, Platform,
    SocialAccount, SocialAccounts,
};

/// How the consent page is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A new top-level tab, opened blank in the click and navigated once the
    /// URL is minted; this page keeps polling.
    #[default]
    Tab,
    /// This page itself goes to the consent page and resumes the persisted
    /// attempt when the customer comes back.
    Redirect,
}

/// Names one request effect, so its answer can be matched and stale
/// answers (after a cancel or a retry) ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub(crate) u64);

/// One OAuth attempt: what is persisted in sessionStorage, as
/// `{"state":"st_…","platform":"tiktok","expiresAt":1776539531000}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The Layers state token; never reused.
    pub state: String,
    /// The platform being connected.
    pub platform: Platform,
    /// The polling deadline, epoch ms (see [`PollPolicy::deadline`]).
    pub expires_at: Millis,
}

/// The return signal: the customer came back to `returnUrl`.
///
/// Either way it is only a *hint* that the status changed: any page, on any
/// origin, can open the partner's return page with `?layers_oauth_error=<any
/// text>` (or without it), so the signal never ends an attempt by itself. It
/// allows the one early confirmation poll (see [`super::policy`], rule 2), and
/// the status endpoint decides: after a denied consent Layers' status is
/// already `failed` with `error.code` (`platform_denied`), and that answer is
/// the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReturnSignal {
    /// No `layers_oauth_error`: probably connected; a poll confirms.
    Success,
    /// `layers_oauth_error=<code>`: probably failed; a poll confirms. The code
    /// is kept for logs only, and only in its documented shape (see
    /// [`FailureCode::from_wire`]).
    Error(FailureCode),
}

impl ReturnSignal {
    /// From the `layers_oauth_error` parameter (`None` or empty: success).
    pub fn from_error_param(error: Option<&str>) -> Self {
        match error.map(str::trim) {
            Some(code) if !code.is_empty() => ReturnSignal::Error(FailureCode::from_wire(code)),
            _ => ReturnSignal::Success,
        }
    }
}

/// Everything that can happen to the widget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The customer clicked "Connect". Call synchronously inside the click
    /// handler: the first effect may be [`Effect::OpenBlankTab`].
    Start {
        /// The platform to connect.
        platform: Platform,
    },
    /// "Try again" after any ending but success: a fresh URL for the same
    /// platform. Also a click: may open a tab.
    Retry,
    /// The result of [`Effect::OpenBlankTab`].
    TabOpened {
        /// The browser's popup blocker refused the tab.
        blocked: bool,
    },
    /// The answer to [`Effect::Mint`].
    Minted {
        /// The effect's id.
        request: RequestId,
        /// The answer.
        result: Result<OAuthUrl, ApiError>,
    },
    /// The answer to [`Effect::Poll`].
    Polled {
        /// The effect's id.
        request: RequestId,
        /// The answer.
        result: Result<OAuthStatus, ApiError>,
    },
    /// The answer to [`Effect::FetchAccounts`].
    AccountsFetched {
        /// The effect's id.
        request: RequestId,
        /// The answer.
        result: Result<SocialAccounts, ApiError>,
    },
    /// A timer set by [`Effect::SetTimer`] fired, early or late.
    Timer,
    /// The return page reported the customer's return (tab mode).
    Returned(ReturnSignal),
    /// Page load found a persisted attempt (a reload, or redirect mode's return).
    Resume {
        /// The persisted attempt.
        attempt: Attempt,
        /// `Some` when this page is the return page (redirect mode).
        returned: Option<ReturnSignal>,
    },
    /// `visibilitychange`.
    VisibilityChanged {
        /// `document.visibilityState == "visible"`.
        visible: bool,
    },
    /// `online` / `offline`.
    Connectivity {
        /// `navigator.onLine`.
        online: bool,
    },
    /// The customer clicked "Cancel".
    Cancel,
    /// What the outcome stream reported (see [`super::stream`]).
    Stream {
        /// The id of the [`Effect::OpenStream`] it answers.
        stream: RequestId,
        /// What happened.
        signal: StreamSignal,
    },
    /// Back to the buttons ("Connect another account", the element's
    /// `reset()`, "Try here anyway" in an in-app browser): an attempt under
    /// way is cancelled first, so it still ends exactly once.
    Reset,
    /// The page runs in an in-app browser (the shell reads
    /// `navigator.userAgent` once at mount; see [`crate::in_app::detect`]).
    /// In [`Phase::Idle`] only, the widget offers the handoff instead of the
    /// buttons ([`Phase::InAppBrowser`]); an attempt resumed or under way is
    /// left alone.
    InAppBrowser {
        /// Which app, on which system.
        browser: InAppBrowser,
        /// This page's address, for the handoff (`location.href`).
        page_url: String,
    },
}

/// What the shell must do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// `window.open("about:blank")` right now (still inside the click), cut
    /// its opener, then report [`Input::TabOpened`].
    OpenBlankTab,
    /// Send the blank tab to the authorize URL.
    NavigateTab {
        /// The platform's consent page.
        url: String,
    },
    /// Close the tab if it is still open (minting failed, or cancelled).
    CloseTab,
    /// Send this page to the authorize URL (redirect mode).
    RedirectPage {
        /// The platform's consent page.
        url: String,
    },
    /// `POST …/social/oauth-url`, then report [`Input::Minted`].
    Mint {
        /// Echo in the answer.
        request: RequestId,
        /// The platform to mint for.
        platform: Platform,
    },
    /// `GET …/social/oauth-status/{state}`, then report [`Input::Polled`].
    Poll {
        /// Echo in the answer.
        request: RequestId,
        /// The state to poll.
        state: String,
    },
    /// `GET …/social-accounts`, then report [`Input::AccountsFetched`].
    FetchAccounts {
        /// Echo in the answer.
        request: RequestId,
    },
    /// Report [`Input::Timer`] at `at` (epoch ms), replacing any earlier timer.
    SetTimer {
        /// When to wake; may already be past.
        at: Millis,
    },
    /// Drop the pending timer.
    ClearTimer,
    /// Open `GET …/social/oauth-events/{state}` (an `EventSource`), replacing
    /// any stream still open, and report its events as [`Input::Stream`].
    OpenStream {
        /// Echo in its reports.
        stream: RequestId,
        /// The state to follow.
        state: String,
        /// Ask the proxy to poll on the first nudge (`?check=1`,
        /// [`super::stream`] rule 5): the nudge's early poll is unused.
        check: bool,
    },
    /// Close the stream, if one is open (idempotent).
    CloseStream,
    /// Save the attempt in sessionStorage (JSON of [`Attempt`]).
    Persist(Attempt),
    /// Remove the saved attempt.
    ClearPersisted,
    /// Dispatch a DOM event.
    Emit(Event),
}

/// Events for the custom element to dispatch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// On every phase change.
    Status(StatusEvent),
    /// Once per attempt, on success.
    Connected(ConnectedEvent),
    /// Once per attempt, on failure (including a failed start and a kill switch).
    Failed(FailedEvent),
}

impl Event {
    /// The DOM event name: `layers-status`, `layers-connected`, `layers-failed`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Status(_) => "layers-status",
            Event::Connected(_) => "layers-connected",
            Event::Failed(_) => "layers-failed",
        }
    }
}

/// Detail of `layers-status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEvent {
    /// The new phase.
    pub phase: PhaseName,
    /// The platform, outside `idle`.
    pub platform: Option<Platform>,
    /// RFC 3339 deadline, while an attempt has one.
    pub expires_at: Option<String>,
    /// The failure code, in `failed`, `failed_to_start` and `unavailable`.
    pub code: Option<String>,
    /// In `in_app_browser` only, which app and system:
    /// `{"app":"instagram","os":"ios"}`. Absent from every other phase's
    /// detail, so ordinary browsers see the same detail as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_app_browser: Option<InAppBrowser>,
}

/// Detail of `layers-connected`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedEvent {
    /// The new `sa_…` account.
    pub social_account_id: String,
    /// Its platform.
    pub platform: Platform,
    /// Its handle.
    pub handle: Option<String>,
    /// RFC 3339 time of the connection.
    pub connected_at: Option<String>,
}

/// Detail of `layers-failed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedEvent {
    /// A snake_case [`FailureCode`] (`platform_denied`…) when Layers reported
    /// the failure, else an upper-case API code (`RETURN_URL_NOT_ALLOWED`,
    /// `KILL_SWITCH`, `NETWORK`, `HTTP_502`…; see [`ApiError::code`]).
    pub code: String,
    /// English, for integrators' logs.
    pub message: String,
    /// The platform.
    pub platform: Platform,
}

/// Phase names, as in `layers-status` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhaseName {
    /// [`Phase::Idle`].
    Idle,
    /// [`Phase::Starting`].
    Starting,
    /// [`Phase::Redirecting`].
    Redirecting,
    /// [`Phase::Waiting`].
    Waiting,
    /// [`Phase::Finishing`].
    Finishing,
    /// [`Phase::Connected`].
    Connected,
    /// [`Phase::Failed`].
    Failed,
    /// [`Phase::FailedToStart`].
    FailedToStart,
    /// [`Phase::Expired`].
    Expired,
    /// [`Phase::Unavailable`].
    Unavailable,
    /// [`Phase::Cancelled`].
    Cancelled,
    /// [`Phase::InAppBrowser`].
    InAppBrowser,
}

impl PhaseName {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseName::Idle => "idle",
            PhaseName::Starting => "starting",
            PhaseName::Redirecting => "redirecting",
            PhaseName::Waiting => "waiting",
            PhaseName::Finishing => "finishing",
            PhaseName::Connected => "connected",
            PhaseName::Failed => "failed",
            PhaseName::FailedToStart => "failed_to_start",
            PhaseName::Expired => "expired",
            PhaseName::Unavailable => "unavailable",
            PhaseName::Cancelled => "cancelled",
            PhaseName::InAppBrowser => "in_app_browser",
        }
    }
}

/// What the view renders.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Nothing yet: show the connect buttons.
    Idle,
    /// Minting the authorize URL.
    Starting(Starting),
    /// Redirect mode: this page is leaving for the consent page.
    Redirecting {
        /// The attempt (persisted).
        attempt: Attempt,
        /// Where the page is going.
        authorize_url: String,
    },
    /// The customer is consenting in the other tab; polling.
    Waiting(Polling),
    /// The customer came back without an error; polling to confirm ("Finishing…").
    Finishing(Polling),
    /// Done: the account is connected.
    Connected(Connected),
    /// The attempt failed.
    Failed {
        /// The platform.
        platform: Platform,
        /// Why.
        failure: Failure,
    },
    /// The authorize URL could not be minted; "Try again" retries.
    FailedToStart {
        /// The platform.
        platform: Platform,
        /// Why (never a polled failure code).
        error: ApiError,
    },
    /// The deadline passed; "Try again" mints a new URL.
    Expired {
        /// The platform.
        platform: Platform,
    },
    /// 503 KILL_SWITCH while polling.
    Unavailable {
        /// The platform.
        platform: Platform,
        /// What was switched off.
        scope: KillSwitchScope,
    },
    /// The customer cancelled.
    Cancelled {
        /// The platform.
        platform: Platform,
    },
    /// Nothing yet, in an in-app browser: offer to open this page in the
    /// system's browser instead of buttons that cannot work here. At rest
    /// like [`Phase::Idle`] (neither active nor ended); [`Input::Reset`]
    /// ("Try here anyway") shows the buttons, and [`Input::Start`] still
    /// starts.
    InAppBrowser {
        /// Which app, on which system.
        browser: InAppBrowser,
        /// The page to hand off.
        page_url: String,
    },
}

/// Why a [`Phase::Failed`] attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Layers said so: a `failed` status (a `layers_oauth_error` return only
    /// prompts the poll that confirms it).
    OAuth {
        /// The code; show copy for it (generic copy for [`FailureCode::Other`]).
        code: FailureCode,
        /// Layers' message, if it gave one.
        message: Option<String>,
    },
    /// The status endpoint refused the poll (400/401/403/404…): a setup
    /// problem for the integrator, not the customer.
    Rejected(ApiError),
}

/// Whether the consent tab opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TabState {
    /// No tab: redirect mode, or an attempt resumed after a reload.
    None,
    /// Asked for; the shell has not reported yet.
    Opening,
    /// Open.
    Open,
    /// The popup blocker refused it: show the authorize URL as a link.
    Blocked,
}

/// [`Phase::Starting`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Starting {
    /// The platform.
    pub platform: Platform,
    /// The consent tab.
    pub tab: TabState,
    mint: RequestId,
}

/// [`Phase::Waiting`] and [`Phase::Finishing`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Polling {
    /// The attempt.
    pub attempt: Attempt,
    /// The consent page, when this page minted it (not after a reload).
    pub authorize_url: Option<String>,
    /// The consent tab.
    pub tab: TabState,
    schedule: PollSchedule,
}

impl Polling {
    /// The last poll failed in a way worth retrying (429, 5xx, network), so
    /// polling is backing off until a good answer: the view says "Retrying…".
    pub fn is_retrying(&self) -> bool {
        self.schedule.is_backing_off()
    }

    /// The link to show instead of the tab the browser blocked
    /// ("Continue to TikTok"); polling goes on meanwhile.
    pub fn blocked_link(&self) -> Option<&str> {
        match self.tab {
            TabState::Blocked => self.authorize_url.as_deref(),
            _ => None,
        }
    }
}

/// [`Phase::Connected`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connected {
    /// The platform.
    pub platform: Platform,
    /// What the status endpoint reported.
    pub connection: Connection,
    /// The full account record, once fetched; `None` while loading or when
    /// the fetch failed (the connection stands either way).
    pub account: Option<SocialAccount>,
    fetch: Option<RequestId>,
}

impl Connected {
    /// Whether the account record is still being fetched.
    pub fn is_loading_account(&self) -> bool {
        self.fetch.is_some()
    }
}

impl Phase {
    /// The name used in `layers-status`.
    pub fn name(&self) -> PhaseName {
        match self {
            Phase::Idle => PhaseName::Idle,
            Phase::Starting(_) => PhaseName::Starting,
            Phase::Redirecting { .. } => PhaseName::Redirecting,
            Phase::Waiting(_) => PhaseName::Waiting,
            Phase::Finishing(_) => PhaseName::Finishing,
            Phase::Connected(_) => PhaseName::Connected,
            Phase::Failed { .. } => PhaseName::Failed,
            Phase::FailedToStart { .. } => PhaseName::FailedToStart,
            Phase::Expired { .. } => PhaseName::Expired,
            Phase::Unavailable { .. } => PhaseName::Unavailable,
            Phase::Cancelled { .. } => PhaseName::Cancelled,
            Phase::InAppBrowser { .. } => PhaseName::InAppBrowser,
        }
    }

    /// The platform, outside [`Phase::Idle`].
    pub fn platform(&self) -> Option<Platform> {
        match self {
            Phase::Idle | Phase::InAppBrowser { .. } => None,
            Phase::Starting(s) => Some(s.platform),
            Phase::Redirecting { attempt, .. } => Some(attempt.platform),
            Phase::Waiting(p) | Phase::Finishing(p) => Some(p.attempt.platform),
            Phase::Connected(c) => Some(c.platform),
            Phase::Failed { platform, .. }
            | Phase::FailedToStart { platform, .. }
            | Phase::Expired { platform }
            | Phase::Unavailable { platform, .. }
            | Phase::Cancelled { platform } => Some(*platform),
        }
    }

    /// The attempt, in the phases that have a state token.
    pub fn attempt(&self) -> Option<&Attempt> {
        match self {
            Phase::Redirecting { attempt, .. } => Some(attempt),
            Phase::Waiting(p) | Phase::Finishing(p) => Some(&p.attempt),
            _ => None,
        }
    }

    /// An attempt is under way (cancel is possible).
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            Phase::Starting(_)
                | Phase::Redirecting { .. }
                | Phase::Waiting(_)
                | Phase::Finishing(_)
        )
    }

    /// An attempt ended; [`Phase::Idle`] and [`Phase::InAppBrowser`] are
    /// neither active nor ended.
    pub fn is_ended(&self) -> bool {
        !self.is_active() && !matches!(self, Phase::Idle | Phase::InAppBrowser { .. })
    }

    /// The one outcome event an ending announces (`layers-connected` or
    /// `layers-failed`); `None` for the phases that are not an outcome
    /// (expired and cancelled end without one).
    fn outcome(&self) -> Option<Event> {
        let failed = |code: String, message: String, platform: Platform| {
            Some(Event::Failed(FailedEvent { code, message, platform }))
        };
        match self {
            Phase::Connected(c) => Some(Event::Connected(ConnectedEvent {
                social_account_id: c.connection.social_account_id.clone(),
                platform: c.platform,
                handle: c.connection.handle.clone(),
                connected_at: c.connection.connected_at.clone(),
            })),
            Phase::Failed { failure: Failure::OAuth { code, message }, platform } => failed(
                code.as_str().into(),
                message.clone().unwrap_or_else(|| code.description().into()),
                *platform,
            ),
            Phase::Failed { failure: Failure::Rejected(e), platform } | Phase::FailedToStart { error: e, platform } => {
                failed(e.code(), e.to_string(), *platform)
            }
            Phase::Unavailable { scope, platform } => failed(
                ErrorCode::KillSwitch.as_str().into(),
                format!("Layers' partner API is switched off (scope: {})", scope.as_str()),
                *platform,
            ),
            _ => None,
        }
    }

    /// "Try again" is offered: any ending but success.
    fn retry_platform(&self) -> Option<Platform> {
        match self {
            Phase::Connected(_) => None,
            p if p.is_ended() => p.platform(),
            _ => None,
        }
    }
}

/// The widget's state machine. See the [module docs](super) for an example.
#[derive(Clone, Debug)]
pub struct Flow {
    mode: Mode,
    phase: Phase,
    online: bool,
    next_request: u64,
    /// The timer the shell holds, so `SetTimer` is only sent on change.
    timer: Option<Millis>,
    /// The outcome stream of the attempt being polled.
    stream: StreamLink,
}

impl Flow {
    /// A flow in [`Phase::Idle`], online.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            phase: Phase::Idle,
            online: true,
            next_request: 0,
            timer: None,
            stream: StreamLink::none(),
        }
    }

    /// What to render.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// Tab or redirect.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether the browser is online (polling pauses while it is not).
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// Feeds one input at time `now` (epoch ms) and returns what to do, in order.
    #[must_use = "the effects are the shell's work: run them in order"]
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let mut out = Vec::new();
        self.step(input, now, &mut out);
        self.drive(now, &mut out);
        out
    }

    fn step(&mut self, input: Input, now: Millis, out: &mut Vec<Effect>) {
        match input {
            Input::Start { platform } => {
                if !self.phase.is_active() {
                    self.start(platform, out);
                }
            }
            Input::Retry => {
                if let Some(platform) = self.phase.retry_platform() {
                    self.start(platform, out);
                }
            }
            Input::TabOpened { blocked } => self.tab_opened(blocked, out),
            Input::Minted { request, result } => self.minted(request, result, now, out),
            Input::Polled { request, result } => self.polled(request, result, now, out),
            Input::AccountsFetched { request, result } => {
                if let Phase::Connected(c) = &mut self.phase {
                    if c.fetch == Some(request) {
                        c.fetch = None;
                        let id = c.connection.social_account_id.as_str();
                        c.account = result
                            .ok()
                            .and_then(|list| list.data.into_iter().find(|a| a.id == id));
                    }
                }
            }
            // The shell's timer is spent; `drive` re-arms it if still needed.
            Input::Timer => self.timer = None,
            Input::Returned(signal) => self.returned(signal, out),
            Input::Resume { attempt, returned } => self.resume(attempt, returned, now, out),
            // Becoming visible needs nothing but `drive`: throttled timers may
            // have left a poll overdue.
            Input::VisibilityChanged { .. } => {}
            Input::Connectivity { online } => {
                self.online = online;
                if let (true, Phase::Waiting(p) | Phase::Finishing(p)) = (online, &mut self.phase) {
                    p.schedule.on_online();
                }
            }
            Input::InAppBrowser { browser, page_url } => {
                if self.phase == Phase::Idle {
                    self.enter(Phase::InAppBrowser { browser, page_url }, out);
                }
            }
            Input::Stream { stream, signal } => self.stream_signal(stream, signal, now, out),
            Input::Reset => {
                self.step(Input::Cancel, now, out);
                if self.phase != Phase::Idle {
                    self.enter(Phase::Idle, out);
                }
            }
            Input::Cancel => {
                if let (true, Some(platform)) = (self.phase.is_active(), self.phase.platform()) {
                    if let Phase::Starting(Starting { tab, .. })
                    | Phase::Waiting(Polling { tab, .. })
                    | Phase::Finishing(Polling { tab, .. }) = &self.phase
                    {
                        if matches!(tab, TabState::Opening | TabState::Open) {
                            out.push(Effect::CloseTab);
                        }
                    }
                    self.conclude(Phase::Cancelled { platform }, out);
                }
            }
        }
    }

    /// Applies the poll schedule: poll, expire, or set the timer.
    fn drive(&mut self, now: Millis, out: &mut Vec<Effect>) {
        let mut wake = None;
        if let Phase::Waiting(p) | Phase::Finishing(p) = &mut self.phase {
            let deadline = p.attempt.expires_at;
            match p.schedule.decide(now, self.online, deadline) {
                Decision::Poll => {
                    self.next_request += 1;
                    let request = RequestId(self.next_request);
                    p.schedule.on_sent(now, request);
                    out.push(Effect::Poll {
                        request,
                        state: p.attempt.state.clone(),
                    });
                    // Wake at the deadline in case the answer never comes.
                    wake = Some(deadline);
                }
                Decision::WaitUntil(at) => wake = at,
                Decision::Expire => {
                    let platform = p.attempt.platform;
                    self.conclude(Phase::Expired { platform }, out);
                }
            }
        }
        if let Some(reopen) = self.drive_stream(now, out) {
            wake = Some(wake.map_or(reopen, |at| at.min(reopen)));
        }
        if wake != self.timer {
            self.timer = wake;
            out.push(wake.map_or(Effect::ClearTimer, |at| Effect::SetTimer { at }));
        }
    }

    /// Keeps the outcome stream open exactly while an attempt is polled
    /// (`super::stream`, rule 1); returns when a reopen is due.
    fn drive_stream(&mut self, now: Millis, out: &mut Vec<Effect>) -> Option<Millis> {
        let polled = match &self.phase {
            Phase::Waiting(p) | Phase::Finishing(p) => Some(p.attempt.state.clone()),
            _ => None,
        };
        if !polled.as_deref().is_some_and(|state| self.stream.is_for(state)) {
            if self.stream.is_open() {
                out.push(Effect::CloseStream);
            }
            self.stream = polled.as_deref().map_or_else(StreamLink::none, StreamLink::for_state);
        }
        match self.stream.want(now, self.online) {
            Want::Open => {
                let stream = self.request_id();
                self.stream.on_open(stream);
                let state = polled.unwrap_or_default();
                let check = match &self.phase {
                    Phase::Waiting(p) | Phase::Finishing(p) => p.schedule.may_check(),
                    _ => false,
                };
                out.push(Effect::OpenStream { stream, state, check });
                None
            }
            Want::WaitUntil(at) => Some(at),
            Want::Nothing => None,
        }
    }

    /// The stream's report: a nudge is a hint for the poll schedule; every
    /// failure only closes the stream (and maybe reopens it later).
    fn stream_signal(&mut self, stream: RequestId, signal: StreamSignal, now: Millis, out: &mut Vec<Effect>) {
        if !self.stream.holds(stream) {
            return;
        }
        let nudge = match signal {
            StreamSignal::Ready => {
                self.stream.on_ready();
                return;
            }
            StreamSignal::Nudge { platform } => platform,
            StreamSignal::Checked(status) => return self.checked(status, now, out),
            StreamSignal::Ended(end) => {
                self.stream.give_up();
                out.push(Effect::CloseStream);
                match end {
                    StreamEnd::Outcome => None,
                    StreamEnd::Expired => return,
                }
            }
            StreamSignal::Dropped => {
                self.stream.on_dropped(now);
                out.push(Effect::CloseStream);
                return;
            }
            StreamSignal::Unsupported => {
                self.stream.give_up();
                out.push(Effect::CloseStream);
                return;
            }
        };
        if let Phase::Waiting(p) | Phase::Finishing(p) = &mut self.phase {
            // The proxy matched the platform; a nudge naming another one is
            // not this attempt's, whatever the proxy thought.
            if nudge.is_none_or(|platform| platform == p.attempt.platform) {
                p.schedule.on_nudge();
            }
        }
    }

    /// Whether the outcome stream is open and confirmed by the proxy.
    pub fn is_stream_live(&self) -> bool {
        self.stream.is_live()
    }

    fn start(&mut self, platform: Platform, out: &mut Vec<Effect>) {
        // The tab first: it must open inside the click's user activation.
        let tab = match self.mode {
            Mode::Tab => {
                out.push(Effect::OpenBlankTab);
                TabState::Opening
            }
            Mode::Redirect => TabState::None,
        };
        let mint = self.request_id();
        out.push(Effect::Mint {
            request: mint,
            platform,
        });
        self.enter(
            Phase::Starting(Starting {
                platform,
                tab,
                mint,
            }),
            out,
        );
    }

    fn tab_opened(&mut self, blocked: bool, out: &mut Vec<Effect>) {
        let reported = if blocked {
            TabState::Blocked
        } else {
            TabState::Open
        };
        match &mut self.phase {
            Phase::Starting(s) if s.tab == TabState::Opening => s.tab = reported,
            // A report that came after the mint: catch up on the navigation.
            Phase::Waiting(p) | Phase::Finishing(p) if p.tab == TabState::Opening => {
                p.tab = reported;
                if let (false, Some(url)) = (blocked, &p.authorize_url) {
                    out.push(Effect::NavigateTab { url: url.clone() });
                }
            }
            _ => {}
        }
    }

    fn minted(
        &mut self,
        request: RequestId,
        result: Result<OAuthUrl, ApiError>,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let (platform, tab) = match &self.phase {
            Phase::Starting(s) if s.mint == request => (s.platform, s.tab),
            _ => return,
        };
        let url = result.and_then(|url| {
            // The URL becomes a link and a navigation: only http(s), never
            // `javascript:`, whatever the proxy says. The browser shell's
            // decoder already refuses these with the answer's real status
            // (`api::wire`); this guard is for answers fed by other shells,
            // whose status the core never sees.
            if is_http_url(&url.authorize_url) && !url.state.is_empty() {
                Ok(url)
            } else {
                Err(ApiError::Malformed { status: 200 })
            }
        });
        let url = match url {
            Ok(url) => url,
            Err(error) => {
                if matches!(tab, TabState::Opening | TabState::Open) {
                    out.push(Effect::CloseTab);
                }
                return self.conclude(Phase::FailedToStart { platform, error }, out);
            }
        };
        let attempt = Attempt {
            state: url.state,
            platform,
            expires_at: PollPolicy::deadline(&url.expires_at, now),
        };
        out.push(Effect::Persist(attempt.clone()));
        let authorize_url = url.authorize_url;
        match self.mode {
            Mode::Redirect => {
                out.push(Effect::RedirectPage {
                    url: authorize_url.clone(),
                });
                self.enter(
                    Phase::Redirecting {
                        attempt,
                        authorize_url,
                    },
                    out,
                );
            }
            Mode::Tab => {
                if tab == TabState::Open {
                    out.push(Effect::NavigateTab {
                        url: authorize_url.clone(),
                    });
                }
                let polling = Polling {
                    attempt,
                    authorize_url: Some(authorize_url),
                    tab,
                    schedule: PollSchedule::after_mint(now),
                };
                self.enter(Phase::Waiting(polling), out);
            }
        }
    }

    fn polled(
        &mut self,
        request: RequestId,
        result: Result<OAuthStatus, ApiError>,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        let (Phase::Waiting(p) | Phase::Finishing(p)) = &mut self.phase else {
            return;
        };
        if !p.schedule.awaits(request) {
            return;
        }
        let platform = p.attempt.platform;
        let ending = match result {
            Ok(OAuthStatus::Pending | OAuthStatus::Unrecognized(_)) => {
                p.schedule.on_answer();
                return;
            }
            Ok(status) => match Self::ending(platform, status) {
                Some(ending) => ending,
                None => return,
            },
            Err(error) => match PollPolicy::verdict(&error) {
                Verdict::Retry {
                    retry_after,
                    network,
                } => {
                    p.schedule.on_error(now, retry_after, network);
                    return;
                }
                Verdict::Stop => Phase::Failed {
                    platform,
                    failure: Failure::Rejected(error),
                },
                Verdict::Unavailable(scope) => Phase::Unavailable { platform, scope },
            },
        };
        self.settle(ending, out);
    }

    /// The proxy polled on a nudge ([`super::stream`] rule 5): that poll
    /// was the nudge's early one, sent now; its answer, when readable,
    /// counts like the widget's own.
    fn checked(&mut self, status: Option<OAuthStatus>, now: Millis, out: &mut Vec<Effect>) {
        let (Phase::Waiting(p) | Phase::Finishing(p)) = &mut self.phase else {
            return;
        };
        p.schedule.on_checked(now);
        let platform = p.attempt.platform;
        if let Some(ending) = status.and_then(|status| Self::ending(platform, status)) {
            // A poll of ours still in flight is answered into an ended attempt: ignored.
            self.settle(ending, out);
        }
    }

    /// The ending a status answer calls for; `None` while it is pending.
    fn ending(platform: Platform, status: OAuthStatus) -> Option<Phase> {
        Some(match status {
            OAuthStatus::Pending | OAuthStatus::Unrecognized(_) => return None,
            OAuthStatus::Completed(connection) => Phase::Connected(Connected {
                platform,
                connection,
                account: None,
                fetch: None,
            }),
            // Layers' own word that the state ran out: the same ending as our
            // deadline, so a poll that lands just past it (the last call goes
            // 1 s before, a proxy hop may cross it) still offers a fresh link.
            OAuthStatus::Failed {
                code: FailureCode::StateExpired,
                ..
            } => Phase::Expired { platform },
            OAuthStatus::Failed { code, message } => Phase::Failed {
                platform,
                failure: Failure::OAuth { code, message },
            },
        })
    }

    /// Concludes with `ending`; a connection then fetches its account.
    fn settle(&mut self, mut ending: Phase, out: &mut Vec<Effect>) {
        let fetch = match &mut ending {
            Phase::Connected(c) => {
                let request = self.request_id();
                c.fetch = Some(request);
                Some(request)
            }
            _ => None,
        };
        self.conclude(ending, out);
        out.extend(fetch.map(|request| Effect::FetchAccounts { request }));
    }

    /// The customer came back, with or without an error: confirm by poll.
    /// The signal's kind does not matter; the status answer is the outcome.
    fn returned(&mut self, _signal: ReturnSignal, out: &mut Vec<Effect>) {
        // Before the mint, or after the end, a return is not this attempt's;
        // already finishing, nothing changes (not even the allowance).
        if let Phase::Waiting(_) = self.phase {
            if let Phase::Waiting(mut p) = mem::replace(&mut self.phase, Phase::Idle) {
                p.schedule.allow_confirmation();
                self.enter(Phase::Finishing(p), out);
            }
        }
    }

    fn resume(
        &mut self,
        attempt: Attempt,
        returned: Option<ReturnSignal>,
        now: Millis,
        out: &mut Vec<Effect>,
    ) {
        if self.phase.is_active() {
            // The same attempt seen again (e.g. return page and channel both fired).
            if let (Some(signal), Some(current)) = (returned, self.phase.attempt()) {
                if current.state == attempt.state {
                    self.returned(signal, out);
                }
            }
            return;
        }
        if attempt.state.is_empty() {
            return;
        }
        let platform = attempt.platform;
        if now >= attempt.expires_at {
            return self.conclude(Phase::Expired { platform }, out);
        }
        let mut schedule = PollSchedule::resumed();
        // Back from the consent page (an error return too: a poll confirms).
        let phase = if returned.is_some() {
            schedule.allow_confirmation();
            Phase::Finishing
        } else {
            Phase::Waiting
        };
        self.enter(
            phase(Polling {
                attempt,
                authorize_url: None,
                tab: TabState::None,
                schedule,
            }),
            out,
        );
    }

    fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    /// Moves to `phase` (not an ending: see `conclude`) and announces it.
    fn enter(&mut self, phase: Phase, out: &mut Vec<Effect>) {
        self.announce(phase, None, out);
    }

    /// Ends the attempt: forget it, announce the phase, and the one outcome event.
    fn conclude(&mut self, ending: Phase, out: &mut Vec<Effect>) {
        out.push(Effect::ClearPersisted);
        let outcome = ending.outcome();
        // The status event's code is the outcome's, so the two always agree.
        let code = match &outcome {
            Some(Event::Failed(f)) => Some(f.code.clone()),
            _ => None,
        };
        self.announce(ending, code, out);
        out.extend(outcome.map(Effect::Emit));
    }

    fn announce(&mut self, phase: Phase, code: Option<String>, out: &mut Vec<Effect>) {
        self.phase = phase;
        let p = &self.phase;
        out.push(Effect::Emit(Event::Status(StatusEvent {
            phase: p.name(),
            platform: p.platform(),
            expires_at: p.attempt().map(|a| format_rfc3339(a.expires_at)),
            code,
            in_app_browser: match p {
                Phase::InAppBrowser { browser, .. } => Some(*browser),
                _ => None,
            },
        })));
    }
}
