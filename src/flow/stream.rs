//! The outcome stream: when to open, reopen or give up on
//! `GET {endpoint}/social/oauth-events/{state}`, one attempt at a time.
//!
//! The stream only makes the widget *faster*: a nudge says "a webhook for
//! this project and platform arrived, confirm now", and the confirmation is
//! an ordinary oauth-status poll under every rule of [`super::policy`]. So
//! every way the stream can fail ends the same way: polling at the floor
//! goes on, nothing is shown, nothing is emitted. The rules:
//!
//! 1. **Open while polling.** In `waiting` and `finishing` the shell holds
//!    one stream for the attempt's state (and only while online); every
//!    other phase closes it ([`super::Effect::CloseStream`]).
//! 2. **Never there, never again.** A stream that fails before its `ready`
//!    event (the proxy has no such route and answered 404, the answer is not
//!    `text/event-stream`, the browser has no `EventSource`) is not retried
//!    for this attempt: one request per attempt is the whole cost of a proxy
//!    without the route.
//! 3. **Dropped: reopen, bounded.** A stream that was live and dropped is
//!    reopened after 2 s, then 4, 8, 16 s, at most [`StreamPolicy::MAX_REOPENS`]
//!    times per attempt; after that polling alone carries the attempt.
//! 4. **Ended by the proxy.** `end` is the proxy's last word: not reopened.
//!    `reason: outcome` means a poll of this state saw the outcome, so it
//!    counts as a nudge (this page may not have seen that answer yet).
//! 5. **The proxy may confirm for us.** While the nudge's early poll is
//!    unused, the stream is opened with `?check=1`: on the first nudge the
//!    proxy polls the state itself and sends `event: status` with the
//!    answer instead of `nudge`. That poll *is* the nudge's early poll
//!    (the schedule counts it as sent when it arrives), so the budget is
//!    the same, and a consent shows without a round trip from the browser.

use super::machine::RequestId;
use super::time::Millis;

/// The constants of the rules above.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamPolicy;

impl StreamPolicy {
    /// Rule 3: the wait before the first reopen; it doubles each time.
    pub const REOPEN_START_MS: Millis = 2_000;
    /// Rule 3: reopens per attempt.
    pub const MAX_REOPENS: u32 = 4;
}

/// What the stream reported, as the shell feeds it back in
/// [`super::Input::Stream`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamSignal {
    /// `event: ready`: the proxy holds the stream for this state.
    Ready,
    /// `event: nudge`: a webhook for this project (and this platform, when
    /// `data` named a platform the widget knows) arrived. Not an outcome.
    Nudge {
        /// `data.platform`, when it names a known platform.
        platform: Option<crate::api::Platform>,
    },
    /// `event: status`: the proxy polled this state on a nudge (rule 5),
    /// and this is the answer (`None`: it had no readable answer). It stands
    /// for the nudge's early poll, sent when it arrived.
    Checked(Option<crate::api::OAuthStatus>),
    /// `event: end`: the proxy closed the stream for good.
    Ended(StreamEnd),
    /// The stream failed (the `error` event; the shell has closed it): a 404,
    /// a non-event-stream answer, or a connection that dropped.
    Dropped,
    /// The browser cannot open a stream (no `EventSource`).
    Unsupported,
}

/// `data.reason` of `event: end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// A poll of this state saw its outcome.
    Outcome,
    /// The state's `expiresAt` passed (or an unknown reason).
    Expired,
}

/// What the link wants now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Open a stream now.
    Open,
    /// Nothing until this time (a reopen's backoff).
    WaitUntil(Millis),
    /// Nothing (open already, given up, or offline).
    Nothing,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    /// Not open; may open at `not_before`.
    Closed { not_before: Millis },
    /// Asked for; no `ready` yet.
    Opening(RequestId),
    /// `ready` came.
    Live(RequestId),
    /// Rules 2 and 4: not for this attempt any more.
    Gone,
}

/// The stream bookkeeping of one attempt (or of none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StreamLink {
    /// The state the link belongs to; `None` outside polling phases.
    state: Option<String>,
    link: Link,
    reopens: u32,
}

impl StreamLink {
    /// No attempt: nothing open.
    pub(crate) fn none() -> Self {
        Self {
            state: None,
            link: Link::Closed { not_before: 0 },
            reopens: 0,
        }
    }

    /// Whether the shell holds a stream (so leaving needs a close).
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.link, Link::Opening(_) | Link::Live(_))
    }

    /// Whether the proxy confirmed the stream with `ready`.
    pub(crate) fn is_live(&self) -> bool {
        matches!(self.link, Link::Live(_))
    }

    /// Whether this link belongs to `state`.
    pub(crate) fn is_for(&self, state: &str) -> bool {
        self.state.as_deref() == Some(state)
    }

    /// A fresh link for a new attempt's state.
    pub(crate) fn for_state(state: &str) -> Self {
        Self {
            state: Some(state.to_owned()),
            ..Self::none()
        }
    }

    /// Whether `stream` is the stream the shell holds now.
    pub(crate) fn holds(&self, stream: RequestId) -> bool {
        matches!(self.link, Link::Opening(id) | Link::Live(id) if id == stream)
    }

    /// Rule 1, 3: open now, later, or not at all.
    pub(crate) fn want(&self, now: Millis, online: bool) -> Want {
        match self.link {
            Link::Closed { not_before } if online && self.state.is_some() => {
                if now >= not_before {
                    Want::Open
                } else {
                    Want::WaitUntil(not_before)
                }
            }
            _ => Want::Nothing,
        }
    }

    pub(crate) fn on_open(&mut self, stream: RequestId) {
        self.link = Link::Opening(stream);
    }

    pub(crate) fn on_ready(&mut self) {
        if let Link::Opening(id) = self.link {
            self.link = Link::Live(id);
        }
    }

    /// Rules 2 and 3 after a failure at `now`.
    pub(crate) fn on_dropped(&mut self, now: Millis) {
        self.link = match self.link {
            Link::Live(_) if self.reopens < StreamPolicy::MAX_REOPENS => {
                let wait = StreamPolicy::REOPEN_START_MS.saturating_mul(1 << self.reopens);
                self.reopens += 1;
                Link::Closed {
                    not_before: now.saturating_add(wait),
                }
            }
            _ => Link::Gone,
        };
    }

    /// Rules 2 and 4: not for this attempt any more.
    pub(crate) fn give_up(&mut self) {
        self.link = Link::Gone;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(link: &mut StreamLink, id: u64) {
        link.on_open(RequestId(id));
        link.on_ready();
        assert!(link.is_live());
    }

    #[test]
    fn reopens_back_off_and_are_bounded() {
        let mut link = StreamLink::for_state("st_1");
        assert_eq!(link.want(0, true), Want::Open);
        let mut now = 0;
        let mut waits = vec![];
        for id in 1.. {
            live(&mut link, id);
            link.on_dropped(now);
            match link.want(now, true) {
                Want::WaitUntil(at) => {
                    waits.push(at - now);
                    now = at;
                    assert_eq!(link.want(now, true), Want::Open);
                }
                Want::Nothing => break,
                Want::Open => panic!("reopened at once"),
            }
        }
        assert_eq!(waits, [2_000, 4_000, 8_000, 16_000]);
    }

    #[test]
    fn a_stream_that_never_was_ready_is_not_retried() {
        let mut link = StreamLink::for_state("st_1");
        link.on_open(RequestId(1));
        link.on_dropped(10);
        assert!(!link.is_open());
        assert_eq!(link.want(1_000_000, true), Want::Nothing);
    }

    #[test]
    fn offline_or_without_an_attempt_nothing_opens() {
        assert_eq!(StreamLink::for_state("st_1").want(0, false), Want::Nothing);
        assert_eq!(StreamLink::none().want(0, true), Want::Nothing);
        let mut link = StreamLink::for_state("st_1");
        link.give_up();
        assert_eq!(link.want(0, true), Want::Nothing);
    }
}
