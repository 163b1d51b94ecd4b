//! Property tests: a random shell answers every request any way the proxy
//! could (late, out of order, stale, duplicated never), fires timers early
//! and late, jumps the clock forward and a little backward, flips visibility
//! and connectivity, returns, cancels and retries. Whatever happens:
//!
//! - two polls of one attempt are ≥ 5 s apart, except at most one
//!   confirmation poll (in "Finishing…", or after a stream nudge) ≥ 250 ms
//!   after the previous one, whatever mix of nudges, stream drops and ends;
//! - the outcome stream is open only while an attempt is polled (closed in
//!   every ending, on cancel and reset), one at a time, and opened at most
//!   five times per attempt;
//! - no poll at or after the attempt's deadline, and none outside polling phases;
//! - the last poll goes within a second of the deadline (a focused property);
//! - never two polls of one attempt in flight;
//! - a return signal (with or without an error, any text) never ends an
//!   attempt by itself, and every reported code has a documented shape;
//! - at most one ending per attempt (exactly one once it is cancelled at the
//!   end), with exactly one connected/failed event when the ending calls for one;
//! - no panic;
//! - an in-app browser's report (at any moment) is never an ending, and only
//!   ever shows the handoff instead of the resting buttons.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::time::format_rfc3339;
// The spec's numbers are written out here, not read from `PollPolicy`,
// so a wrong constant fails the properties instead of moving them.
use super::driver::Driver;
use super::*;
use crate::api::{
    ApiError, Connection, ErrorCode, FailureCode, KillSwitchScope, OAuthStatus, OAuthUrl, Platform,
    SocialAccounts,
};

#[derive(Clone, Debug)]
enum Reply {
    Pending,
    Unrecognized,
    Completed,
    Failed(bool),
    Http(u16, Option<u32>),
    KillSwitch,
    Network,
    Timeout,
    Malformed,
}

#[derive(Clone, Debug)]
enum Step {
    Advance(u64),
    Jump(u64),
    Back(u64),
    /// Fire the pending timer when it is due, plus some lateness.
    FireTimer(u64),
    /// A spurious, early timer.
    EarlyTimer,
    /// Answer the outstanding request at this index (mod the count).
    Answer(usize, Reply, u8),
    TabOpened(bool),
    /// A return, with this `layers_oauth_error` (any text anyone could send).
    Returned(Option<String>),
    Visible(bool),
    Online(bool),
    Cancel,
    Reset,
    Retry,
    Start(bool),
    Resume(u64, Option<bool>),
    /// The shell reports an in-app browser (it does so once at mount; any
    /// moment here).
    InApp,
    /// The open stream (or a stale one, when `true`) reports this.
    Stream(StreamSignal, bool),
}

fn stream_signal() -> impl Strategy<Value = StreamSignal> {
    prop_oneof![
        3 => Just(StreamSignal::Ready),
        4 => prop::option::of(any::<bool>()).prop_map(|p| StreamSignal::Nudge {
            platform: p.map(|tiktok| if tiktok { Platform::Tiktok } else { Platform::Instagram }),
        }),
        1 => any::<bool>().prop_map(|o| StreamSignal::Ended(if o { StreamEnd::Outcome } else { StreamEnd::Expired })),
        // A status the widget did not ask for (a proxy that misbehaves):
        // whatever it says, the polling rules hold.
        1 => prop::option::of(any::<bool>()).prop_map(|s| StreamSignal::Checked(s.map(|done| if done { completed() } else { OAuthStatus::Pending }))),
        3 => Just(StreamSignal::Dropped),
        1 => Just(StreamSignal::Unsupported),
    ]
}

fn completed() -> OAuthStatus {
    OAuthStatus::Completed(Connection {
        social_account_id: "sa_1".into(),
        platform: None,
        handle: Some("h".into()),
        connected_at: None,
    })
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        4 => Just(Reply::Pending),
        1 => Just(Reply::Unrecognized),
        1 => Just(Reply::Completed),
        1 => any::<bool>().prop_map(Reply::Failed),
        3 => (prop::sample::select(vec![400u16, 401, 403, 404, 408, 413, 429, 429, 429, 500, 502, 503, 504]),
              prop::option::of(0u32..90)).prop_map(|(s, r)| Reply::Http(s, r)),
        1 => Just(Reply::KillSwitch),
        2 => Just(Reply::Network),
        1 => Just(Reply::Timeout),
        1 => Just(Reply::Malformed),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u64..12_000).prop_map(Step::Advance),
        1 => (0u64..700_000).prop_map(Step::Jump),
        1 => (0u64..3_000).prop_map(Step::Back),
        6 => (0u64..3_000).prop_map(Step::FireTimer),
        1 => Just(Step::EarlyTimer),
        8 => (0usize..4, reply(), any::<u8>()).prop_map(|(i, r, x)| Step::Answer(i, r, x)),
        1 => any::<bool>().prop_map(Step::TabOpened),
        1 => prop::option::of(prop_oneof![
            Just("platform_denied".to_owned()),
            Just("brand_new".to_owned()),
            any::<String>(),
        ]).prop_map(Step::Returned),
        1 => any::<bool>().prop_map(Step::Visible),
        1 => any::<bool>().prop_map(Step::Online),
        1 => Just(Step::Cancel),
        1 => Just(Step::Reset),
        1 => Just(Step::Retry),
        1 => any::<bool>().prop_map(Step::Start),
        1 => (0u64..900_000, prop::option::of(any::<bool>())).prop_map(|(t, r)| Step::Resume(t, r)),
        1 => Just(Step::InApp),
        6 => (stream_signal(), prop::bool::weighted(0.1)).prop_map(|(s, stale)| Step::Stream(s, stale)),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Mint,
    Poll,
    Accounts,
}

#[derive(Default)]
struct Attempted {
    endings: usize,
    outcome_events: usize,
}

struct Sim {
    /// The flow and its clock; `driver.now` is the shell's "now".
    driver: Driver,
    timer: Option<Millis>,
    /// Requests the shell has not answered yet, with the polled state.
    outstanding: Vec<(RequestId, Kind, String)>,
    last_poll: HashMap<String, Millis>,
    early_polls: HashMap<String, usize>,
    attempts: Vec<Attempted>,
    fresh: u64,
    /// The stream the shell holds, and the last one it held.
    stream: Option<RequestId>,
    last_stream: Option<RequestId>,
    /// Whether the held stream asked the proxy to poll on a nudge
    /// (`?check=1`) and the proxy has not done so yet.
    check: bool,
    /// States that got a nudge (or an outcome end) while polled.
    nudged: HashSet<String>,
    opens: HashMap<String, usize>,
}

impl Sim {
    fn new(mode: Mode) -> Self {
        Sim {
            driver: Driver::new(mode, 1_776_538_931_000),
            timer: None,
            outstanding: vec![],
            last_poll: HashMap::new(),
            early_polls: HashMap::new(),
            attempts: vec![],
            fresh: 0,
            stream: None,
            last_stream: None,
            check: false,
            nudged: HashSet::new(),
            opens: HashMap::new(),
        }
    }

    fn fresh_state(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}_{}", self.fresh)
    }

    fn feed(&mut self, input: Input) -> Result<(), TestCaseError> {
        let starts = matches!(
            input,
            Input::Start { .. } | Input::Retry | Input::Resume { .. }
        );
        // A return is a hint: only a poll's answer ends an attempt after it
        // (the clock may still find it expired on the same input).
        let hint = matches!(input, Input::Returned(_) | Input::Resume { returned: Some(_), .. });
        let was_active = self.driver.flow.phase().is_active();
        let nudge = matches!(input, Input::Stream { signal: StreamSignal::Nudge { .. } | StreamSignal::Ended(StreamEnd::Outcome), .. });
        if let (true, Some(a)) = (nudge, self.driver.flow.phase().attempt()) {
            self.nudged.insert(a.state.clone());
        }
        let effects = self.driver.feed(input);
        let phase = self.driver.flow.phase().clone();
        if starts
            && !was_active
            && effects
                .iter()
                .any(|e| matches!(e, Effect::Emit(Event::Status(_))))
        {
            self.attempts.push(Attempted::default());
        }

        let mut ending = None;
        let mut outcome_events = 0;
        for effect in effects {
            match effect {
                Effect::Poll { request, state } => self.check_poll(request, state, &phase)?,
                Effect::Mint { request, .. } => {
                    self.outstanding.push((request, Kind::Mint, String::new()))
                }
                Effect::FetchAccounts { request } => {
                    self.outstanding
                        .push((request, Kind::Accounts, String::new()))
                }
                Effect::OpenStream { stream, ref state, check } => {
                    self.check = check;
                    prop_assert!(self.stream.is_none(), "a second stream while one is open");
                    let (Phase::Waiting(p) | Phase::Finishing(p)) = &phase else {
                        return Err(TestCaseError::fail(format!("stream opened in {:?}", phase.name())));
                    };
                    prop_assert_eq!(&p.attempt.state, state);
                    let opens = self.opens.entry(state.clone()).or_default();
                    *opens += 1;
                    prop_assert!(*opens <= 5, "{} opens of one attempt's stream", opens);
                    self.stream = Some(stream);
                    self.last_stream = Some(stream);
                }
                Effect::CloseStream => {
                    self.stream = None;
                    self.check = false;
                }
                Effect::SetTimer { at } => self.timer = Some(at),
                Effect::ClearTimer => self.timer = None,
                Effect::Emit(Event::Status(s)) => {
                    let ends = !matches!(
                        s.phase,
                        PhaseName::Idle
                            | PhaseName::InAppBrowser
                            | PhaseName::Starting
                            | PhaseName::Redirecting
                            | PhaseName::Waiting
                            | PhaseName::Finishing
                    );
                    if ends {
                        prop_assert!(ending.is_none(), "two endings in one step");
                        ending = Some(s.phase);
                    }
                }
                Effect::Emit(Event::Failed(f)) => {
                    outcome_events += 1;
                    let snake = (1..=64).contains(&f.code.len()) && f.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                    let upper = f.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                    prop_assert!(snake || upper, "reported code {:?}", f.code);
                }
                Effect::Emit(_) => outcome_events += 1,
                _ => {}
            }
        }
        if !matches!(phase, Phase::Waiting(_) | Phase::Finishing(_)) {
            prop_assert!(self.stream.is_none(), "the stream is open in {:?}", phase.name());
        }
        if hint {
            prop_assert!(matches!(ending, None | Some(PhaseName::Expired)), "a return ended the attempt: {:?}", ending);
        }
        if let Some(name) = ending {
            let expected = match name {
                PhaseName::Expired | PhaseName::Cancelled => 0,
                _ => 1,
            };
            prop_assert_eq!(outcome_events, expected, "outcome events for {:?}", name);
            let attempt = self
                .attempts
                .last_mut()
                .expect("an ending without an attempt");
            attempt.endings += 1;
            prop_assert!(attempt.endings <= 1, "a second ending: {:?}", name);
        } else {
            prop_assert_eq!(outcome_events, 0, "an outcome event without an ending");
        }
        if let Some(attempt) = self.attempts.last_mut() {
            attempt.outcome_events += outcome_events;
            prop_assert!(attempt.outcome_events <= 1);
        }
        Ok(())
    }

    fn check_poll(
        &mut self,
        request: RequestId,
        state: String,
        phase: &Phase,
    ) -> Result<(), TestCaseError> {
        let now = self.driver.now;
        let (Phase::Waiting(p) | Phase::Finishing(p)) = phase else {
            return Err(TestCaseError::fail(format!("poll in {:?}", phase.name())));
        };
        prop_assert_eq!(&p.attempt.state, &state);
        prop_assert!(
            now < p.attempt.expires_at,
            "poll at {} ≥ deadline {}",
            now,
            p.attempt.expires_at
        );
        prop_assert!(
            !self
                .outstanding
                .iter()
                .any(|(_, k, s)| *k == Kind::Poll && *s == state),
            "two polls of {} in flight",
            state
        );
        if let Some(&prev) = self.last_poll.get(&state) {
            prop_assert!(
                now >= prev + 250,
                "polls {} ms apart",
                now as i128 - prev as i128
            );
            if now < prev + 5_000 {
                prop_assert!(
                    matches!(phase, Phase::Finishing(_)) || self.nudged.contains(&state),
                    "early poll outside Finishing, without a nudge"
                );
                // One for the return (rule 2) and, when the stream nudged,
                // one for the nudge: never more.
                let allowed = if self.nudged.contains(&state) { 2 } else { 1 };
                let early = self.early_polls.entry(state.clone()).or_default();
                *early += 1;
                prop_assert!(*early <= allowed, "early poll number {} of {}", *early, state);
            }
        }
        self.last_poll.insert(state.clone(), now);
        self.outstanding.push((request, Kind::Poll, state));
        Ok(())
    }

    /// The proxy's poll on a nudge: it counts against the attempt's budget
    /// like the widget's own, as the nudge's early poll (it cannot know
    /// when the widget last polled, so no 250 ms gap before it).
    fn proxy_poll(&mut self) -> Result<(), TestCaseError> {
        let now = self.driver.now;
        let Some(state) = self.driver.flow.phase().attempt().map(|a| a.state.clone()) else {
            return Ok(());
        };
        self.nudged.insert(state.clone());
        if let Some(&prev) = self.last_poll.get(&state) {
            if now < prev + 5_000 {
                let early = self.early_polls.entry(state.clone()).or_default();
                *early += 1;
                prop_assert!(*early <= 2, "the proxy's check was early poll number {} of {}", *early, state);
            }
        }
        self.last_poll.insert(state, now);
        Ok(())
    }

    fn answer(&mut self, index: usize, reply: Reply, salt: u8) -> Result<(), TestCaseError> {
        if self.outstanding.is_empty() {
            return Ok(());
        }
        let (request, kind, _) = self.outstanding.remove(index % self.outstanding.len());
        let error = |reply: &Reply| match *reply {
            Reply::Http(status, retry_after) => Some(ApiError::Http {
                status,
                code: (status == 429).then_some(ErrorCode::RateLimited),
                message: None,
                request_id: None,
                retry_after,
                scope: None,
            }),
            Reply::KillSwitch => Some(ApiError::Http {
                status: 503,
                code: Some(ErrorCode::KillSwitch),
                message: None,
                request_id: None,
                retry_after: None,
                scope: Some(KillSwitchScope::Global),
            }),
            Reply::Network => Some(ApiError::Network),
            Reply::Timeout => Some(ApiError::Timeout),
            Reply::Malformed => Some(ApiError::Malformed { status: 200 }),
            _ => None,
        };
        let input = match kind {
            Kind::Poll => Input::Polled {
                request,
                result: match error(&reply) {
                    Some(e) => Err(e),
                    None => Ok(match reply {
                        Reply::Completed => completed(),
                        Reply::Failed(known) => OAuthStatus::Failed {
                            code: if known {
                                FailureCode::PlatformDenied
                            } else {
                                FailureCode::Other("new_code".into())
                            },
                            message: None,
                        },
                        Reply::Unrecognized => OAuthStatus::Unrecognized("later".into()),
                        _ => OAuthStatus::Pending,
                    }),
                },
            },
            Kind::Mint => Input::Minted {
                request,
                result: match error(&reply) {
                    Some(e) => Err(e),
                    None => {
                        let expires_at = match salt % 4 {
                            0 => format_rfc3339(self.driver.now + 600_000),
                            1 => format_rfc3339(self.driver.now + u64::from(salt) * 1_000),
                            2 => format_rfc3339(self.driver.now.saturating_sub(60_000)),
                            _ => "not a date".into(),
                        };
                        let state = self.fresh_state("st");
                        Ok(OAuthUrl {
                            authorize_url: "https://example.test/auth".into(),
                            state,
                            expires_at,
                        })
                    }
                },
            },
            Kind::Accounts => Input::AccountsFetched {
                request,
                result: error(&reply).map_or(Ok(SocialAccounts::default()), Err),
            },
        };
        self.feed(input)
    }

    fn run(&mut self, step: Step) -> Result<(), TestCaseError> {
        match step {
            Step::Advance(ms) | Step::Jump(ms) => self.driver.now += ms,
            Step::Back(ms) => self.driver.now = self.driver.now.saturating_sub(ms),
            Step::FireTimer(late) => {
                if let Some(at) = self.timer.take() {
                    self.driver.now = self.driver.now.max(at) + late;
                    self.feed(Input::Timer)?;
                }
            }
            Step::EarlyTimer => self.feed(Input::Timer)?,
            Step::Answer(i, reply, salt) => self.answer(i, reply, salt)?,
            Step::TabOpened(blocked) => self.feed(Input::TabOpened { blocked })?,
            Step::Returned(error) => {
                let signal = ReturnSignal::from_error_param(error.as_deref());
                self.feed(Input::Returned(signal))?
            }
            Step::Visible(visible) => self.feed(Input::VisibilityChanged { visible })?,
            Step::Online(online) => self.feed(Input::Connectivity { online })?,
            Step::Cancel => self.feed(Input::Cancel)?,
            Step::Reset => self.feed(Input::Reset)?,
            Step::Retry => self.feed(Input::Retry)?,
            Step::Start(tiktok) => {
                let platform = if tiktok {
                    Platform::Tiktok
                } else {
                    Platform::Instagram
                };
                self.feed(Input::Start { platform })?
            }
            Step::Resume(life, returned) => {
                // A fresh state: a resumed attempt comes from another page load.
                let attempt = Attempt {
                    state: self.fresh_state("rs"),
                    platform: Platform::Tiktok,
                    expires_at: (self.driver.now + life).saturating_sub(300_000),
                };
                let returned = returned.map(|ok| {
                    if ok {
                        ReturnSignal::Success
                    } else {
                        ReturnSignal::Error(FailureCode::ExchangeFailed)
                    }
                });
                self.feed(Input::Resume { attempt, returned })?
            }
            Step::InApp => {
                let before = self.driver.flow.phase().clone();
                self.feed(Input::InAppBrowser {
                    browser: crate::in_app::InAppBrowser {
                        app: crate::in_app::App::Tiktok,
                        os: crate::in_app::Os::Android,
                    },
                    page_url: "https://partner.example/connect".into(),
                })?;
                // The clock may still end an attempt on this input (its
                // deadline passed); the handoff itself only replaces idle.
                let shown = self.driver.flow.phase().name() == PhaseName::InAppBrowser;
                let resting = matches!(before.name(), PhaseName::Idle | PhaseName::InAppBrowser);
                prop_assert_eq!(shown, resting, "the handoff after {:?}", before.name());
            }
            Step::Stream(signal, stale) => {
                let stream = if stale { self.last_stream.map(|RequestId(n)| RequestId(n.saturating_sub(1))) } else { self.stream };
                // The proxy asked to check polls on the first nudge and sends its answer instead.
                let signal = match signal {
                    StreamSignal::Nudge { .. } if !stale && self.check && self.stream.is_some() => {
                        self.check = false;
                        self.proxy_poll()?;
                        self.fresh += 1;
                        StreamSignal::Checked(match self.fresh % 3 {
                            0 => Some(OAuthStatus::Pending),
                            1 => Some(completed()),
                            _ => None,
                        })
                    }
                    signal => signal,
                };
                if let Some(stream) = stream {
                    // The shell closes an EventSource that failed before reporting it.
                    if matches!(signal, StreamSignal::Dropped | StreamSignal::Unsupported) && Some(stream) == self.stream {
                        self.stream = None;
                    }
                    self.feed(Input::Stream { stream, signal })?
                }
            }
        }
        Ok(())
    }
}

fn check(mode: Mode, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut sim = Sim::new(mode);
    for step in steps {
        sim.run(step)?;
    }
    // End whatever runs: every attempt then has exactly one ending.
    sim.feed(Input::Cancel)?;
    for (i, attempt) in sim.attempts.iter().enumerate() {
        prop_assert_eq!(attempt.endings, 1, "attempt {} endings", i);
    }
    Ok(())
}

proptest! {
    // No regression files in the repository: a failure prints its minimal case.
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn tab_mode_keeps_every_rule(steps in prop::collection::vec(step(), 1..150)) {
        check(Mode::Tab, steps)?;
    }

    #[test]
    fn redirect_mode_keeps_every_rule(steps in prop::collection::vec(step(), 1..150)) {
        check(Mode::Redirect, steps)?;
    }
}

/// A focused run: a hidden tab whose timers fire late or not at all, rate
/// limits and server errors, ending at the deadline.
#[test]
fn a_long_throttled_attempt_stays_within_the_rules() {
    let mut sim = Sim::new(Mode::Tab);
    let mut steps = vec![
        Step::Start(true),
        Step::TabOpened(false),
        Step::Answer(0, Reply::Pending, 0),
    ];
    for i in 0..400u64 {
        steps.push(Step::FireTimer(i * 37 % 4_000));
        let reply = match i % 7 {
            0 => Reply::Http(429, Some((i % 40) as u32)),
            1 => Reply::Http(500, None),
            2 => Reply::Network,
            _ => Reply::Pending,
        };
        steps.push(Step::Answer(0, reply, 0));
    }
    for step in steps {
        sim.run(step).unwrap();
    }
    assert!(
        matches!(sim.driver.flow.phase(), Phase::Expired { .. }),
        "{:?}",
        sim.driver.flow.phase().name()
    );
    assert!(sim.last_poll.len() == 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Rule 5's last call: with prompt pending answers and timers on time,
    /// whatever the URL's life and the answers' latency, the last poll goes
    /// within a second of the deadline, and the floor still holds.
    #[test]
    fn the_last_poll_is_just_before_the_deadline(life_s in 7u64..600, latency in 0u64..900, mint_at in 0u64..5_000) {
        let mut d = Driver::new(Mode::Tab, 1_776_538_931_000);
        let expires = format_rfc3339(d.now + mint_at + life_s * 1_000);
        let url = OAuthUrl { authorize_url: "https://example.test/auth".into(), state: "st_1".into(), expires_at: expires };
        d.connect(mint_at, false, url);
        let deadline = mint_at + life_s * 1_000;
        while let Some(effects) = d.fire_timer(deadline + 60_000) {
            if super::driver::poll_id(&effects).is_some() {
                let sent = d.now - 1_776_538_931_000;
                d.answer(&effects, sent + latency, Ok(OAuthStatus::Pending));
            }
        }
        let expired = matches!(d.phase(), Phase::Expired { .. });
        prop_assert!(expired);
        let polls = d.polls();
        let last = *polls.last().unwrap();
        prop_assert!(last < deadline && last + 1_000 >= deadline, "last poll at {} for deadline {}", last, deadline);
        prop_assert!(polls.windows(2).all(|w| w[1] - w[0] >= 5_000), "{:?}", polls);
    }
}

fn stream_storm_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u64..3_000).prop_map(Step::Advance),
        3 => (0u64..500).prop_map(Step::FireTimer),
        6 => (stream_signal(), prop::bool::weighted(0.05)).prop_map(|(s, stale)| Step::Stream(s, stale)),
        4 => (0usize..2, prop_oneof![
            6 => Just(Reply::Pending),
            1 => (prop::sample::select(vec![429u16, 500, 503]), prop::option::of(0u32..20)).prop_map(|(s, r)| Reply::Http(s, r)),
            1 => Just(Reply::Network),
        ], any::<u8>()).prop_map(|(i, r, x)| Step::Answer(i, r, x)),
        1 => Just(Step::Returned(None)),
        1 => any::<bool>().prop_map(Step::Online),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// A focused run: one attempt under a storm of nudges, stream drops,
    /// ends and reopens, with pending answers, rate limits and server
    /// errors. The polling rules hold (checked on every poll by `Sim`), the
    /// stream is opened at most five times, and it is closed at the end.
    #[test]
    fn nudges_and_drops_never_break_the_polling_rules(steps in prop::collection::vec(stream_storm_step(), 1..200)) {
        let mut sim = Sim::new(Mode::Tab);
        for step in [Step::Start(true), Step::TabOpened(false), Step::Answer(0, Reply::Pending, 0)] {
            sim.run(step)?;
        }
        for step in steps {
            sim.run(step)?;
        }
        sim.feed(Input::Cancel)?;
        prop_assert!(sim.stream.is_none());
    }
}
