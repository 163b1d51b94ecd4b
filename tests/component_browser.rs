//! The `LayersConnect` component in headless Chromium, against a fake proxy
//! (`window.fetch` replaced) and a stubbed `window.open`: what a customer sees
//! and what the partner's proxy receives, from mount to connected or failed.
//!
//! The slow rules (kill switch, cleanup on unmount) are in
//! `component_lifecycle_browser.rs`: each test binary runs in its own page
//! under wasm-bindgen-test-runner's default 20 s budget.
#![cfg(target_arch = "wasm32")]

#[path = "support/fake_proxy_browser.rs"]
mod support;

use layers_connect::api::Platform;
use layers_connect::flow::{ConnectedEvent, PhaseName};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// "Link expires in m:ss" → seconds.
fn countdown_secs(text: &str) -> u32 {
    let time = text
        .strip_prefix("Link expires in ")
        .unwrap_or_else(|| panic!("not a countdown: {text:?}"));
    let (m, s) = time
        .split_once(':')
        .unwrap_or_else(|| panic!("not m:ss: {text:?}"));
    assert_eq!(s.len(), 2, "seconds are two digits: {text:?}");
    m.parse::<u32>().unwrap() * 60 + s.parse::<u32>().unwrap()
}

/// This page without query or fragment: the default returnUrl.
fn this_page() -> String {
    let url = web_sys::Url::new(&window().location().href().unwrap()).unwrap();
    url.set_search("");
    url.set_hash("");
    url.href()
}

#[wasm_bindgen_test]
fn mount_renders_a_button_per_platform_in_order_and_in_the_language() {
    let env = Env::new(Popups::Allowed, |_| pending());

    let both = mount_one(Props::new("p-mount"));
    assert_eq!(both.buttons(), ["Connect TikTok", "Connect Instagram"]);
    assert_eq!(both.phase(), "idle");
    let parts: Vec<_> = all(&both.root(), "button")
        .iter()
        .map(|b| b.get_attribute("part").unwrap())
        .collect();
    assert_eq!(parts, ["button connect tiktok", "button connect instagram"]);
    for button in all(&both.root(), "button") {
        // The text is the accessible name: nothing overrides it.
        assert_eq!(button.get_attribute("aria-label"), None);
        assert_eq!(button.get_attribute("type").as_deref(), Some("button"));
    }
    assert_eq!(both.live_region(), "", "nothing to announce before a click");

    let instagram = mount_one(Props {
        platforms: Some(vec![Platform::Instagram]),
        ..Props::new("p-mount-ig")
    });
    assert_eq!(instagram.buttons(), ["Connect Instagram"]);

    let reversed = mount_one(Props {
        platforms: Some(vec![Platform::Instagram, Platform::Tiktok]),
        ..Props::new("p-mount-rev")
    });
    assert_eq!(reversed.buttons(), ["Connect Instagram", "Connect TikTok"]);

    let spanish = mount_one(Props {
        lang: Some("es".into()),
        ..Props::new("p-mount-es")
    });
    assert_eq!(spanish.buttons(), ["Conectar TikTok", "Conectar Instagram"]);

    assert!(
        env.requests().is_empty(),
        "mounting sends nothing: {:?}",
        env.requests()
    );
    assert!(env.opened().is_empty(), "mounting opens no tab");
}

#[wasm_bindgen_test]
async fn click_mints_navigates_the_tab_and_shows_the_countdown() {
    let pid = "p-click";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => minted("st_click", 300_000.0),
        _ => pending(),
    });
    let w = mount_one(Props {
        return_url: Some("/return.html".into()),
        scopes: Some(vec!["user.info.basic".into(), "video.list".into()]),
        usage_note: Some("dashboard".into()),
        ..Props::new(pid)
    });

    w.click("Connect TikTok");
    // The blank tab opens inside the click itself, before any await, or a
    // browser would block it.
    let opened = env.opened();
    assert_eq!(
        opened.len(),
        1,
        "one tab, opened synchronously by the click"
    );
    assert_eq!(
        (opened[0].0.as_str(), opened[0].1.as_str()),
        ("about:blank", "_blank")
    );

    until("the waiting phase", 2_000, || w.phase() == "waiting").await;

    let mints = env.requests_to(Route::Mint);
    assert_eq!(mints.len(), 1);
    assert_eq!(mints[0].method, "POST");
    assert_eq!(
        mints[0].url,
        format!("{ENDPOINT}/projects/{pid}/social/oauth-url")
    );
    assert_eq!(
        mints[0].json(),
        serde_json::json!({
            "platform": "tiktok",
            "returnUrl": format!("{}/return.html", origin()),
            "scopes": ["user.info.basic", "video.list"],
            "usageNote": "dashboard",
        })
    );

    let tab = &opened[0].2;
    assert_eq!(
        prop(tab, &["location", "href"]).as_string().unwrap(),
        authorize_url("st_click")
    );
    assert!(
        prop(tab, &["opener"]).is_null(),
        "the consent tab cannot script this page"
    );
    assert_eq!(prop(tab, &["closed"]).as_bool(), Some(false));

    assert_eq!(
        w.text("[part~=progress]"),
        "Finish connecting in the TikTok tab."
    );
    assert_eq!(w.live_region(), "Finish connecting in the TikTok tab.");
    let left = countdown_secs(&w.text("[part=detail]"));
    assert!(
        (290..=300).contains(&left),
        "about five minutes left: {left} s"
    );
    assert_eq!(w.buttons(), ["Cancel"]);

    assert_eq!(w.events.phases(), [PhaseName::Starting, PhaseName::Waiting]);
    let waiting = w.events.status.lock().unwrap()[1].clone();
    assert_eq!(waiting.platform, Some(Platform::Tiktok));
    assert!(waiting.expires_at.is_some());

    let persisted: serde_json::Value =
        serde_json::from_str(&stored(pid).expect("the attempt is persisted")).unwrap();
    assert_eq!(persisted["attempt"]["state"], "st_click");
    assert_eq!(persisted["attempt"]["platform"], "tiktok");
    assert_eq!(persisted["redirected"], false);

    assert!(
        env.requests_to(Route::Status).is_empty(),
        "no poll before 5 s"
    );
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn a_blocked_tab_offers_a_continue_link_to_the_authorize_url() {
    let pid = "p-blocked";
    clear_stored(pid);
    let env = Env::new(Popups::Blocked, |req| match req.route() {
        Route::Mint => minted("st_blocked", 600_000.0),
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    assert_eq!(env.opened().len(), 1, "the widget tried to open the tab");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;

    let link = w
        .root()
        .query_selector("a[part=link]")
        .unwrap()
        .expect("a Continue link");
    assert_eq!(link.text_content().unwrap().trim(), "Continue to TikTok");
    assert_eq!(
        link.get_attribute("href").unwrap(),
        authorize_url("st_blocked")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert!(link.get_attribute("rel").unwrap().contains("noopener"));
    assert!(w
        .root()
        .text_content()
        .unwrap()
        .contains("Your browser blocked the new tab."));
    assert_eq!(w.live_region(), "Your browser blocked the new tab.");
    assert_eq!(env.requests_to(Route::Mint).len(), 1);
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn return_signal_confirms_a_second_after_the_last_poll_and_shows_the_account() {
    let pid = "p-return";
    clear_stored(pid);
    let avatar = format!("{}/avatar-acme.png", origin());
    let mut polls = 0;
    let avatar_url = avatar.clone();
    let env = Env::new(Popups::Allowed, move |req| {
        match req.route() {
        Route::Mint => minted("st_return", 600_000.0),
        Route::Status => {
            polls += 1;
            if polls == 1 {
                pending()
            } else {
                Reply::Body(
                    200,
                    r#"{"status":"completed","socialAccountId":"sa_1","platform":"tiktok","handle":"acmecoffee","connectedAt":"2026-04-18T19:03:00Z"}"#.into(),
                )
            }
        }
        Route::Accounts => Reply::Body(
            200,
            serde_json::json!({"data": [
                {"id": "sa_0", "platform": "instagram", "handle": "other"},
                {"id": "sa_1", "platform": "tiktok", "handle": "acmecoffee", "displayName": "Acme Coffee", "avatarUrl": avatar_url},
            ]})
            .to_string(),
        ),
        Route::Other => Reply::Body(404, "{}".into()),
    }
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;
    let mint = env.requests_to(Route::Mint)[0].clone();

    // Rule 1: the first poll goes 5 s after the mint, not before.
    until("the first poll", 7_000, || {
        env.requests_to(Route::Status).len() == 1
    })
    .await;
    let first = env.requests_to(Route::Status)[0].clone();
    assert_eq!(first.method, "GET");
    assert_eq!(
        first.url,
        format!("{ENDPOINT}/social/oauth-status/st_return")
    );
    let after_mint = first.at - mint.at;
    assert!(
        (5_000.0..6_500.0).contains(&after_mint),
        "first poll {after_mint:.0} ms after the mint"
    );
    sleep(100).await;
    assert_eq!(w.phase(), "waiting", "a pending answer changes nothing");

    // The customer comes back (from the consent tab's return page).
    post_return(None);
    until("Finishing…", 1_000, || w.phase() == "finishing").await;
    assert_eq!(w.text("[part~=progress]"), "Finishing…");
    assert_eq!(w.live_region(), "Finishing…");

    // Rule 2: one confirmation poll, at once (at least 250 ms after the
    // previous poll) instead of 5 s later.
    until("the confirmation poll", 3_000, || {
        env.requests_to(Route::Status).len() == 2
    })
    .await;
    let confirm = env.requests_to(Route::Status)[1].clone();
    // `at` is when fetch was called, a microtask after the shell decided to
    // poll: allow those few milliseconds on the previous poll's side.
    let gap = confirm.at - first.at;
    assert!(
        (230.0..1_500.0).contains(&gap),
        "confirmation poll {gap:.0} ms after the previous one"
    );

    until("the connected phase", 1_000, || w.phase() == "connected").await;
    assert!(
        w.text("[part~=connected]")
            .contains("Connected as @acmecoffee"),
        "{}",
        w.text("[part~=connected]")
    );
    assert_eq!(w.live_region(), "Connected as @acmecoffee");
    assert_eq!(
        w.events.connected(),
        [ConnectedEvent {
            social_account_id: "sa_1".into(),
            platform: Platform::Tiktok,
            handle: Some("acmecoffee".into()),
            connected_at: Some("2026-04-18T19:03:00Z".into()),
        }]
    );

    // The account record fills in the avatar and the display name.
    until("the avatar", 2_000, || {
        w.root()
            .query_selector("img[part=avatar]")
            .unwrap()
            .is_some()
    })
    .await;
    let accounts = env.requests_to(Route::Accounts);
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        accounts[0].url,
        format!("{ENDPOINT}/projects/{pid}/social-accounts")
    );
    let img = w
        .root()
        .query_selector("img[part=avatar]")
        .unwrap()
        .unwrap();
    assert_eq!(img.get_attribute("src").unwrap(), avatar);
    assert!(w.root().text_content().unwrap().contains("Acme Coffee"));
    assert_eq!(w.buttons(), ["Connect another account"]);
    assert_eq!(
        stored(pid),
        None,
        "the finished attempt is no longer persisted"
    );

    sleep(300).await;
    assert_eq!(
        w.events.connected().len(),
        1,
        "on_connected fires exactly once"
    );
    assert_eq!(
        env.requests_to(Route::Status).len(),
        2,
        "no poll after completed"
    );
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn a_failed_return_explains_and_try_again_mints_a_new_url() {
    let pid = "p-fail";
    clear_stored(pid);
    let mut mints = 0;
    // What Layers' status says: failed with a code once the customer denied
    // (the return signal alone ends nothing; a poll confirms it).
    let status: std::rc::Rc<std::cell::RefCell<Option<&'static str>>> = Default::default();
    let script_status = status.clone();
    let env = Env::new(Popups::Allowed, move |req| match req.route() {
        Route::Mint => {
            mints += 1;
            *script_status.borrow_mut() = None;
            minted(&format!("st_fail_{mints}"), 600_000.0)
        }
        _ => match *script_status.borrow() {
            Some(code) => Reply::Body(200, format!(r#"{{"status":"failed","error":{{"code":"{code}"}}}}"#)),
            None => pending(),
        },
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;
    *status.borrow_mut() = Some("platform_denied");
    post_return(Some("platform_denied"));
    until("the failed phase", 1_000, || w.phase() == "failed").await;
    let denied = "You didn't give access on TikTok, so nothing was connected.";
    assert_eq!(w.text("[part~=error]"), denied);
    assert_eq!(w.live_region(), denied);
    assert_eq!(w.buttons(), ["Try again", "Cancel"]);
    let failed = w.events.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].code.as_str(), failed[0].platform),
        ("platform_denied", Platform::Tiktok)
    );

    w.click("Try again");
    assert_eq!(
        env.opened().len(),
        2,
        "Try again opens a fresh tab within the click"
    );
    until("waiting again", 2_000, || w.phase() == "waiting").await;
    let mint_requests = env.requests_to(Route::Mint);
    assert_eq!(mint_requests.len(), 2, "Try again mints a new URL");
    assert_eq!(mint_requests[1].json()["platform"], "tiktok");
    assert_eq!(
        prop(&env.opened()[1].2, &["location", "href"])
            .as_string()
            .unwrap(),
        authorize_url("st_fail_2")
    );

    *status.borrow_mut() = Some("quota_exceeded");
    post_return(Some("quota_exceeded"));
    until("failed again", 1_000, || w.phase() == "failed").await;
    assert_eq!(
        w.text("[part~=error]"),
        "The connection failed (quota_exceeded). Please try again."
    );
    let failed = w.events.failed();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].code, "quota_exceeded");
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn a_forged_error_return_ends_nothing_and_shows_none_of_its_words() {
    // Issue 13: any site can open the return page with any
    // `layers_oauth_error`. The widget confirms by poll; Layers says pending.
    let pid = "p-forged";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => minted("st_forged", 600_000.0),
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));
    w.click("Connect TikTok");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;
    post_return(Some("Your account is banned. Call +1 555 0100"));
    until("the confirming poll", 1_500, || env.requests_to(Route::Status).len() == 1).await;
    sleep(300).await;
    assert_eq!(w.phase(), "finishing", "the attempt goes on");
    assert!(w.events.failed().is_empty());
    let text = w.root().text_content().unwrap();
    assert!(!text.contains("banned") && !text.contains("555"), "{text}");
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn a_refused_mint_names_the_setup_problem_and_closes_the_tab() {
    let pid = "p-refused";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => error(403, "RETURN_URL_NOT_ALLOWED", None),
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect Instagram");
    until("the failed_to_start phase", 2_000, || {
        w.phase() == "failed_to_start"
    })
    .await;
    let text = w.text("[part~=error]");
    assert!(
        text.starts_with("Connecting accounts isn't set up correctly"),
        "{text}"
    );
    assert!(text.contains("RETURN_URL_NOT_ALLOWED"), "{text}");
    assert_eq!(w.buttons(), ["Try again", "Cancel"]);
    assert_eq!(
        prop(&env.opened()[0].2, &["closed"]).as_bool(),
        Some(true),
        "the blank tab is closed again"
    );
    let failed = w.events.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].code.as_str(), failed[0].platform),
        ("RETURN_URL_NOT_ALLOWED", Platform::Instagram)
    );

    // Without returnUrl, scopes or usageNote: this page, and no optional keys.
    assert_eq!(
        env.requests_to(Route::Mint)[0].json(),
        serde_json::json!({ "platform": "instagram", "returnUrl": this_page() })
    );
    assert_eq!(stored(pid), None);
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());
}

#[wasm_bindgen_test]
async fn a_mint_answer_that_is_not_json_fails_to_start_without_a_panic() {
    let pid = "p-garbage";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => Reply::Body(200, "<html>Bad gateway, but 200</html>".into()),
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    until("the failed_to_start phase", 2_000, || {
        w.phase() == "failed_to_start"
    })
    .await;
    let text = w.text("[part~=error]");
    assert!(
        text.starts_with("Connecting accounts isn't set up correctly"),
        "{text}"
    );
    assert!(text.contains("not the documented JSON"), "{text}");
    assert_eq!(w.events.failed()[0].code, "MALFORMED_RESPONSE");
    assert!(env.uncaught().is_empty(), "{:?}", env.uncaught());

    // The widget still works: Try again sends a new mint.
    w.click("Try again");
    until("a second mint", 2_000, || {
        env.requests_to(Route::Mint).len() == 2
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_persisted_attempt_resumes_waiting_and_polls_at_once() {
    let pid = "p-resume";
    let env = Env::new(Popups::Allowed, |_| pending());
    store_attempt(pid, "st_resume", now() + 300_000.0);
    let mounted_at = now();
    let w = mount_one(Props::new(pid));

    until("a poll of the persisted state", 1_000, || {
        env.requests_to(Route::Status).len() == 1
    })
    .await;
    let poll = env.requests_to(Route::Status)[0].clone();
    assert_eq!(
        poll.url,
        format!("{ENDPOINT}/social/oauth-status/st_resume")
    );
    assert!(
        poll.at - mounted_at < 500.0,
        "polled {:.0} ms after mount",
        poll.at - mounted_at
    );
    until("the waiting phase", 1_000, || w.phase() == "waiting").await;
    let left = countdown_secs(&w.text("[part=detail]"));
    assert!((290..=300).contains(&left), "{left} s left");
    assert_eq!(w.buttons(), ["Cancel"]);
    assert!(
        env.requests_to(Route::Mint).is_empty() && env.opened().is_empty(),
        "nothing new is minted"
    );
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn an_expired_persisted_attempt_shows_expired_and_does_not_poll() {
    let pid = "p-expired";
    let env = Env::new(Popups::Allowed, |_| pending());
    store_attempt(pid, "st_old", now() - 1_000.0);
    let w = mount_one(Props::new(pid));

    until("the expired phase", 1_000, || w.phase() == "expired").await;
    assert_eq!(
        w.text("[part~=error]"),
        "The link expired before you finished. Try again for a new one."
    );
    assert_eq!(w.buttons(), ["Try again", "Cancel"]);
    sleep(300).await;
    assert!(
        env.requests().is_empty(),
        "an expired state is never polled: {:?}",
        env.requests()
    );
    assert_eq!(stored(pid), None, "the expired attempt is forgotten");
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn cancel_aborts_the_request_the_attempt_has_in_flight() {
    let pid = "p-cancel-abort";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => Reply::Hang,
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    until("the starting phase", 1_000, || w.phase() == "starting").await;
    let mint = env.requests_to(Route::Mint).remove(0);
    assert!(!mint.aborted(), "the mint is in flight");
    w.click("Cancel");
    until("the cancelled phase", 1_000, || w.phase() == "cancelled").await;
    assert!(mint.aborted(), "cancel aborts the mint");
    sleep(50).await;
    // The aborted mint is not reported as a failure: the attempt ended once, cancelled.
    assert_eq!(w.events.failed(), []);
    assert_eq!(w.phase(), "cancelled");
    assert_eq!(env.uncaught(), Vec::<String>::new());
    drop(w);
    clear_stored(pid);
}

#[wasm_bindgen_test]
async fn cancel_stops_the_attempt_and_offers_the_buttons_again() {
    let pid = "p-cancel";
    clear_stored(pid);
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => minted("st_cancel", 600_000.0),
        _ => pending(),
    });
    let w = mount_one(Props::new(pid));

    w.click("Connect TikTok");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;
    // A real click focuses the button first.
    let cancel = all(&w.root(), "button").remove(0);
    cancel.unchecked_ref::<web_sys::HtmlElement>().focus().unwrap();
    assert_eq!(document().active_element().unwrap().text_content().unwrap().trim(), "Cancel");
    w.click("Cancel");
    until("the cancelled phase", 1_000, || w.phase() == "cancelled").await;
    assert!(w
        .root()
        .text_content()
        .unwrap()
        .contains("Connection cancelled."));
    assert_eq!(w.live_region(), "Connection cancelled.");
    assert_eq!(w.buttons(), ["Connect TikTok", "Connect Instagram"]);
    assert_eq!(
        prop(&env.opened()[0].2, &["closed"]).as_bool(),
        Some(true),
        "the consent tab is closed"
    );
    assert_eq!(w.events.phases().last(), Some(&PhaseName::Cancelled));
    assert_eq!(stored(pid), None);
    // The pressed button is gone: focus goes to the next action, not <body>.
    sleep(50).await;
    let active = document().active_element().expect("something has focus");
    assert_eq!(
        active.text_content().unwrap_or_default().trim(),
        "Connect TikTok"
    );
    assert!(env.requests_to(Route::Status).is_empty());
    drop(w);
    clear_stored(pid);
}

/// The Leptos component shares the element's handoff (issue 11): in
/// Instagram's Android webview it offers the `intent:` link to this page, not
/// buttons that cannot work there, and tells `on_status`.
#[wasm_bindgen_test]
async fn in_an_in_app_browser_the_component_offers_the_handoff() {
    use layers_connect::in_app::{App, InAppBrowser, Os};
    let env = Env::new(Popups::Allowed, |req| match req.route() {
        Route::Mint => minted("st_in_app", 600_000.0),
        _ => pending(),
    });
    let navigator = window().navigator();
    let instagram = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.58 Mobile Safari/537.36 Instagram 355.1.0.44.103 Android (34/14; 420dpi; 1080x2205; Google/google; Pixel 8; shiba; shiba; en_US; 658190016)";
    let descriptor = js_sys::Object::new();
    js_sys::Reflect::set(&descriptor, &"value".into(), &instagram.into()).unwrap();
    js_sys::Reflect::set(&descriptor, &"configurable".into(), &true.into()).unwrap();
    js_sys::Object::define_property(&navigator, &"userAgent".into(), &descriptor);
    let w = mount_one(Props::new("p-in-app"));
    // The shell read it at mount; the other tests get an ordinary browser back.
    js_sys::Reflect::delete_property(&navigator, &"userAgent".into()).unwrap();

    assert_eq!(w.phase(), "in_app_browser");
    assert_eq!(w.buttons(), ["Copy link", "Try here anyway"]);
    let href = w
        .root()
        .query_selector("a[part~='open-in-browser']")
        .unwrap()
        .expect("the Open in browser link")
        .get_attribute("href")
        .unwrap();
    let page = web_sys::Url::new(&window().location().href().unwrap()).unwrap();
    let scheme = page.protocol();
    let expected = format!("intent://{}{}{}#Intent;scheme={};end", page.host(), page.pathname(), page.search(), scheme.trim_end_matches(':'));
    assert_eq!(href, expected);
    let first = w.events.status.lock().unwrap()[0].clone();
    assert_eq!((first.phase, first.in_app_browser), (PhaseName::InAppBrowser, Some(InAppBrowser { app: App::Instagram, os: Os::Android })));

    w.click("Try here anyway");
    until("the buttons", 1_000, || w.phase() == "idle").await;
    assert_eq!(w.buttons(), ["Connect TikTok", "Connect Instagram"]);
    w.click("Connect TikTok");
    until("the waiting phase", 2_000, || w.phase() == "waiting").await;
    assert_eq!(env.requests_to(Route::Mint).len(), 1);
}
