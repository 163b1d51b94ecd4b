//! Every polling rule, in one place.
//!
//! The status endpoint is rate-limited and poll-budget-tight, so:
//!
//! 1. **Floor.** Two polls of one attempt are at least 5 s apart, counted
//!    from when the previous poll was *sent*. The first poll after minting
//!    waits 5 s too (nobody consents in less).
//! 2. **Early confirmation.** Once per attempt, after the customer came back
//!    (the return signal, with or without an error: both are only hints), or
//!    after the outcome stream's nudge (a webhook for this project and
//!    platform: a hint too, see [`super::stream`]; each has its own
//!    allowance, since a nudge is often another state's), one poll may go 250 ms after the
//!    previous poll instead of 5 s, so "Finishing…" resolves at once. The
//!    mint is not a poll: a return before the first poll confirms at once.
//!    It is still one extra poll per attempt; the gap only keeps two polls
//!    from going back to back. Returns fall anywhere in the 5 s cycle, so
//!    about one in twenty lands within 250 ms of a poll and waits the rest.
//! 3. **Backoff.** A 429 waits `max(Retry-After, backoff)` from the answer;
//!    500, other 5xx, 408, network errors, timeouts and malformed bodies wait
//!    the same way. The backoff starts at 5 s, doubles up to 30 s, and resets
//!    after a good answer. Error waits are never shortened by rule 2.
//! 4. **Stop.** Other 4xx answers (400/401/403/404, the proxy's 403 CSRF…)
//!    end the attempt: retrying cannot fix configuration. 503 `KILL_SWITCH`
//!    ends it as unavailable, with its scope.
//! 5. **Deadline.** Nothing is sent at or after `expiresAt`; from then on the
//!    attempt is expired, once no poll is in flight (an answer already on its
//!    way may still say completed).
//!    **Last call.** A customer may consent in the attempt's last seconds, so
//!    the last poll the floor allows before the deadline goes as late as it
//!    can: when the poll due now would be the last one anyway (the next
//!    could only go at or after the deadline), it waits until
//!    `LAST_CALL_MS` before the deadline. That is still one poll, at least a
//!    floor after the previous one, so it costs no budget; it is skipped
//!    when the confirmation poll is allowed (that one goes at once) and
//!    after a reload (the status may have changed: poll now), and after a
//!    nudge (a nudge wants the next poll the floor allows, not the last).
//! 6. **One at a time.** Never two polls of one attempt in flight.
//! 7. **Offline.** No polls while offline. Coming back online drops a wait
//!    that a network error caused, but never the floor or a 429 wait.
//! 8. **Late timers are fine.** Nothing here counts timer ticks: every input
//!    re-evaluates `PollSchedule::decide` against `now`, so a throttled
//!    timer just polls late and an early one does nothing. All arithmetic
//!    saturates, so a clock that steps backwards only delays the next poll.

use super::machine::RequestId;
use super::time::{parse_rfc3339, Millis};
use crate::api::{ApiError, KillSwitchScope};

/// The constants and pure functions behind the rules above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy;

impl PollPolicy {
    /// Rule 1: minimum spacing of two polls.
    pub const FLOOR_MS: Millis = 5_000;
    /// Rule 2: minimum spacing before the one early confirmation poll.
    pub const CONFIRM_GAP_MS: Millis = 250;
    /// Rule 3: first backoff.
    pub const BACKOFF_START_MS: Millis = 5_000;
    /// Rule 3: backoff ceiling.
    pub const BACKOFF_MAX_MS: Millis = 30_000;
    /// Rule 5: the last poll goes this long before the deadline.
    pub const LAST_CALL_MS: Millis = 1_000;
    /// The documented life of an authorize URL.
    pub const TTL_MS: Millis = 10 * 60 * 1_000;

    /// Rule 3: how long to wait after an error, given the current backoff.
    pub fn error_wait(backoff_ms: Millis, retry_after_secs: Option<u32>) -> Millis {
        let retry_after_ms = retry_after_secs.map_or(0, |s| Millis::from(s).saturating_mul(1_000));
        retry_after_ms.max(backoff_ms)
    }

    /// Rule 3: the backoff after one more error.
    pub fn next_backoff(backoff_ms: Millis) -> Millis {
        backoff_ms.saturating_mul(2).min(Self::BACKOFF_MAX_MS)
    }

    /// Rules 3 and 4: what a failed poll means.
    pub fn verdict(error: &ApiError) -> Verdict {
        if let Some(scope) = error.kill_switch() {
            return Verdict::Unavailable(scope);
        }
        match error {
            ApiError::Http {
                status,
                retry_after,
                ..
            } => match status {
                408 | 429 | 500..=599 => Verdict::Retry {
                    retry_after: *retry_after,
                    network: false,
                },
                _ => Verdict::Stop,
            },
            // A 2xx we cannot read is likely a captive portal or a proxy glitch.
            ApiError::Malformed { .. } | ApiError::Timeout | ApiError::Aborted => Verdict::Retry {
                retry_after: None,
                network: false,
            },
            ApiError::Network => Verdict::Retry {
                retry_after: None,
                network: true,
            },
        }
    }

    /// The deadline for an attempt minted at `now`: the server's `expiresAt`,
    /// but never later than `now + 10 min`, and `now + 10 min` when it is
    /// unparseable or already past. A fresh URL always has ten minutes, so
    /// those cases are clock skew or a bad proxy; the server still has the
    /// last word (a late poll answers `failed`/`state_expired`).
    pub fn deadline(expires_at: &str, now: Millis) -> Millis {
        let latest = now.saturating_add(Self::TTL_MS);
        match parse_rfc3339(expires_at) {
            Some(at) if at > now => at.min(latest),
            _ => latest,
        }
    }
}

/// What a failed poll means for the attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Wait and poll again.
    Retry {
        /// `Retry-After` in seconds, if the answer had one.
        retry_after: Option<u32>,
        /// The request never reached the server (rule 7).
        network: bool,
    },
    /// End the attempt as failed: a configuration problem.
    Stop,
    /// End the attempt as unavailable (kill switch).
    Unavailable(KillSwitchScope),
}

/// What the schedule wants now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send a poll now.
    Poll,
    /// The deadline passed and nothing is in flight.
    Expire,
    /// Nothing to do until this time (`None`: until an answer arrives).
    WaitUntil(Option<Millis>),
}

/// Rule 2's allowance, once per attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Confirm {
    NotYet,
    Allowed,
    Used,
}

/// The poll bookkeeping of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PollSchedule {
    /// When the floor counts from: the last poll sent, or the mint.
    anchor: Option<Millis>,
    /// Whether `anchor` is a poll (rule 2 spaces only from polls).
    polled: bool,
    /// An error wait: no poll before this time.
    not_before: Millis,
    /// Whether `not_before` came from a network error (rule 7).
    network_wait: bool,
    backoff_ms: Millis,
    in_flight: Option<RequestId>,
    confirm: Confirm,
    /// The outcome stream's own early poll, apart from the return's: a nudge
    /// is a webhook for *some* state of this project and platform, so with
    /// several customers connecting at once most nudges are somebody else's.
    /// Sharing rule 2's one allowance let such a nudge spend it, and the
    /// customer's own return then waited for the floor (the report measured
    /// a 2.7 s median from return to "Connected" with four widgets waiting).
    nudge_confirm: Confirm,
    /// A nudge came since the last poll: rule 5's last call does not hold
    /// the next poll back.
    nudged: bool,
}

impl PollSchedule {
    /// A freshly minted attempt: first poll one floor after the mint.
    pub(crate) fn after_mint(now: Millis) -> Self {
        Self {
            anchor: Some(now),
            ..Self::resumed()
        }
    }

    /// An attempt resumed after a reload or a redirect: poll at once, since
    /// the status may well have changed while the page was away.
    pub(crate) fn resumed() -> Self {
        Self {
            anchor: None,
            polled: false,
            not_before: 0,
            network_wait: false,
            backoff_ms: PollPolicy::BACKOFF_START_MS,
            in_flight: None,
            confirm: Confirm::NotYet,
            nudge_confirm: Confirm::NotYet,
            nudged: false,
        }
    }

    /// Rules 1, 2, 5, 6, 7 in one decision.
    pub(crate) fn decide(&self, now: Millis, online: bool, deadline: Millis) -> Decision {
        if now >= deadline {
            return match self.in_flight {
                Some(_) => Decision::WaitUntil(None),
                None => Decision::Expire,
            };
        }
        if self.in_flight.is_some() || !online {
            return Decision::WaitUntil(Some(deadline));
        }
        let due = self.last_call(self.due(), deadline);
        if due >= deadline {
            Decision::WaitUntil(Some(deadline))
        } else if now >= due {
            Decision::Poll
        } else {
            Decision::WaitUntil(Some(due))
        }
    }

    /// Rule 5's last call: `due`, or later when the poll due then would be
    /// the last before the deadline and could go closer to it.
    fn last_call(&self, due: Millis, deadline: Millis) -> Millis {
        let last_call = deadline.saturating_sub(PollPolicy::LAST_CALL_MS);
        let regular = self.anchor.is_some() && !self.confirmation_allowed() && !self.nudged;
        let last_one = due.saturating_add(PollPolicy::FLOOR_MS) >= deadline;
        if regular && last_one && due < last_call {
            last_call
        } else {
            due
        }
    }

    fn due(&self) -> Millis {
        let floor = match (self.confirmation_allowed(), self.anchor) {
            // Rule 2 spaces the confirmation from the previous *poll*; the
            // anchor may be the mint, a different endpoint's budget.
            (true, Some(_)) if !self.polled => 0,
            (true, Some(at)) => at.saturating_add(PollPolicy::CONFIRM_GAP_MS),
            (false, Some(at)) => at.saturating_add(PollPolicy::FLOOR_MS),
            (_, None) => 0,
        };
        floor.max(self.not_before)
    }

    /// Whether the last answer was a retryable error (rule 3): the wait is
    /// longer than the floor until a good answer comes.
    pub(crate) fn is_backing_off(&self) -> bool {
        self.not_before != 0
    }

    /// Whether `request` is the poll this schedule is waiting for.
    pub(crate) fn awaits(&self, request: RequestId) -> bool {
        self.in_flight == Some(request)
    }

    pub(crate) fn on_sent(&mut self, now: Millis, request: RequestId) {
        self.anchor = Some(now);
        self.polled = true;
        self.in_flight = Some(request);
        self.nudged = false;
        // One poll confirms for both when both were allowed.
        for confirm in [&mut self.confirm, &mut self.nudge_confirm] {
            if *confirm == Confirm::Allowed {
                *confirm = Confirm::Used;
            }
        }
    }

    /// Whether the next poll is an early confirmation (rule 2).
    fn confirmation_allowed(&self) -> bool {
        self.confirm == Confirm::Allowed || self.nudge_confirm == Confirm::Allowed
    }

    /// A good answer (pending): rule 3's reset.
    pub(crate) fn on_answer(&mut self) {
        self.in_flight = None;
        self.not_before = 0;
        self.network_wait = false;
        self.backoff_ms = PollPolicy::BACKOFF_START_MS;
    }

    /// A retryable error, answered at `now`.
    pub(crate) fn on_error(&mut self, now: Millis, retry_after: Option<u32>, network: bool) {
        self.in_flight = None;
        self.not_before = now.saturating_add(PollPolicy::error_wait(self.backoff_ms, retry_after));
        self.network_wait = network;
        self.backoff_ms = PollPolicy::next_backoff(self.backoff_ms);
    }

    /// The customer came back: rule 2, once per attempt.
    pub(crate) fn allow_confirmation(&mut self) {
        if self.confirm == Confirm::NotYet {
            self.confirm = Confirm::Allowed;
        }
    }

    /// The outcome stream's nudge: its own early poll, once per attempt
    /// (apart from the return's, see `nudge_confirm`), then the next poll
    /// the floor allows (never earlier: several nudges are one poll, and
    /// error waits stand).
    pub(crate) fn on_nudge(&mut self) {
        if self.nudge_confirm == Confirm::NotYet {
            self.nudge_confirm = Confirm::Allowed;
        }
        self.nudged = true;
    }

    /// Whether the proxy may spend the nudge's early poll for us
    /// ([`super::stream`] rule 5): it is unused.
    pub(crate) fn may_check(&self) -> bool {
        self.nudge_confirm == Confirm::NotYet
    }

    /// The proxy polled on a nudge, and its answer came at `now`: that was
    /// the nudge's early poll, and the floor counts from it (a poll of our
    /// own in flight keeps its place: its answer is still awaited).
    pub(crate) fn on_checked(&mut self, now: Millis) {
        self.nudge_confirm = Confirm::Used;
        self.anchor = Some(self.anchor.map_or(now, |at| at.max(now)));
        self.polled = true;
        self.nudged = false;
    }

    /// Back online: rule 7.
    pub(crate) fn on_online(&mut self) {
        if self.network_wait {
            self.not_before = 0;
            self.network_wait = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;

    fn http(status: u16, code: Option<ErrorCode>) -> ApiError {
        ApiError::Http {
            status,
            code,
            message: None,
            request_id: None,
            retry_after: None,
            scope: None,
        }
    }

    #[test]
    fn backoff_doubles_to_thirty_seconds() {
        let mut b = PollPolicy::BACKOFF_START_MS;
        let mut waits = vec![];
        for _ in 0..5 {
            waits.push(PollPolicy::error_wait(b, None));
            b = PollPolicy::next_backoff(b);
        }
        assert_eq!(waits, [5_000, 10_000, 20_000, 30_000, 30_000]);
    }

    #[test]
    fn retry_after_wins_when_longer() {
        assert_eq!(PollPolicy::error_wait(5_000, Some(12)), 12_000);
        assert_eq!(PollPolicy::error_wait(20_000, Some(12)), 20_000);
        assert_eq!(
            PollPolicy::error_wait(5_000, Some(u32::MAX)),
            u64::from(u32::MAX) * 1_000
        );
    }

    #[test]
    fn verdicts() {
        for status in [400, 401, 403, 404, 413] {
            assert_eq!(
                PollPolicy::verdict(&http(status, None)),
                Verdict::Stop,
                "{status}"
            );
        }
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(
                    PollPolicy::verdict(&http(status, None)),
                    Verdict::Retry { .. }
                ),
                "{status}"
            );
        }
        let kill = ApiError::Http {
            status: 503,
            code: Some(ErrorCode::KillSwitch),
            message: None,
            request_id: None,
            retry_after: None,
            scope: Some(KillSwitchScope::Organization),
        };
        assert_eq!(
            PollPolicy::verdict(&kill),
            Verdict::Unavailable(KillSwitchScope::Organization)
        );
        assert_eq!(
            PollPolicy::verdict(&ApiError::Network),
            Verdict::Retry {
                retry_after: None,
                network: true
            }
        );
    }

    #[test]
    fn deadline_is_clamped_to_ten_minutes() {
        let now = 1_776_538_931_000; // 19:02:11, ten minutes before the example
        assert_eq!(
            PollPolicy::deadline("2026-04-18T19:12:11Z", now),
            now + 600_000
        );
        assert_eq!(
            PollPolicy::deadline("2026-04-18T19:07:11Z", now),
            now + 300_000
        );
        assert_eq!(
            PollPolicy::deadline("2026-04-18T19:22:11Z", now),
            now + 600_000
        );
        assert_eq!(
            PollPolicy::deadline("2026-04-18T19:00:00Z", now),
            now + 600_000
        );
        assert_eq!(PollPolicy::deadline("soon", now), now + 600_000);
        assert_eq!(PollPolicy::deadline("", u64::MAX), u64::MAX);
    }

    #[test]
    fn the_last_poll_goes_just_before_the_deadline() {
        // Polls at 5 s, 10 s, … 590 s; the one due at 595 s would be the
        // last (600 s is the deadline), so it waits until 599 s.
        let deadline = 600_000;
        let mut s = PollSchedule::after_mint(0);
        s.on_sent(590_000, RequestId(1));
        s.on_answer();
        assert_eq!(s.decide(595_000, true, deadline), Decision::WaitUntil(Some(599_000)));
        assert_eq!(s.decide(599_000, true, deadline), Decision::Poll);
        // Not while a poll due earlier still leaves room for another one.
        s.on_sent(580_000, RequestId(2));
        s.on_answer();
        assert_eq!(s.decide(585_000, true, deadline), Decision::Poll);
        // A late timer past the last call still polls before the deadline.
        s.on_sent(594_500, RequestId(3));
        s.on_answer();
        assert_eq!(s.decide(599_700, true, deadline), Decision::Poll);
        // Never closer than the floor: no last call 4 s after a poll.
        s.on_sent(595_000, RequestId(4));
        s.on_answer();
        assert_eq!(s.decide(599_000, true, deadline), Decision::WaitUntil(Some(deadline)));
        // The confirmation poll is not held back.
        let mut s = PollSchedule::after_mint(0);
        s.on_sent(594_000, RequestId(5));
        s.on_answer();
        s.allow_confirmation();
        assert_eq!(s.decide(594_250, true, deadline), Decision::Poll);
        // Nor a resumed attempt's first poll.
        assert_eq!(PollSchedule::resumed().decide(596_000, true, deadline), Decision::Poll);
    }

    #[test]
    fn a_return_before_the_first_poll_confirms_at_once_but_only_once() {
        // The customer pressed Allow 400 ms after the mint: no poll yet, so
        // nothing to space the confirmation from (the mint is not a poll).
        let mut s = PollSchedule::after_mint(0);
        assert_eq!(s.decide(400, true, 60_000), Decision::WaitUntil(Some(5_000)));
        s.allow_confirmation();
        assert_eq!(s.decide(400, true, 60_000), Decision::Poll);
        s.on_sent(400, RequestId(1));
        s.on_answer();
        // Still pending: the next poll keeps the 5 s floor from that poll.
        assert_eq!(s.decide(1_400, true, 60_000), Decision::WaitUntil(Some(5_400)));
    }

    #[test]
    fn somebody_elses_nudge_leaves_the_customers_return_its_early_poll() {
        // The webhook behind a nudge names no state: with several customers
        // connecting TikTok at once, this widget is nudged by another's
        // consent, polls early and hears "pending"; when its own customer
        // comes back, the return still confirms 250 ms after that poll.
        let mut s = PollSchedule::after_mint(0);
        s.on_sent(5_000, RequestId(1));
        s.on_answer();
        s.on_nudge();
        assert_eq!(s.decide(5_100, true, 60_000), Decision::WaitUntil(Some(5_250)));
        s.on_sent(5_250, RequestId(2));
        s.on_answer();
        s.allow_confirmation();
        assert_eq!(s.decide(5_300, true, 60_000), Decision::WaitUntil(Some(5_500)));
        s.on_sent(5_500, RequestId(3));
        s.on_answer();
        // Both allowances spent: nudges and returns now wait for the floor.
        s.on_nudge();
        s.allow_confirmation();
        assert_eq!(s.decide(5_800, true, 60_000), Decision::WaitUntil(Some(10_500)));
    }

    #[test]
    fn schedule_floor_confirmation_and_deadline() {
        let mut s = PollSchedule::after_mint(0);
        assert_eq!(s.decide(0, true, 60_000), Decision::WaitUntil(Some(5_000)));
        assert_eq!(s.decide(5_000, true, 60_000), Decision::Poll);
        s.on_sent(5_000, RequestId(1));
        assert_eq!(
            s.decide(6_000, true, 60_000),
            Decision::WaitUntil(Some(60_000))
        );
        s.on_answer();
        s.allow_confirmation();
        assert_eq!(
            s.decide(5_100, true, 60_000),
            Decision::WaitUntil(Some(5_000 + PollPolicy::CONFIRM_GAP_MS))
        );
        assert_eq!(s.decide(5_250, true, 60_000), Decision::Poll);
        s.on_sent(6_000, RequestId(2)); // a late timer: rule 8
        s.on_answer();
        s.allow_confirmation(); // a second return does not buy a second early poll
        assert_eq!(
            s.decide(7_000, true, 60_000),
            Decision::WaitUntil(Some(11_000))
        );
        assert_eq!(
            s.decide(11_000, false, 60_000),
            Decision::WaitUntil(Some(60_000))
        );
        assert_eq!(s.decide(11_000, true, 11_000), Decision::Expire);
        assert_eq!(s.decide(11_000, true, 11_001), Decision::Poll);
        // A poll due exactly at the deadline is never sent: wait for expiry.
        assert_eq!(
            s.decide(10_000, true, 11_000),
            Decision::WaitUntil(Some(11_000))
        );
    }
}
