//! The sans-IO core: a pure state machine `(state, input, now) -> (state, effects)`.
//!
//! [`Flow`] knows the whole connect flow — mint an authorize URL, show it in
//! a tab (or redirect to it), poll the status until connected, failed or
//! expired — but performs no I/O and reads no clock. The browser shell runs
//! the [`Effect`]s it returns (open a tab, fetch, set a timer, write
//! sessionStorage, dispatch an event) and feeds every result back as an
//! [`Input`], together with the time. So a test runs ten minutes of polling
//! in microseconds, and every polling rule is in one file: [`policy`].
//!
//! The view renders [`Flow::phase`]; the state token exists only inside the
//! phases that have one ([`Phase::Redirecting`], [`Phase::Waiting`],
//! [`Phase::Finishing`]).
//!
//! # Driving it
//!
//! ```
//! use layers_connect::api::{Connection, OAuthStatus, OAuthUrl, Platform};
//! use layers_connect::flow::{Effect, Flow, Input, Mode, Phase, ReturnSignal};
//!
//! let mut flow = Flow::new(Mode::Tab);
//! let t0 = 1_776_538_931_000; // epoch ms: performance.timeOrigin + performance.now()
//!
//! // In the click handler, synchronously: open the tab first, then mint.
//! let effects = flow.handle(Input::Start { platform: Platform::Tiktok }, t0);
//! assert_eq!(effects[0], Effect::OpenBlankTab);
//! let Some(&Effect::Mint { request: mint, .. }) = effects.get(1) else { panic!() };
//! flow.handle(Input::TabOpened { blocked: false }, t0);
//!
//! // The proxy answers: navigate the tab, persist, and wait 5 s before polling.
//! let url = OAuthUrl {
//!     authorize_url: "https://www.tiktok.com/v2/auth/authorize?state=st_1".into(),
//!     state: "st_1".into(),
//!     expires_at: "2026-04-18T19:12:11Z".into(),
//! };
//! let effects = flow.handle(Input::Minted { request: mint, result: Ok(url) }, t0 + 300);
//! assert!(effects.contains(&Effect::SetTimer { at: t0 + 5_300 }));
//! assert!(matches!(flow.phase(), Phase::Waiting(_)));
//!
//! // The timer fires: poll.
//! let effects = flow.handle(Input::Timer, t0 + 5_300);
//! let Some(&Effect::Poll { request: poll, .. }) = effects.first() else { panic!() };
//! flow.handle(Input::Polled { request: poll, result: Ok(OAuthStatus::Pending) }, t0 + 5_400);
//!
//! // The customer comes back: "Finishing…", and one confirmation poll at once
//! // (it only has to be 250 ms after the last poll, not 5 s).
//! let effects = flow.handle(Input::Returned(ReturnSignal::Success), t0 + 5_800);
//! assert!(matches!(flow.phase(), Phase::Finishing(_)));
//! let Some(&Effect::Poll { request: confirm, .. }) = effects.iter().find(|e| matches!(e, Effect::Poll { .. })) else { panic!() };
//! let connection = Connection {
//!     social_account_id: "sa_1".into(),
//!     platform: Some("tiktok".into()),
//!     handle: Some("acmecoffee".into()),
//!     connected_at: None,
//! };
//! let effects = flow.handle(Input::Polled { request: confirm, result: Ok(OAuthStatus::Completed(connection)) }, t0 + 6_400);
//! assert!(matches!(flow.phase(), Phase::Connected(_)));
//! assert!(effects.iter().any(|e| matches!(e, Effect::FetchAccounts { .. })));
//! ```
//!
//! # The shell's loop
//!
//! Run the effects of one `handle` call in order. [`Effect::OpenBlankTab`]
//! is synchronous and answered at once with [`Input::TabOpened`]; requests
//! answer later with [`Input::Minted`] / [`Input::Polled`] /
//! [`Input::AccountsFetched`] carrying the effect's [`RequestId`];
//! [`Effect::SetTimer`] replaces the one pending timer;
//! [`Effect::OpenStream`] / [`Effect::CloseStream`] hold the one outcome
//! stream, whose events come back as [`Input::Stream`] (see [`stream`]).
//! Answers to requests
//! the machine no longer waits for are ignored, so the shell never needs to
//! track what is stale.

mod machine;
pub mod policy;
pub mod stream;
pub mod time;

pub use machine::{
    Attempt, Connected, ConnectedEvent, Effect, Event, FailedEvent, Failure, Flow, Input, Mode,
    Phase, PhaseName, Polling, RequestId, ReturnSignal, Starting, StatusEvent, TabState,
};
pub use policy::PollPolicy;
pub use stream::{StreamEnd, StreamPolicy, StreamSignal};
pub use time::Millis;

#[cfg(test)]
pub(crate) mod driver;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod stream_tests;

#[cfg(test)]
mod properties;
