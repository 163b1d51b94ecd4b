//! Example traces for the outcome stream (`super::stream`): nudges confirm
//! under the polling rules, and every failure of the stream changes nothing
//! but latency.

use super::driver::{poll_id, stream_id, Driver};
use super::*;
use crate::api::{ApiError, Connection, ErrorCode, OAuthStatus, OAuthUrl, Platform};

const T0: Millis = 1_776_538_931_000;
/// Ten minutes after T0.
const EXPIRES: &str = "2026-04-18T19:12:11Z";

fn url(state: &str) -> OAuthUrl {
    OAuthUrl {
        authorize_url: "https://www.tiktok.com/v2/auth/authorize?state=x".into(),
        state: state.into(),
        expires_at: EXPIRES.into(),
    }
}

fn completed() -> Result<OAuthStatus, ApiError> {
    Ok(OAuthStatus::Completed(Connection {
        social_account_id: "sa_1".into(),
        platform: Some("tiktok".into()),
        handle: Some("acmecoffee".into()),
        connected_at: None,
    }))
}

fn pending() -> Result<OAuthStatus, ApiError> {
    Ok(OAuthStatus::Pending)
}

fn nudge() -> StreamSignal {
    StreamSignal::Nudge { platform: Some(Platform::Tiktok) }
}

/// Connected at 0 with the stream open and live (ready at 50 ms); returns its id.
fn live() -> (Driver, RequestId) {
    let mut d = Driver::new(Mode::Tab, T0);
    let effects = d.connect(0, false, url("st_1"));
    let stream = stream_id(&effects).expect("the stream opens with the wait");
    // The nudge's early poll is unused: the proxy may spend it for us.
    assert!(effects.contains(&Effect::OpenStream { stream, state: "st_1".into(), check: true }));
    d.at(50, Input::Stream { stream, signal: StreamSignal::Ready });
    assert!(d.flow.is_stream_live());
    (d, stream)
}

/// Fires timers until `until`, answering every poll pending 100 ms later.
fn run_pending(d: &mut Driver, until: Millis) {
    while let Some(effects) = d.fire_timer(until) {
        if poll_id(&effects).is_some() {
            let sent = d.now - T0;
            d.answer(&effects, sent + 100, pending());
        }
    }
}

#[test]
fn a_nudge_confirms_at_once_and_connected_closes_the_stream() {
    let (mut d, stream) = live();
    run_pending(&mut d, 7_000); // the poll at 5 s said pending
    assert_eq!(d.polls(), [5_000]);
    let effects = d.at(7_000, Input::Stream { stream, signal: nudge() });
    assert!(poll_id(&effects).is_some(), "the nudge polls at once: {effects:?}");
    // Still "waiting": a nudge is not the customer's return.
    assert!(matches!(d.phase(), Phase::Waiting(_)));
    let effects = d.answer(&effects, 7_080, completed());
    assert!(matches!(d.phase(), Phase::Connected(_)));
    assert!(effects.contains(&Effect::CloseStream));
    assert!(!d.stream_open());
    assert_eq!(d.phases(), [PhaseName::Starting, PhaseName::Waiting, PhaseName::Connected]);
}

#[test]
fn a_nudge_before_the_first_poll_confirms_at_once() {
    let (mut d, stream) = live();
    let effects = d.at(900, Input::Stream { stream, signal: nudge() });
    assert!(poll_id(&effects).is_some());
    assert_eq!(d.polls(), [900]);
}

#[test]
fn nudges_collapse_and_after_the_one_early_poll_wait_for_the_floor() {
    let (mut d, stream) = live();
    run_pending(&mut d, 5_500);
    let early = d.at(6_000, Input::Stream { stream, signal: nudge() });
    // More nudges while it is in flight: nothing.
    assert!(poll_id(&d.at(6_010, Input::Stream { stream, signal: nudge() })).is_none());
    d.answer(&early, 6_100, pending());
    for t in [6_200, 6_300, 9_000, 10_999] {
        let effects = d.at(t, Input::Stream { stream, signal: nudge() });
        assert!(poll_id(&effects).is_none(), "a nudge at {t} polled");
    }
    assert_eq!(d.timer(), Some(T0 + 11_000), "the floor after the early poll");
    run_pending(&mut d, 11_500);
    assert_eq!(d.polls(), [5_000, 6_000, 11_000]);
}

#[test]
fn a_nudge_never_shortens_a_429_wait() {
    let (mut d, stream) = live();
    let effects = d.fire_timer(5_000).unwrap();
    let rate_limited = ApiError::Http {
        status: 429,
        code: Some(ErrorCode::RateLimited),
        message: None,
        request_id: None,
        retry_after: Some(12),
        scope: None,
    };
    d.answer(&effects, 5_100, Err(rate_limited));
    assert!(poll_id(&d.at(6_000, Input::Stream { stream, signal: nudge() })).is_none());
    assert_eq!(d.timer(), Some(T0 + 17_100));
    run_pending(&mut d, 17_200);
    assert_eq!(d.polls(), [5_000, 17_100]);
}

#[test]
fn a_nudge_for_another_platform_is_ignored() {
    let (mut d, stream) = live();
    let signal = StreamSignal::Nudge { platform: Some(Platform::Instagram) };
    assert!(poll_id(&d.at(1_000, Input::Stream { stream, signal })).is_none());
    // A nudge without a platform the widget knows still counts: one poll, by the rules.
    let signal = StreamSignal::Nudge { platform: None };
    assert!(poll_id(&d.at(1_100, Input::Stream { stream, signal })).is_some());
}

#[test]
fn a_nudge_near_the_deadline_is_not_held_for_the_last_call() {
    let (mut d, stream) = live();
    run_pending(&mut d, 3_000);
    let early = d.at(3_000, Input::Stream { stream, signal: nudge() }); // spends the early poll
    d.answer(&early, 3_100, pending());
    run_pending(&mut d, 593_100);
    // Polls every 5 s from the early one at 3 s.
    let last = *d.polls().last().unwrap();
    assert_eq!(last, 593_000);
    // Without a nudge the poll due at 598 s would wait until 599 s.
    assert_eq!(d.timer(), Some(T0 + 599_000));
    d.at(595_000, Input::Stream { stream, signal: nudge() });
    assert_eq!(d.timer(), Some(T0 + 598_000), "the next poll the floor allows");
}

/// Everything that goes wrong with a stream: the polls, phases and events
/// are those of a widget that never had one.
#[test]
fn a_failing_stream_changes_nothing_but_latency() {
    let mut plain = Driver::new(Mode::Tab, T0);
    plain.connect(0, false, url("st_1"));
    run_pending(&mut plain, 60_000);
    let baseline = (plain.polls(), plain.events());

    for failure in ["unsupported", "404", "dropped", "ended"] {
        let mut d = Driver::new(Mode::Tab, T0);
        let stream = stream_id(&d.connect(0, false, url("st_1"))).unwrap();
        let effects = match failure {
            "unsupported" => d.at(0, Input::Stream { stream, signal: StreamSignal::Unsupported }),
            // 404 or not an event stream: the error comes before `ready`.
            "404" => d.at(30, Input::Stream { stream, signal: StreamSignal::Dropped }),
            "dropped" => {
                d.at(30, Input::Stream { stream, signal: StreamSignal::Ready });
                d.at(2_500, Input::Stream { stream, signal: StreamSignal::Dropped })
            }
            _ => {
                d.at(30, Input::Stream { stream, signal: StreamSignal::Ready });
                d.at(2_500, Input::Stream { stream, signal: StreamSignal::Ended(StreamEnd::Expired) })
            }
        };
        assert!(effects.contains(&Effect::CloseStream), "{failure}");
        // Reopened streams fail at once, before `ready`: never retried again.
        while let Some(effects) = d.fire_timer(60_000) {
            if let Some(stream) = stream_id(&effects) {
                d.feed(Input::Stream { stream, signal: StreamSignal::Dropped });
            }
            if poll_id(&effects).is_some() {
                let sent = d.now - T0;
                d.answer(&effects, sent + 100, pending());
            }
        }
        assert_eq!((d.polls(), d.events()), baseline, "{failure}");
        let opens = d.streams().len();
        assert_eq!(opens, if failure == "dropped" { 2 } else { 1 }, "{failure}");
    }
}

#[test]
fn a_dropped_live_stream_reopens_with_a_bounded_backoff() {
    let (mut d, stream) = live();
    // Every stream, the first and each reopened one, is ready and drops a second later.
    d.at(1_050, Input::Stream { stream, signal: StreamSignal::Dropped });
    while let Some(effects) = d.fire_timer(120_000) {
        if let Some(stream) = stream_id(&effects) {
            let t = d.now - T0;
            d.at(t + 50, Input::Stream { stream, signal: StreamSignal::Ready });
            d.at(t + 1_050, Input::Stream { stream, signal: StreamSignal::Dropped });
        }
        if poll_id(&effects).is_some() {
            let sent = d.now - T0;
            d.answer(&effects, sent + 100, pending());
        }
    }
    let opens: Vec<Millis> = d.streams().iter().map(|(t, _)| *t).collect();
    // The first open and four reopens, each 2, 4, 8, 16 s after the drop.
    assert_eq!(opens, [0, 3_050, 8_100, 17_150, 34_200]);
    assert!(!d.stream_open());
    assert!(matches!(d.phase(), Phase::Waiting(_)), "polling carries on");
}

#[test]
fn the_stream_closes_in_every_ending_and_on_cancel_and_reset() {
    type Ending = fn(&mut Driver, RequestId);
    let endings: [(&str, Ending); 6] = [
        ("connected", |d, _| {
            let e = d.fire_timer(5_000).unwrap();
            d.answer(&e, 5_100, completed());
        }),
        ("failed", |d, _| {
            let e = d.fire_timer(5_000).unwrap();
            d.answer(&e, 5_100, Err(ApiError::Http { status: 404, code: None, message: None, request_id: None, retry_after: None, scope: None }));
        }),
        ("expired", |d, _| run_pending(d, 700_000)),
        ("cancelled", |d, _| {
            d.at(1_000, Input::Cancel);
        }),
        ("reset", |d, _| {
            d.at(1_000, Input::Reset);
        }),
        ("offline then cancelled", |d, s| {
            d.at(1_000, Input::Connectivity { online: false });
            d.at(1_100, Input::Stream { stream: s, signal: StreamSignal::Dropped });
            d.at(1_200, Input::Cancel);
        }),
    ];
    for (name, end) in endings {
        let (mut d, stream) = live();
        end(&mut d, stream);
        assert!(!d.phase().is_active(), "{name}");
        assert!(!d.stream_open(), "{name}: the stream is still open");
        // Stale reports from the closed stream change nothing.
        let before = d.log().len();
        d.feed(Input::Stream { stream, signal: nudge() });
        d.feed(Input::Stream { stream, signal: StreamSignal::Ready });
        assert!(d.log()[before..].iter().all(|(_, e)| matches!(e, Effect::SetTimer { .. } | Effect::ClearTimer)), "{name}");
    }
}

#[test]
fn an_outcome_end_is_a_nudge_and_is_not_reopened() {
    let (mut d, stream) = live();
    run_pending(&mut d, 6_000);
    let effects = d.at(6_000, Input::Stream { stream, signal: StreamSignal::Ended(StreamEnd::Outcome) });
    assert!(effects.contains(&Effect::CloseStream));
    assert!(poll_id(&effects).is_some());
    run_pending(&mut d, 60_000);
    assert_eq!(d.streams().len(), 1);
}

#[test]
fn offline_opens_nothing_until_online() {
    let mut d = Driver::new(Mode::Tab, T0);
    d.at(0, Input::Connectivity { online: false });
    let effects = d.connect(0, false, url("st_1"));
    assert!(stream_id(&effects).is_none());
    let effects = d.at(3_000, Input::Connectivity { online: true });
    assert!(stream_id(&effects).is_some());
}

#[test]
fn a_resumed_attempt_opens_its_stream_and_retry_opens_a_new_one() {
    let mut d = Driver::new(Mode::Redirect, T0);
    let attempt = Attempt { state: "st_r".into(), platform: Platform::Tiktok, expires_at: T0 + 60_000 };
    let effects = d.at(0, Input::Resume { attempt, returned: Some(ReturnSignal::Success) });
    assert!(effects.iter().any(|e| matches!(e, Effect::OpenStream { state, .. } if state == "st_r")));
    let effects = d.at(100, Input::Cancel);
    assert!(effects.contains(&Effect::CloseStream));
}

fn checked(status: Result<OAuthStatus, ApiError>) -> StreamSignal {
    StreamSignal::Checked(status.ok())
}

fn opened_with_check(effects: &[Effect]) -> Option<bool> {
    effects.iter().find_map(|e| match e {
        Effect::OpenStream { check, .. } => Some(*check),
        _ => None,
    })
}

#[test]
fn the_proxys_check_connects_without_a_poll_of_ours() {
    let (mut d, stream) = live();
    let effects = d.at(900, Input::Stream { stream, signal: checked(completed()) });
    assert!(poll_id(&effects).is_none(), "{effects:?}");
    assert!(matches!(d.phase(), Phase::Connected(_)));
    assert!(effects.contains(&Effect::CloseStream));
    assert!(effects.iter().any(|e| matches!(e, Effect::FetchAccounts { .. })), "the account is fetched as after a poll");
    assert_eq!(d.polls(), [] as [Millis; 0]);
    assert_eq!(d.phases(), [PhaseName::Starting, PhaseName::Waiting, PhaseName::Connected]);
    assert_eq!(d.outcome_events().len(), 1);
}

#[test]
fn a_pending_check_was_the_nudges_early_poll() {
    let (mut d, stream) = live();
    run_pending(&mut d, 5_500); // our poll at 5 s said pending
    assert!(poll_id(&d.at(6_000, Input::Stream { stream, signal: checked(pending()) })).is_none());
    // The nudge's allowance is spent: later nudges wait for the floor, counted from the check.
    for t in [6_300, 9_000] {
        assert!(poll_id(&d.at(t, Input::Stream { stream, signal: nudge() })).is_none(), "a nudge at {t} polled");
    }
    assert_eq!(d.timer(), Some(T0 + 11_000), "five seconds after the proxy's poll");
    // The customer's return keeps its own early poll, 250 ms after the check at the earliest.
    let (mut r, stream) = live();
    run_pending(&mut r, 5_500);
    r.at(6_000, Input::Stream { stream, signal: checked(pending()) });
    let early = r.at(6_100, Input::Returned(ReturnSignal::Success));
    assert!(poll_id(&early).is_none());
    assert_eq!(r.timer(), Some(T0 + 6_250));
    run_pending(&mut r, 6_300);
    assert_eq!(r.polls(), [5_000, 6_250]);
}

#[test]
fn an_unreadable_check_still_spent_the_early_poll() {
    let (mut d, stream) = live();
    run_pending(&mut d, 5_500);
    let effects = d.at(6_000, Input::Stream { stream, signal: StreamSignal::Checked(None) });
    assert!(poll_id(&effects).is_none());
    assert!(matches!(d.phase(), Phase::Waiting(_)), "no outcome from it");
    assert_eq!(d.timer(), Some(T0 + 11_000));
}

#[test]
fn a_check_that_lands_while_our_poll_is_in_flight_wins() {
    let (mut d, stream) = live();
    let ours = d.fire_timer(5_000).unwrap();
    assert!(poll_id(&ours).is_some());
    d.at(5_010, Input::Stream { stream, signal: checked(completed()) });
    assert!(matches!(d.phase(), Phase::Connected(_)));
    // Our own answer, late: the attempt has ended, nothing changes.
    let late = d.answer(&ours, 5_100, pending());
    assert!(late.iter().all(|e| matches!(e, Effect::SetTimer { .. } | Effect::ClearTimer)), "{late:?}");
    assert_eq!(d.outcome_events().len(), 1);
}

#[test]
fn a_reopened_stream_asks_for_a_check_only_while_the_early_poll_is_unused() {
    // Spent by a nudge of our own: the reopen does not ask.
    let (mut d, stream) = live();
    let early = d.at(1_000, Input::Stream { stream, signal: nudge() });
    d.answer(&early, 1_100, pending());
    d.at(1_200, Input::Stream { stream, signal: StreamSignal::Dropped });
    let reopen = d.fire_timer(3_200).unwrap();
    assert_eq!(opened_with_check(&reopen), Some(false), "{reopen:?}");
    // Unused: it asks again.
    let (mut d, stream) = live();
    d.at(1_200, Input::Stream { stream, signal: StreamSignal::Dropped });
    let reopen = d.fire_timer(3_200).unwrap();
    assert_eq!(opened_with_check(&reopen), Some(true), "{reopen:?}");
}

#[test]
fn a_failed_or_expired_check_ends_like_a_poll_would() {
    use crate::api::FailureCode;
    let (mut d, stream) = live();
    let denied = Ok(OAuthStatus::Failed { code: FailureCode::PlatformDenied, message: None });
    d.at(900, Input::Stream { stream, signal: checked(denied) });
    assert!(matches!(d.phase(), Phase::Failed { .. }), "{:?}", d.phase().name());
    let (mut d, stream) = live();
    let expired = Ok(OAuthStatus::Failed { code: FailureCode::StateExpired, message: None });
    d.at(900, Input::Stream { stream, signal: checked(expired) });
    assert!(matches!(d.phase(), Phase::Expired { .. }));
    // A check for a stale stream (not the one held) is nobody's.
    let (mut d, stream) = live();
    d.at(1_200, Input::Stream { stream, signal: StreamSignal::Dropped });
    d.at(1_300, Input::Stream { stream, signal: checked(completed()) });
    assert!(matches!(d.phase(), Phase::Waiting(_)));
}
