//! The component's slow rules in headless Chromium: a kill switch stops
//! polling for good, and unmounting stops every timer, request and listener.
//! Each test waits past the 5 s poll floor to show that nothing more happens,
//! so they live apart from `component_browser.rs` (each test binary gets
//! wasm-bindgen-test-runner's default 20 s).
#![cfg(target_arch = "wasm32")]

#[path = "support/fake_proxy_browser.rs"]
mod support;

use layers_connect::flow::PhaseName;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_kill_switch_ends_the_attempt_as_unavailable_and_polling_stops() {
    let pid = "p-kill";
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Status => error(503, "KILL_SWITCH", Some("organization")),
        _ => pending(),
    });
    // A resumed attempt polls at once, so the kill switch answers right away.
    store_attempt(pid, "st_kill", now() + 600_000.0);
    let w = mount_one(Props::new(pid));

    until("the unavailable phase", 2_000, || {
        w.phase() == "unavailable"
    })
    .await;
    let text = "Connecting accounts is unavailable right now (organization).";
    assert_eq!(w.text("[part~=error]"), text);
    assert_eq!(w.live_region(), text);
    let failed = w.events.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].code, "KILL_SWITCH");
    assert_eq!(w.events.phases().last(), Some(&PhaseName::Unavailable));
    assert_eq!(stored(pid), None);

    // A 503 that is not a kill switch would be retried after 5 s; this one is not.
    sleep(5_600).await;
    assert_eq!(
        env.requests_to(Route::Status).len(),
        1,
        "no poll after the kill switch"
    );
    assert_eq!(env.requests().len(), 1);
    assert_eq!(w.phase(), "unavailable");
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn unmounting_aborts_requests_and_stops_timers_and_listeners() {
    // Two widgets under one mount: "armed" waits for its first poll (timer
    // armed, 5 s after the mint); "busy" has a poll in flight that never answers.
    let (armed, busy) = ("p-clean-armed", "p-clean-busy");
    clear_stored(armed);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => minted("st_armed", 600_000.0),
        Route::Status => Reply::Hang,
        _ => pending(),
    });
    store_attempt(busy, "st_busy", now() + 600_000.0);
    let mut w = mount(vec![Props::new(armed), Props::new(busy)]);

    until("the busy widget's poll", 1_000, || {
        env.requests_to(Route::Status).len() == 1
    })
    .await;
    let in_flight = env.requests_to(Route::Status)[0].clone();
    assert!(in_flight.url.ends_with("/st_busy"));
    assert!(!in_flight.aborted(), "still in flight");

    click_in(&w.root_of(armed), "Connect TikTok");
    until("the armed widget waits", 2_000, || {
        w.root_of(armed).get_attribute("data-phase").as_deref() == Some("waiting")
    })
    .await;
    assert_eq!(
        w.root_of(busy).get_attribute("data-phase").as_deref(),
        Some("waiting")
    );
    let sent = env.requests().len();
    assert_eq!(sent, 2, "the busy poll and the armed widget's mint");
    let events = w.events.status.lock().unwrap().len();

    w.unmount();

    assert!(
        in_flight.aborted(),
        "unmounting aborts the request in flight"
    );
    assert_eq!(
        w.container.inner_html(),
        "",
        "the DOM is empty after unmount"
    );

    // Past the armed widget's first poll (5 s after its mint) and the busy
    // one's retry of an aborted poll (5 s backoff).
    sleep(6_000).await;
    assert_eq!(
        env.requests().len(),
        sent,
        "no request after unmount: {:?}",
        &env.requests()[sent..]
    );

    // The customer comes back after the widget went away: a live widget would
    // show "Finishing…" and confirm at once; this one does nothing.
    post_return(None);
    sleep(1_500).await;
    post_return(Some("platform_denied"));
    sleep(200).await;
    assert_eq!(
        env.requests().len(),
        sent,
        "no request after unmount: {:?}",
        &env.requests()[sent..]
    );
    assert_eq!(
        w.events.status.lock().unwrap().len(),
        events,
        "no callback after unmount"
    );
    assert!(w.events.connected().is_empty() && w.events.failed().is_empty());
    assert_eq!(w.container.inner_html(), "");
    assert!(
        env.uncaught().is_empty(),
        "nothing thrown after unmount: {:?}",
        env.uncaught()
    );
    drop(w);
    clear_stored(armed);
    clear_stored(busy);
}

/// Puts `?layers_oauth_error=…` in the address bar, as Layers' redirect does.
fn set_error_param(code: Option<&str>) {
    let href = window().location().href().unwrap();
    let url = web_sys::Url::new(&href).unwrap();
    match code {
        Some(code) => url.search_params().set("layers_oauth_error", code),
        None => url.search_params().delete("layers_oauth_error"),
    }
    window().history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href())).unwrap();
}

fn error_param() -> Option<String> {
    let url = web_sys::Url::new(&window().location().href().unwrap()).unwrap();
    url.search_params().get("layers_oauth_error")
}

#[wasm_bindgen_test]
async fn with_two_widgets_only_the_one_whose_attempt_returned_strips_the_error() {
    // Issue 13: in redirect mode, the widget without an attempt mounted first
    // and stripped `layers_oauth_error` before the returning widget read it.
    let (mine, other) = ("p-strip-mine", "p-strip-other");
    clear_stored(mine);
    clear_stored(other);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Status => Reply::Body(200, r#"{"status":"failed","error":{"code":"platform_denied"}}"#.into()),
        _ => pending(),
    });
    let expires = js_sys::Date::now() + 600_000.0;
    let record = format!(
        r#"{{"attempt":{{"state":"st_strip","platform":"tiktok","expiresAt":{}}},"redirected":true}}"#,
        expires.round() as u64
    );
    let storage = window().session_storage().unwrap().unwrap();
    storage.set_item(&storage_key(mine), &record).unwrap();
    // What the widget wrote as it left for the consent page.
    storage.set_item("layers-connect:redirected", &storage_key(mine)).unwrap();
    set_error_param(Some("platform_denied"));

    let bystander = mount_one(Props::new(other));
    sleep(100).await;
    assert_eq!(error_param().as_deref(), Some("platform_denied"), "not the bystander's to strip");
    assert_eq!(bystander.phase(), "idle");

    let returning = mount_one(Props::new(mine));
    until("the returning widget's failure", 2_000, || returning.phase() == "failed").await;
    assert_eq!(error_param(), None, "the widget the return belongs to strips it");
    assert_eq!(storage.get_item("layers-connect:redirected").unwrap(), None);
    assert_eq!(env.requests_to(Route::Status).len(), 1, "confirmed by one poll");
    assert_eq!(bystander.phase(), "idle");
    drop(returning);
    drop(bystander);

    // Without any widget's redirected attempt, the first widget claims the
    // return (a tab-mode return page): it strips it and hands it on.
    set_error_param(Some("platform_denied"));
    let first = mount_one(Props::new(other));
    sleep(100).await;
    assert_eq!(error_param(), None);
    drop(first);
    set_error_param(None);
    clear_stored(mine);
    clear_stored(other);
}
