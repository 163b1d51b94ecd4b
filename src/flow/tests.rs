//! Example traces for every rule, driven through `Flow::handle` as the shell would.

use super::driver::{mint_id, poll_id, Driver};
use super::*;
use crate::api::{
    ApiError, Connection, ErrorCode, FailureCode, KillSwitchScope, OAuthStatus, OAuthUrl, Platform,
    SocialAccount, SocialAccounts,
};

/// 19:02:11Z, ten minutes before the spec's `expiresAt` example.
const T0: Millis = 1_776_538_931_000;
const EXPIRES: &str = "2026-04-18T19:12:11Z";
const URL: &str = "https://www.tiktok.com/v2/auth/authorize?client_key=x&state=st_1";

/// The driver, its clock counting from [`T0`].
fn shell(mode: Mode) -> Driver {
    Driver::new(mode, T0)
}

fn oauth_url(state: &str, expires_at: &str) -> OAuthUrl {
    OAuthUrl {
        authorize_url: URL.into(),
        state: state.into(),
        expires_at: expires_at.into(),
    }
}

fn http(status: u16, code: Option<ErrorCode>, retry_after: Option<u32>) -> ApiError {
    ApiError::Http {
        status,
        code,
        message: None,
        request_id: None,
        retry_after,
        scope: None,
    }
}

fn completed() -> OAuthStatus {
    OAuthStatus::Completed(Connection {
        social_account_id: "sa_9c1e".into(),
        platform: Some("tiktok".into()),
        handle: Some("acmecoffee".into()),
        connected_at: Some("2026-04-18T19:06:42Z".into()),
    })
}

fn pending() -> Result<OAuthStatus, ApiError> {
    Ok(OAuthStatus::Pending)
}

/// Drives pending answers: fire the timer at each `SetTimer`, answer each poll
/// with `answer(n)` 100 ms later, until `until` ms.
fn run(s: &mut Driver, until: Millis, mut answer: impl FnMut(usize) -> Result<OAuthStatus, ApiError>) {
    let mut n = 0;
    while let Some(effects) = s.fire_timer(until) {
        if poll_id(&effects).is_some() {
            let sent = s.now - T0;
            s.answer(&effects, sent + 100, answer(n));
            n += 1;
        }
    }
}

#[test]
fn happy_path_with_early_confirmation_after_return() {
    let mut s = shell(Mode::Tab);
    let effects = s.at(
        0,
        Input::Start {
            platform: Platform::Tiktok,
        },
    );
    assert_eq!(
        effects[0],
        Effect::OpenBlankTab,
        "the tab opens first, inside the click"
    );
    assert!(matches!(
        effects[1],
        Effect::Mint {
            platform: Platform::Tiktok,
            ..
        }
    ));
    let mint = mint_id(&effects).unwrap();
    assert!(s.at(0, Input::TabOpened { blocked: false }).is_empty());

    let effects = s.at(
        400,
        Input::Minted {
            request: mint,
            result: Ok(oauth_url("st_1", EXPIRES)),
        },
    );
    let attempt = Attempt {
        state: "st_1".into(),
        platform: Platform::Tiktok,
        expires_at: T0 + 600_000,
    };
    assert_eq!(effects[0], Effect::Persist(attempt));
    assert_eq!(effects[1], Effect::NavigateTab { url: URL.into() });
    assert!(
        effects.contains(&Effect::SetTimer { at: T0 + 5_400 }),
        "first poll one floor after the mint"
    );
    assert!(poll_id(&effects).is_none());

    // An early timer does nothing but re-arm.
    assert_eq!(
        s.at(3_000, Input::Timer),
        vec![Effect::SetTimer { at: T0 + 5_400 }]
    );
    let poll = s.at(5_400, Input::Timer);
    assert_eq!(
        poll[0],
        Effect::Poll {
            request: poll_id(&poll).unwrap(),
            state: "st_1".into()
        }
    );
    s.answer(&poll, 5_450, pending());

    // Back from the consent page 100 ms after that poll: the confirmation
    // poll may go at 5.65 s (250 ms after the previous one) instead of 10.4 s.
    let effects = s.at(5_500, Input::Returned(ReturnSignal::Success));
    assert!(matches!(s.flow.phase(), Phase::Finishing(_)));
    assert!(effects.contains(&Effect::SetTimer { at: T0 + 5_650 }));
    assert!(poll_id(&s.at(5_600, Input::Timer)).is_none(), "not before the gap");
    let confirm = s.at(5_650, Input::Timer);
    assert!(poll_id(&confirm).is_some());
    let effects = s.answer(&confirm, 5_750, Ok(completed()));

    assert!(effects.contains(&Effect::ClearPersisted));
    assert!(effects.contains(&Effect::ClearTimer));
    let fetch = effects
        .iter()
        .find_map(|e| {
            if let Effect::FetchAccounts { request } = e {
                Some(*request)
            } else {
                None
            }
        })
        .expect("fetch the account once");
    let Phase::Connected(c) = s.flow.phase() else {
        panic!("{:?}", s.flow.phase())
    };
    assert!(c.is_loading_account() && c.account.is_none());
    assert_eq!(s.polls(), [5_400, 5_650]);
    assert_eq!(
        s.outcome_events(),
        [Event::Connected(ConnectedEvent {
            social_account_id: "sa_9c1e".into(),
            platform: Platform::Tiktok,
            handle: Some("acmecoffee".into()),
            connected_at: Some("2026-04-18T19:06:42Z".into()),
        })]
    );
    assert_eq!(
        s.phases(),
        [
            PhaseName::Starting,
            PhaseName::Waiting,
            PhaseName::Finishing,
            PhaseName::Connected
        ]
    );

    // The account list only enriches the phase.
    let account = |id: &str| SocialAccount {
        id: id.into(),
        platform: "tiktok".into(),
        handle: "acmecoffee".into(),
        display_name: Some("Acme Coffee".into()),
        avatar_url: Some("https://cdn.example/a.png".into()),
        status: None,
        token_expires_at: None,
        leased: None,
        connected_at: None,
    };
    let list = SocialAccounts {
        data: vec![account("sa_other"), account("sa_9c1e")],
    };
    assert!(s
        .at(
            7_000,
            Input::AccountsFetched {
                request: fetch,
                result: Ok(list)
            }
        )
        .is_empty());
    let Phase::Connected(c) = s.flow.phase() else {
        panic!()
    };
    assert_eq!(c.account.as_ref().map(|a| a.id.as_str()), Some("sa_9c1e"));
    assert!(!c.is_loading_account());
}

#[test]
fn account_fetch_failure_keeps_the_connection() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    let effects = s.answer(&poll, 5_100, Ok(completed()));
    let Some(Effect::FetchAccounts { request }) = effects
        .iter()
        .find(|e| matches!(e, Effect::FetchAccounts { .. }))
    else {
        panic!()
    };
    s.at(
        5_200,
        Input::AccountsFetched {
            request: *request,
            result: Err(ApiError::Network),
        },
    );
    let Phase::Connected(c) = s.flow.phase() else {
        panic!()
    };
    assert_eq!((c.account.as_ref(), c.is_loading_account()), (None, false));
    assert_eq!(c.connection.social_account_id, "sa_9c1e");
}

#[test]
fn retry_after_12_delays_the_next_poll_12_seconds() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    let effects = s.answer(
        &poll,
        5_200,
        Err(http(429, Some(ErrorCode::RateLimited), Some(12))),
    );
    assert!(effects.contains(&Effect::SetTimer { at: T0 + 17_200 }));
    assert!(
        poll_id(&s.at(10_000, Input::Timer)).is_none(),
        "the floor alone is not enough"
    );
    assert!(poll_id(&s.at(17_199, Input::VisibilityChanged { visible: true })).is_none());
    assert!(poll_id(&s.at(17_200, Input::Timer)).is_some());
}

#[test]
fn backoff_5_10_20_30_30_then_resets() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let limited = || Err(http(429, Some(ErrorCode::RateLimited), None));
    run(&mut s, 200_000, |n| {
        if n < 5 {
            limited()
        } else if n == 5 {
            pending()
        } else {
            limited()
        }
    });
    let polls = s.polls();
    // Each answer comes 100 ms after its poll; waits count from the answer.
    let gaps: Vec<_> = polls.windows(2).map(|w| w[1] - w[0] - 100).collect();
    assert_eq!(
        gaps[..7],
        [5_000, 10_000, 20_000, 30_000, 30_000, 4_900, 5_000]
    );
}

#[test]
fn server_errors_back_off_then_recover() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let errors = [
        http(500, Some(ErrorCode::Internal), None),
        ApiError::Network,
        ApiError::Timeout,
        http(502, None, None),
    ];
    run(&mut s, 120_000, |n| {
        errors.get(n).cloned().map_or_else(pending, Err)
    });
    let polls = s.polls();
    let gaps: Vec<_> = polls.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps[..6], [5_100, 10_100, 20_100, 30_100, 5_000, 5_000]);
    assert!(matches!(s.flow.phase(), Phase::Waiting(_)));
}

#[test]
fn the_phase_says_retrying_from_a_retryable_error_until_a_good_answer() {
    let retrying = |s: &Driver| matches!(s.flow.phase(), Phase::Waiting(p) if p.is_retrying());
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    assert!(!retrying(&s));
    s.answer(&poll, 5_100, Err(http(500, Some(ErrorCode::Internal), None)));
    assert!(retrying(&s));
    let poll = s.at(10_100, Input::Timer);
    assert!(retrying(&s), "still retrying while the retry is in flight");
    s.answer(&poll, 10_200, Ok(OAuthStatus::Pending));
    assert!(!retrying(&s));
}

#[test]
fn reset_cancels_an_attempt_under_way_then_shows_the_buttons() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let effects = s.at(1_000, Input::Reset);
    let statuses: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Emit(Event::Status(st)) => Some(st.phase),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [PhaseName::Cancelled, PhaseName::Idle]);
    assert!(effects.contains(&Effect::CloseTab) && effects.contains(&Effect::ClearPersisted));
    assert!(effects.contains(&Effect::ClearTimer), "no poll after a reset");
    assert_eq!(*s.flow.phase(), Phase::Idle);
    // From idle, a reset changes nothing and announces nothing.
    assert!(s.at(2_000, Input::Reset).is_empty());
    // Offline state survives a reset (the browser did not come back online).
    s.at(3_000, Input::Connectivity { online: false });
    s.at(3_100, Input::Reset);
    assert!(!s.flow.is_online());
}

#[test]
fn client_errors_stop_the_attempt_for_the_integrator() {
    for (status, code) in [
        (400, ErrorCode::Validation),
        (401, ErrorCode::Unauthenticated),
        (403, ErrorCode::ForbiddenScope),
        (404, ErrorCode::NotFound),
    ] {
        let mut s = shell(Mode::Tab);
        s.connect(0, false, oauth_url("st_1", EXPIRES));
        let poll = s.at(5_000, Input::Timer);
        let error = http(status, Some(code.clone()), None);
        let effects = s.answer(&poll, 5_100, Err(error.clone()));
        assert!(effects.contains(&Effect::ClearPersisted) && effects.contains(&Effect::ClearTimer));
        assert_eq!(
            *s.flow.phase(),
            Phase::Failed {
                platform: Platform::Tiktok,
                failure: Failure::Rejected(error.clone())
            }
        );
        let [Event::Failed(f)] = &s.outcome_events()[..] else {
            panic!()
        };
        assert_eq!(f.code, code.as_str());
        assert!(f.message.contains(&status.to_string()), "{}", f.message);
        assert!(poll_id(&s.at(60_000, Input::Timer)).is_none());
    }
}

#[test]
fn kill_switch_stops_as_unavailable_with_its_scope() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    let error = ApiError::Http {
        status: 503,
        code: Some(ErrorCode::KillSwitch),
        message: Some("disabled".into()),
        request_id: Some("req_1".into()),
        retry_after: None,
        scope: Some(KillSwitchScope::Organization),
    };
    s.answer(&poll, 5_100, Err(error));
    assert_eq!(
        *s.flow.phase(),
        Phase::Unavailable {
            platform: Platform::Tiktok,
            scope: KillSwitchScope::Organization
        }
    );
    let [Event::Failed(f)] = &s.outcome_events()[..] else {
        panic!()
    };
    assert_eq!(f.code, "KILL_SWITCH");
    assert!(f.message.contains("organization"));
    let status = s
        .events()
        .into_iter()
        .rev()
        .find_map(|e| {
            if let Event::Status(s) = e {
                Some(s)
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (status.phase, status.code.as_deref()),
        (PhaseName::Unavailable, Some("KILL_SWITCH"))
    );
}

#[test]
fn nothing_is_polled_at_or_after_expires_at() {
    let mut s = shell(Mode::Tab);
    // Twelve seconds of life: polls at 5 s and, as the last call, 11 s (not
    // 10 s: rule 5); the next would be 16 s.
    s.connect(0, false, oauth_url("st_1", "2026-04-18T19:02:23Z"));
    run(&mut s, 700_000, |_| pending());
    assert_eq!(s.polls(), [5_000, 11_000]);
    assert_eq!(
        *s.flow.phase(),
        Phase::Expired {
            platform: Platform::Tiktok
        }
    );
    assert_eq!(s.phases().last(), Some(&PhaseName::Expired));
    assert!(
        s.outcome_events().is_empty(),
        "expiry is a status, not a failure"
    );
    assert!(s
        .log()
        .iter()
        .any(|(t, e)| *t == T0 + 12_000 && *e == Effect::ClearPersisted));

    // A poll due exactly at the deadline is not sent either.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", "2026-04-18T19:02:21Z")); // deadline at 10 s
    // (the poll due at 5 s is the last one, so it goes at the last call, 9 s)
    assert!(poll_id(&s.at(5_000, Input::Timer)).is_none());
    let poll = s.at(9_000, Input::Timer);
    s.answer(&poll, 9_000, pending());
    assert!(poll_id(&s.at(10_000, Input::Timer)).is_none());
    assert!(matches!(s.flow.phase(), Phase::Expired { .. }));
}

#[test]
fn consent_in_the_last_seconds_still_connects() {
    // Issue 13: the customer consents 3 s before `expiresAt`. The last poll
    // goes 1 s before it (not 5 s), so the widget sees completed, not expired.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let mut connected = false;
    while let Some(effects) = s.fire_timer(600_000) {
        if poll_id(&effects).is_some() {
            let sent = s.now - T0;
            let status = if sent >= 597_000 { Ok(completed()) } else { pending() };
            connected |= status.is_ok() && sent >= 597_000;
            s.answer(&effects, sent + 100, status);
        }
    }
    let polls = s.polls();
    assert!(connected, "polls: {:?}", &polls[polls.len() - 3..]);
    assert!(matches!(s.flow.phase(), Phase::Connected(_)), "{:?}", s.flow.phase().name());
    assert_eq!(*s.polls().last().unwrap(), 599_000);
    assert!(s.polls().windows(2).all(|w| w[1] - w[0] >= 5_000));
}

#[test]
fn an_answer_in_flight_at_the_deadline_still_counts() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", "2026-04-18T19:02:21Z")); // deadline at 10 s
    let poll = s.at(9_000, Input::Timer);
    assert!(
        s.at(10_000, Input::Timer).is_empty(),
        "wait for the answer on its way"
    );
    assert!(matches!(s.flow.phase(), Phase::Waiting(_)));
    s.answer(&poll, 10_500, Ok(completed()));
    assert!(matches!(s.flow.phase(), Phase::Connected(_)));

    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", "2026-04-18T19:02:21Z"));
    let poll = s.at(9_000, Input::Timer);
    s.answer(&poll, 10_500, Err(ApiError::Network));
    assert!(
        matches!(s.flow.phase(), Phase::Expired { .. }),
        "no retry after the deadline"
    );
}

#[test]
fn try_again_after_expiry_mints_a_new_state() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", "2026-04-18T19:02:21Z"));
    s.at(10_000, Input::Timer);
    assert!(matches!(s.flow.phase(), Phase::Expired { .. }));
    let effects = s.at(20_000, Input::Retry);
    assert_eq!(effects[0], Effect::OpenBlankTab);
    let mint = mint_id(&effects).unwrap();
    s.at(20_000, Input::TabOpened { blocked: false });
    s.at(
        20_100,
        Input::Minted {
            request: mint,
            result: Ok(oauth_url("st_2", "")),
        },
    );
    let poll = s.at(25_100, Input::Timer);
    assert_eq!(
        poll[0],
        Effect::Poll {
            request: poll_id(&poll).unwrap(),
            state: "st_2".into()
        }
    );
    assert_eq!(
        s.flow.phase().attempt().unwrap().expires_at,
        T0 + 20_100 + 600_000,
        "missing expiresAt: 10 min"
    );
}

#[test]
fn retry_is_offered_after_every_ending_but_success() {
    let mut s = shell(Mode::Tab);
    assert!(s.at(0, Input::Retry).is_empty(), "nothing to retry yet");
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    assert!(
        mint_id(&s.at(1_000, Input::Retry)).is_none(),
        "not while active"
    );
    s.at(1_000, Input::Cancel);
    assert!(mint_id(&s.at(2_000, Input::Retry)).is_some());
}

#[test]
fn cancel_stops_polling_and_closes_the_tab() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    let effects = s.at(6_000, Input::Cancel);
    assert_eq!(effects[..2], [Effect::CloseTab, Effect::ClearPersisted]);
    assert!(effects.contains(&Effect::ClearTimer));
    assert_eq!(
        *s.flow.phase(),
        Phase::Cancelled {
            platform: Platform::Tiktok
        }
    );
    // The answer in flight, later timers and returns change nothing.
    assert!(s.answer(&poll, 6_100, Ok(completed())).is_empty());
    assert!(s.at(60_000, Input::Timer).is_empty());
    assert!(s
        .at(61_000, Input::Returned(ReturnSignal::Success))
        .is_empty());
    assert!(s.at(62_000, Input::Cancel).is_empty());
    assert!(s.outcome_events().is_empty());
    assert_eq!(s.polls(), [5_000]);
}

#[test]
fn stale_answers_are_ignored() {
    let mut s = shell(Mode::Tab);
    // A mint answered after cancel.
    let mint1 = mint_id(&s.at(
        0,
        Input::Start {
            platform: Platform::Tiktok,
        },
    ))
    .unwrap();
    s.at(100, Input::Cancel);
    assert!(s
        .at(
            200,
            Input::Minted {
                request: mint1,
                result: Ok(oauth_url("st_1", EXPIRES))
            }
        )
        .is_empty());
    assert!(matches!(s.flow.phase(), Phase::Cancelled { .. }));

    // A poll of attempt 2 answered during attempt 3.
    s.connect(1_000, false, oauth_url("st_2", EXPIRES));
    let old_poll = s.at(6_000, Input::Timer);
    s.at(6_500, Input::Cancel);
    s.connect(7_000, false, oauth_url("st_3", EXPIRES));
    assert!(s.answer(&old_poll, 7_500, Ok(completed())).is_empty());
    assert!(matches!(s.flow.phase(), Phase::Waiting(p) if p.attempt.state == "st_3"));
    // And a duplicate answer to the current poll is ignored too.
    let poll = s.at(12_000, Input::Timer);
    s.answer(&poll, 12_100, pending());
    assert!(s.answer(&poll, 12_200, Ok(completed())).is_empty());
    assert!(matches!(s.flow.phase(), Phase::Waiting(_)));
    // An account list for nobody.
    assert!(s
        .at(
            13_000,
            Input::AccountsFetched {
                request: mint1,
                result: Ok(SocialAccounts::default())
            }
        )
        .is_empty());
}

#[test]
fn an_error_return_is_only_a_hint_that_a_poll_confirms() {
    // Issue 13: any site can open the return page with
    // `?layers_oauth_error=<any text>`. The signal ends nothing by itself: it
    // allows the early confirmation poll, and the status answer is the outcome.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let effects = s.at(
        3_000,
        Input::Returned(ReturnSignal::from_error_param(Some("platform_denied"))),
    );
    assert!(!effects.contains(&Effect::ClearPersisted));
    assert!(matches!(s.flow.phase(), Phase::Finishing(_)));
    assert!(s.outcome_events().is_empty());
    // No poll yet (the mint is not a poll): the confirmation goes at once.
    let confirm = poll_id(&effects).map(|_| effects.clone()).expect("an early confirmation poll");
    let denied = OAuthStatus::Failed {
        code: FailureCode::PlatformDenied,
        message: Some("The user did not grant consent on the platform.".into()),
    };
    s.answer(&confirm, 3_100, Ok(denied));
    assert!(matches!(
        s.flow.phase(),
        Phase::Failed { failure: Failure::OAuth { code: FailureCode::PlatformDenied, .. }, .. }
    ));
    let [Event::Failed(f)] = &s.outcome_events()[..] else {
        panic!()
    };
    assert_eq!(
        (f.code.as_str(), f.platform),
        ("platform_denied", Platform::Tiktok)
    );

    // A forged error on a pending attempt: polling just goes on, and the
    // forged words are never shown or reported.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let effects = s.at(
        3_000,
        Input::Returned(ReturnSignal::from_error_param(Some("Your account is banned, call +1 555"))),
    );
    s.answer(&effects, 3_100, pending());
    assert!(matches!(s.flow.phase(), Phase::Finishing(_)));
    assert!(s.outcome_events().is_empty());
    // A second forged return does not buy a second early poll.
    assert!(poll_id(&s.at(3_200, Input::Returned(ReturnSignal::from_error_param(Some("access_denied"))))).is_none());
    assert!(poll_id(&s.at(3_450, Input::Timer)).is_none(), "one early poll only");
    run(&mut s, 30_000, |_| pending());
    assert!(matches!(s.flow.phase(), Phase::Finishing(_)));
    assert!(s.polls().windows(2).all(|w| w[1] - w[0] >= 5_000), "{:?}", s.polls());

    // Unknown codes of the documented shape keep their value; any other text
    // becomes the generic `unknown`.
    assert_eq!(
        ReturnSignal::from_error_param(Some("quantum_flux")),
        ReturnSignal::Error(FailureCode::Other("quantum_flux".into()))
    );
    for forged in ["<b>Call us</b>", "Platform_Denied", "denied 2", &"a".repeat(65)] {
        assert_eq!(
            ReturnSignal::from_error_param(Some(forged)),
            ReturnSignal::Error(FailureCode::Other("unknown".into())),
            "{forged}"
        );
    }
    assert_eq!(
        ReturnSignal::from_error_param(Some("  ")),
        ReturnSignal::Success
    );
}

#[test]
fn a_status_failure_code_of_another_shape_is_never_echoed() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    // What the decoder makes of `{"code":"<img src=x onerror=alert(1)>"}`
    // (tested in `api::wire`).
    let status = OAuthStatus::Failed { code: FailureCode::from_wire("<img src=x onerror=alert(1)>"), message: None };
    s.answer(&poll, 5_100, Ok(status));
    let [Event::Failed(f)] = &s.outcome_events()[..] else {
        panic!()
    };
    assert_eq!(f.code, "unknown");
}

#[test]
fn a_polled_failure_keeps_its_code_and_message() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    let failed = OAuthStatus::Failed {
        code: FailureCode::ExchangeFailed,
        message: Some("upstream 502".into()),
    };
    s.answer(&poll, 5_100, Ok(failed));
    let [Event::Failed(f)] = &s.outcome_events()[..] else {
        panic!()
    };
    assert_eq!(
        (f.code.as_str(), f.message.as_str()),
        ("exchange_failed", "upstream 502")
    );
    let status = s.events().into_iter().rev().find_map(|e| {
        if let Event::Status(s) = e {
            Some(s)
        } else {
            None
        }
    });
    assert_eq!(status.unwrap().code.as_deref(), Some("exchange_failed"));
}

#[test]
fn a_blocked_tab_exposes_the_link_and_polling_continues() {
    let mut s = shell(Mode::Tab);
    let effects = s.connect(0, true, oauth_url("st_1", EXPIRES));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::NavigateTab { .. })));
    let Phase::Waiting(p) = s.flow.phase() else {
        panic!()
    };
    assert_eq!((p.tab, p.blocked_link()), (TabState::Blocked, Some(URL)));
    assert!(poll_id(&s.at(5_000, Input::Timer)).is_some());
}

#[test]
fn a_tab_report_after_the_mint_still_navigates() {
    let mut s = shell(Mode::Tab);
    let mint = mint_id(&s.at(
        0,
        Input::Start {
            platform: Platform::Instagram,
        },
    ))
    .unwrap();
    let effects = s.at(
        100,
        Input::Minted {
            request: mint,
            result: Ok(oauth_url("st_1", EXPIRES)),
        },
    );
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::NavigateTab { .. })));
    assert_eq!(
        s.at(150, Input::TabOpened { blocked: false }),
        [Effect::NavigateTab { url: URL.into() }]
    );
    assert!(s.at(200, Input::TabOpened { blocked: false }).is_empty());
}

#[test]
fn a_failed_mint_closes_the_blank_tab() {
    let mut s = shell(Mode::Tab);
    let mint = mint_id(&s.at(
        0,
        Input::Start {
            platform: Platform::Tiktok,
        },
    ))
    .unwrap();
    s.at(0, Input::TabOpened { blocked: false });
    let error = http(403, Some(ErrorCode::ReturnUrlNotAllowed), None);
    let effects = s.at(
        300,
        Input::Minted {
            request: mint,
            result: Err(error.clone()),
        },
    );
    assert_eq!(effects[0], Effect::CloseTab);
    assert_eq!(
        *s.flow.phase(),
        Phase::FailedToStart {
            platform: Platform::Tiktok,
            error
        }
    );
    let [Event::Failed(f)] = &s.outcome_events()[..] else {
        panic!()
    };
    assert_eq!(f.code, "RETURN_URL_NOT_ALLOWED");
    assert!(f.message.contains("allowlist"), "{}", f.message);
    assert!(s.at(10_000, Input::Timer).is_empty());
    assert!(mint_id(&s.at(20_000, Input::Retry)).is_some());
}

#[test]
fn every_mint_error_fails_to_start() {
    let errors = [
        http(400, Some(ErrorCode::Validation), None),
        http(401, Some(ErrorCode::Unauthenticated), None),
        http(403, Some(ErrorCode::ForbiddenScope), None),
        http(404, Some(ErrorCode::NotFound), None),
        http(429, Some(ErrorCode::RateLimited), Some(30)),
        http(503, Some(ErrorCode::KillSwitch), None),
        http(502, None, None),
        http(504, None, None),
        http(403, Some(ErrorCode::Other("CSRF".into())), None),
        http(413, None, None),
        ApiError::Network,
        ApiError::Timeout,
        ApiError::Malformed { status: 200 },
    ];
    for error in errors {
        let mut s = shell(Mode::Redirect);
        let mint = mint_id(&s.at(
            0,
            Input::Start {
                platform: Platform::Tiktok,
            },
        ))
        .unwrap();
        let effects = s.at(
            300,
            Input::Minted {
                request: mint,
                result: Err(error.clone()),
            },
        );
        assert!(
            !effects.contains(&Effect::CloseTab),
            "no tab in redirect mode"
        );
        assert_eq!(
            *s.flow.phase(),
            Phase::FailedToStart {
                platform: Platform::Tiktok,
                error: error.clone()
            }
        );
        assert_eq!(s.outcome_events().len(), 1);
    }
}

#[test]
fn an_authorize_url_that_is_not_http_never_becomes_a_link() {
    let mut s = shell(Mode::Tab);
    let mint = mint_id(&s.at(
        0,
        Input::Start {
            platform: Platform::Tiktok,
        },
    ))
    .unwrap();
    s.at(0, Input::TabOpened { blocked: true });
    let evil = OAuthUrl {
        authorize_url: "javascript:alert(1)".into(),
        state: "st_1".into(),
        expires_at: EXPIRES.into(),
    };
    s.at(
        100,
        Input::Minted {
            request: mint,
            result: Ok(evil),
        },
    );
    assert!(matches!(
        s.flow.phase(),
        Phase::FailedToStart {
            error: ApiError::Malformed { status: 200 },
            ..
        }
    ));
}

#[test]
fn redirect_mode_persists_and_leaves_then_resumes_on_return() {
    let mut s = shell(Mode::Redirect);
    let effects = s.at(
        0,
        Input::Start {
            platform: Platform::Instagram,
        },
    );
    assert!(!effects.contains(&Effect::OpenBlankTab));
    let mint = mint_id(&effects).unwrap();
    let effects = s.at(
        200,
        Input::Minted {
            request: mint,
            result: Ok(oauth_url("st_1", EXPIRES)),
        },
    );
    let attempt = Attempt {
        state: "st_1".into(),
        platform: Platform::Instagram,
        expires_at: T0 + 600_000,
    };
    assert_eq!(
        effects[..2],
        [
            Effect::Persist(attempt.clone()),
            Effect::RedirectPage { url: URL.into() }
        ]
    );
    assert!(matches!(s.flow.phase(), Phase::Redirecting { .. }));
    assert!(
        poll_id(&s.at(60_000, Input::Timer)).is_none(),
        "the page is leaving: no polls"
    );

    // The return page: a new flow resumes the persisted attempt and confirms at once.
    let mut back = shell(Mode::Redirect);
    let effects = back.at(
        90_000,
        Input::Resume {
            attempt,
            returned: Some(ReturnSignal::Success),
        },
    );
    assert!(matches!(back.flow.phase(), Phase::Finishing(_)));
    assert_eq!(
        effects[1],
        Effect::Poll {
            request: poll_id(&effects).unwrap(),
            state: "st_1".into()
        }
    );
    back.answer(&effects, 90_300, Ok(completed()));
    assert!(matches!(back.flow.phase(), Phase::Connected(c) if c.platform == Platform::Instagram));
    assert_eq!(back.outcome_events().len(), 1);
}

#[test]
fn resume_honours_expiry_and_errors() {
    let attempt = Attempt {
        state: "st_1".into(),
        platform: Platform::Tiktok,
        expires_at: T0 + 600_000,
    };

    let mut s = shell(Mode::Tab);
    let effects = s.at(
        600_000,
        Input::Resume {
            attempt: attempt.clone(),
            returned: None,
        },
    );
    assert!(effects.contains(&Effect::ClearPersisted));
    assert_eq!(
        *s.flow.phase(),
        Phase::Expired {
            platform: Platform::Tiktok
        }
    );
    assert!(s.polls().is_empty());

    let mut s = shell(Mode::Tab);
    let effects = s.at(
        60_000,
        Input::Resume {
            attempt: attempt.clone(),
            returned: None,
        },
    );
    assert!(
        matches!(s.flow.phase(), Phase::Waiting(p) if p.tab == TabState::None && p.blocked_link().is_none())
    );
    assert!(poll_id(&effects).is_some(), "a reload polls at once");
    assert!(poll_id(&s.at(61_000, Input::Timer)).is_none());

    // Redirect mode back with an error: finishing, and a poll confirms at once.
    let mut s = shell(Mode::Redirect);
    let returned = Some(ReturnSignal::Error(FailureCode::MissingCode));
    let effects = s.at(
        60_000,
        Input::Resume {
            attempt: attempt.clone(),
            returned,
        },
    );
    assert!(matches!(s.flow.phase(), Phase::Finishing(_)));
    let missing = OAuthStatus::Failed { code: FailureCode::MissingCode, message: None };
    s.answer(&effects, 60_100, Ok(missing));
    assert!(matches!(
        s.flow.phase(),
        Phase::Failed {
            failure: Failure::OAuth {
                code: FailureCode::MissingCode,
                ..
            },
            ..
        }
    ));
    assert_eq!(s.polls(), [60_000]);

    // An empty state, or a resume while another attempt runs, is ignored.
    let mut s = shell(Mode::Tab);
    let blank = Attempt {
        state: String::new(),
        ..attempt.clone()
    };
    assert!(s
        .at(
            0,
            Input::Resume {
                attempt: blank,
                returned: None
            }
        )
        .is_empty());
    s.connect(0, false, oauth_url("st_2", EXPIRES));
    assert!(s
        .at(
            1_000,
            Input::Resume {
                attempt,
                returned: None
            }
        )
        .is_empty());
}

#[test]
fn offline_pauses_and_online_resumes() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    s.at(1_000, Input::Connectivity { online: false });
    assert!(!s.flow.is_online());
    assert!(poll_id(&s.at(5_000, Input::Timer)).is_none());
    assert!(poll_id(&s.at(30_000, Input::VisibilityChanged { visible: true })).is_none());
    let poll = s.at(31_000, Input::Connectivity { online: true });
    assert!(poll_id(&poll).is_some());

    // A network error's wait ends when the browser is back online…
    s.answer(&poll, 36_100, Err(ApiError::Network));
    s.at(36_200, Input::Connectivity { online: false });
    assert!(
        poll_id(&s.at(39_000, Input::Connectivity { online: true })).is_some(),
        "before the 41.1 s backoff"
    );
    // …but a 429's wait does not.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    s.answer(&poll, 5_100, Err(http(429, None, Some(20))));
    s.at(6_000, Input::Connectivity { online: false });
    assert!(poll_id(&s.at(11_000, Input::Connectivity { online: true })).is_none());
    assert!(poll_id(&s.at(25_100, Input::Timer)).is_some());
}

#[test]
fn visible_again_polls_as_soon_as_the_rules_allow() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    // The hidden tab's timers were throttled: nothing fired for 40 s.
    let effects = s.at(40_000, Input::VisibilityChanged { visible: true });
    assert!(poll_id(&effects).is_some());
    // Becoming visible again 2 s later does not break the floor.
    s.answer(&effects, 40_100, pending());
    assert!(poll_id(&s.at(42_000, Input::VisibilityChanged { visible: true })).is_none());
    assert!(poll_id(&s.at(45_000, Input::VisibilityChanged { visible: true })).is_some());
}

#[test]
fn a_clock_stepping_back_only_delays() {
    let mut s = shell(Mode::Tab);
    s.connect(10_000, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(15_000, Input::Timer);
    s.answer(&poll, 15_100, pending());
    assert!(poll_id(&s.at(2_000, Input::Timer)).is_none());
    assert!(poll_id(&s.at(19_999, Input::Timer)).is_none());
    assert!(poll_id(&s.at(20_000, Input::Timer)).is_some());
    // Time zero and the far future do not panic.
    let mut f = Driver::new(Mode::Tab, 0);
    f.at(0, Input::Start { platform: Platform::Tiktok });
    f.at(u64::MAX, Input::Timer);
}

#[test]
fn the_confirmation_poll_honours_a_429_wait() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    s.answer(&poll, 5_100, Err(http(429, None, Some(10))));
    s.at(6_000, Input::Returned(ReturnSignal::Success));
    assert!(poll_id(&s.at(15_099, Input::Timer)).is_none());
    assert!(poll_id(&s.at(15_100, Input::Timer)).is_some());
}

#[test]
fn a_return_while_a_poll_is_in_flight_confirms_after_its_answer() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let poll = s.at(5_000, Input::Timer);
    assert!(poll_id(&s.at(5_500, Input::Returned(ReturnSignal::Success))).is_none());
    let effects = s.answer(&poll, 6_200, pending());
    assert!(
        poll_id(&effects).is_some(),
        "more than 250 ms after the previous poll: at once"
    );
    // Only one early poll per attempt, even if the customer returns twice.
    let effects = s.answer(&effects, 6_300, pending());
    s.at(6_400, Input::Returned(ReturnSignal::Success));
    assert!(effects.contains(&Effect::SetTimer { at: T0 + 11_200 }));
    assert_eq!(s.polls(), [5_000, 6_200]);
}

#[test]
fn unrecognized_statuses_keep_polling() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    run(&mut s, 30_000, |_| {
        Ok(OAuthStatus::Unrecognized("queued".into()))
    });
    assert_eq!(s.polls(), [5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    assert!(matches!(s.flow.phase(), Phase::Waiting(_)));
}

#[test]
fn status_events_name_every_phase_change() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let statuses: Vec<_> = s
        .events()
        .into_iter()
        .filter_map(|e| {
            if let Event::Status(s) = e {
                Some(s)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        statuses,
        [
            StatusEvent {
                phase: PhaseName::Starting,
                platform: Some(Platform::Tiktok),
                expires_at: None,
                code: None,
                in_app_browser: None
            },
            StatusEvent {
                phase: PhaseName::Waiting,
                platform: Some(Platform::Tiktok),
                expires_at: Some(EXPIRES.into()),
                code: None,
                in_app_browser: None
            },
        ]
    );
    assert_eq!(Event::Status(statuses[0].clone()).name(), "layers-status");
    let json = serde_json::to_string(&statuses[1]).unwrap();
    assert_eq!(
        json,
        r#"{"phase":"waiting","platform":"tiktok","expiresAt":"2026-04-18T19:12:11Z","code":null}"#
    );
    assert_eq!(PhaseName::FailedToStart.as_str(), "failed_to_start");
}

#[test]
fn attempt_persists_as_json() {
    let attempt = Attempt {
        state: "st_1".into(),
        platform: Platform::Tiktok,
        expires_at: 1_776_539_531_000,
    };
    let json = serde_json::to_string(&attempt).unwrap();
    assert_eq!(
        json,
        r#"{"state":"st_1","platform":"tiktok","expiresAt":1776539531000}"#
    );
    assert_eq!(crate::json::parse::<Attempt>(&json), Ok(attempt));
    // What another version, or another script, left in sessionStorage is not an attempt.
    for other in [
        r#"{"state":"st_1","platform":"youtube","expiresAt":1}"#,
        r#"{"state":"st_1","platform":"tiktok","expiresAt":"soon"}"#,
        r#"{"state":"st_1","platform":"tiktok"}"#,
        r#"{"platform":"tiktok","expiresAt":1}"#,
    ] {
        assert!(crate::json::parse::<Attempt>(other).is_err(), "{other}");
    }
}

#[test]
fn start_is_ignored_while_an_attempt_runs() {
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    assert!(s
        .at(
            100,
            Input::Start {
                platform: Platform::Instagram
            }
        )
        .is_empty());
    // After success, connecting another account is a fresh start.
    let poll = s.at(5_000, Input::Timer);
    s.answer(&poll, 5_100, Ok(completed()));
    assert!(
        s.at(6_000, Input::Retry).is_empty(),
        "no retry after success"
    );
    assert!(mint_id(&s.at(
        6_000,
        Input::Start {
            platform: Platform::Instagram
        }
    ))
    .is_some());
}

#[test]
fn layers_saying_state_expired_ends_as_expired_not_failed() {
    // The last call goes 1 s before the deadline; on a slow hop it lands just
    // past it, and Layers answers `failed`/`state_expired`. The customer must
    // see the same "link expired, try again" as at our own deadline.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    let effects = s.at(5_000, Input::Timer);
    let expired = OAuthStatus::Failed { code: FailureCode::StateExpired, message: None };
    s.answer(&effects, 5_100, Ok(expired));
    assert!(matches!(s.flow.phase(), Phase::Expired { .. }), "{:?}", s.flow.phase());
    assert!(s.outcome_events().iter().all(|e| !matches!(e, Event::Failed(_))));
}

// In-app browsers (issue 11): a resting phase in place of the buttons.

fn instagram_ios() -> Input {
    use crate::in_app::{App, InAppBrowser, Os};
    Input::InAppBrowser {
        browser: InAppBrowser { app: App::Instagram, os: Os::Ios },
        page_url: "https://partner.example/connect".into(),
    }
}

#[test]
fn an_in_app_browser_at_mount_offers_the_handoff_and_tells_the_host_page() {
    let mut s = shell(Mode::Tab);
    let effects = s.at(0, instagram_ios());
    assert!(matches!(s.phase(), Phase::InAppBrowser { page_url, .. } if page_url == "https://partner.example/connect"));
    // Only the status event: no tab, no request, no timer, nothing persisted.
    let [Effect::Emit(Event::Status(status))] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!((status.phase, status.platform, &status.code), (PhaseName::InAppBrowser, None, &None));
    assert_eq!(
        serde_json::to_string(status).unwrap(),
        r#"{"phase":"in_app_browser","platform":null,"expiresAt":null,"code":null,"inAppBrowser":{"app":"instagram","os":"ios"}}"#
    );
    assert_eq!(PhaseName::InAppBrowser.as_str(), "in_app_browser");
    let phase = s.phase();
    assert!(!phase.is_active() && !phase.is_ended() && phase.platform().is_none());
}

#[test]
fn try_here_anyway_is_a_reset_to_the_buttons_and_connecting_still_works() {
    let mut s = shell(Mode::Tab);
    s.at(0, instagram_ios());
    let effects = s.at(0, Input::Reset);
    assert_eq!(s.phase(), &Phase::Idle);
    assert!(matches!(effects.as_slice(), [Effect::Emit(Event::Status(StatusEvent { phase: PhaseName::Idle, in_app_browser: None, .. }))]));
    // A retry has nothing to retry; a start from the handoff starts.
    let mut s = shell(Mode::Tab);
    s.at(0, instagram_ios());
    assert!(s.at(0, Input::Retry).is_empty());
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    assert!(matches!(s.phase(), Phase::Waiting(_)));
}

#[test]
fn the_handoff_never_replaces_an_attempt() {
    // Under way: the detection is ignored.
    let mut s = shell(Mode::Tab);
    s.connect(0, false, oauth_url("st_1", EXPIRES));
    assert!(s.at(0, instagram_ios()).is_empty());
    assert!(matches!(s.phase(), Phase::Waiting(_)));
    // Ended: the ending stays on screen.
    s.at(1, Input::Cancel);
    assert!(s.at(2, instagram_ios()).is_empty());
    assert!(matches!(s.phase(), Phase::Cancelled { .. }));
    // Resumed after the handoff was shown (redirect mode came back here):
    // the attempt carries on.
    let mut s = shell(Mode::Redirect);
    s.at(0, instagram_ios());
    let attempt = Attempt { state: "st_9".into(), platform: Platform::Instagram, expires_at: T0 + 600_000 };
    s.at(0, Input::Resume { attempt, returned: Some(ReturnSignal::Success) });
    assert!(matches!(s.phase(), Phase::Finishing(_)));
}
