//! The one test driver for the core: feeds inputs to a real [`Flow`] as the
//! browser shell would, on a clock of its own, and keeps every effect it
//! returned. The example traces (`tests.rs`), the property tests
//! (`properties.rs`) and the screen tests (`crate::screen`) all drive the
//! flow through it.

use super::{Effect, Event, Flow, Input, Millis, Mode, Phase, PhaseName, RequestId};
use crate::api::{ApiError, OAuthStatus, OAuthUrl, Platform};

/// A flow, its clock, and the log of `(time, effect)` it returned.
pub(crate) struct Driver {
    pub(crate) flow: Flow,
    /// Times given to [`Driver::at`] count from here.
    origin: Millis,
    /// The time of the last input (or what a test moved it to).
    pub(crate) now: Millis,
    log: Vec<(Millis, Effect)>,
}

impl Driver {
    /// A fresh flow whose clock starts at `origin` (epoch ms).
    pub(crate) fn new(mode: Mode, origin: Millis) -> Self {
        Driver { flow: Flow::new(mode), origin, now: origin, log: vec![] }
    }

    /// Feeds `input` at `origin + ms`.
    pub(crate) fn at(&mut self, ms: Millis, input: Input) -> Vec<Effect> {
        self.now = self.origin + ms;
        self.feed(input)
    }

    /// Feeds `input` at [`Driver::now`].
    pub(crate) fn feed(&mut self, input: Input) -> Vec<Effect> {
        let effects = self.flow.handle(input, self.now);
        self.log.extend(effects.iter().cloned().map(|e| (self.now, e)));
        effects
    }

    pub(crate) fn phase(&self) -> &Phase {
        self.flow.phase()
    }

    /// Start TikTok (the tab opened, or blocked) and mint `url`, all at `ms`.
    pub(crate) fn connect(&mut self, ms: Millis, blocked: bool, url: OAuthUrl) -> Vec<Effect> {
        let mint = mint_id(&self.at(ms, Input::Start { platform: Platform::Tiktok })).expect("mint");
        self.at(ms, Input::TabOpened { blocked });
        self.at(ms, Input::Minted { request: mint, result: Ok(url) })
    }

    /// Answers the poll among `effects` at `ms`.
    pub(crate) fn answer(&mut self, effects: &[Effect], ms: Millis, result: Result<OAuthStatus, ApiError>) -> Vec<Effect> {
        let request = poll_id(effects).expect("a poll to answer");
        self.at(ms, Input::Polled { request, result })
    }

    /// The timer the flow holds now (the last `SetTimer`, unless cleared since).
    pub(crate) fn timer(&self) -> Option<Millis> {
        self.log.iter().rev().find_map(|(_, e)| match e {
            Effect::SetTimer { at } => Some(Some(*at)),
            Effect::ClearTimer => Some(None),
            _ => None,
        })?
    }

    /// Fires the pending timer at its time, if it is after now and no later
    /// than `origin + until`; returns what that did.
    pub(crate) fn fire_timer(&mut self, until: Millis) -> Option<Vec<Effect>> {
        let at = self.timer().filter(|&at| at > self.now && at - self.origin <= until)?;
        Some(self.at(at - self.origin, Input::Timer))
    }

    /// Every effect returned, with the time of the input that returned it.
    pub(crate) fn log(&self) -> &[(Millis, Effect)] {
        &self.log
    }

    /// When each poll was sent, counted from `origin`.
    pub(crate) fn polls(&self) -> Vec<Millis> {
        self.log.iter().filter(|(_, e)| matches!(e, Effect::Poll { .. })).map(|(t, _)| t - self.origin).collect()
    }

    /// Every event emitted, in order.
    pub(crate) fn events(&self) -> Vec<Event> {
        self.log.iter().filter_map(|(_, e)| if let Effect::Emit(ev) = e { Some(ev.clone()) } else { None }).collect()
    }

    /// The `layers-connected` / `layers-failed` events.
    pub(crate) fn outcome_events(&self) -> Vec<Event> {
        self.events().into_iter().filter(|e| !matches!(e, Event::Status(_))).collect()
    }

    /// The phase of every `layers-status`, in order.
    pub(crate) fn phases(&self) -> Vec<PhaseName> {
        self.events().into_iter().filter_map(|e| if let Event::Status(s) = e { Some(s.phase) } else { None }).collect()
    }
}

impl Driver {
    /// When each stream was opened, counted from `origin`, with its id.
    pub(crate) fn streams(&self) -> Vec<(Millis, RequestId)> {
        self.log
            .iter()
            .filter_map(|(t, e)| match e {
                Effect::OpenStream { stream, .. } => Some((t - self.origin, *stream)),
                _ => None,
            })
            .collect()
    }

    /// Whether the shell holds a stream now: the last `OpenStream` was not
    /// followed by a `CloseStream`.
    pub(crate) fn stream_open(&self) -> bool {
        self.log.iter().rev().find_map(|(_, e)| match e {
            Effect::OpenStream { .. } => Some(true),
            Effect::CloseStream => Some(false),
            _ => None,
        }) == Some(true)
    }
}

/// The id of the stream opened among `effects`.
pub(crate) fn stream_id(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| if let Effect::OpenStream { stream, .. } = e { Some(*stream) } else { None })
}

/// The id of the mint among `effects`.
pub(crate) fn mint_id(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| if let Effect::Mint { request, .. } = e { Some(*request) } else { None })
}

/// The id of the poll among `effects`.
pub(crate) fn poll_id(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| if let Effect::Poll { request, .. } = e { Some(*request) } else { None })
}

/// The id of the request (mint, poll or account fetch) among `effects`.
pub(crate) fn request_id(effects: &[Effect]) -> Option<RequestId> {
    effects.iter().find_map(|e| match e {
        Effect::Mint { request, .. } | Effect::Poll { request, .. } | Effect::FetchAccounts { request } => Some(*request),
        _ => None,
    })
}
