//! Shared plumbing of the browser tests (included with `#[path]` by each
//! `tests/*_browser.rs`; Cargo does not build files under `tests/support/`
//! as test targets).
//!
//! - [`Env`]: a fake proxy in place of `window.fetch` (records every request,
//!   answers from the test's script), a `window.open` stub, and a recorder of
//!   uncaught errors. Dropping it restores the real `fetch` and `open`.
//! - [`mount`]: `LayersConnect` widgets mounted in a fresh container, with
//!   their `on_status` / `on_connected` / `on_failed` callbacks recorded.
//! - DOM helpers that read what a user sees, and [`until`] to wait for it.
#![allow(dead_code)]

use layers_connect::api::Platform;
use layers_connect::flow::{ConnectedEvent, FailedEvent, PhaseName, StatusEvent};
use layers_connect::ui::LayersConnect;
use leptos::prelude::*;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The proxy base URL every widget is given.
pub const ENDPOINT: &str = "/api/layers";

pub fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

pub fn document() -> web_sys::Document {
    window().document().unwrap()
}

/// The shell's clock: `performance.timeOrigin + performance.now()`.
pub fn now() -> f64 {
    let p = window().performance().unwrap();
    p.time_origin() + p.now()
}

pub fn origin() -> String {
    window().location().origin().unwrap()
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Polls `cond` every 20 ms; panics naming `what` after `ms`.
pub async fn until(what: &str, ms: u32, mut cond: impl FnMut() -> bool) {
    let start = now();
    loop {
        if cond() {
            return;
        }
        if now() - start > f64::from(ms) {
            panic!("timed out after {ms} ms waiting for: {what}");
        }
        sleep(20).await;
    }
}

// ---------------------------------------------------------------- fake proxy

/// Which proxy route a request went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Mint,
    Status,
    Accounts,
    Other,
}

/// One request the widget sent.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub url: String,
    pub body: Option<String>,
    /// When `fetch` was called, on the shell's clock.
    pub at: f64,
    /// The `AbortSignal` the request was given (or undefined).
    pub signal: JsValue,
}

impl Req {
    pub fn route(&self) -> Route {
        let path = self.url.split('?').next().unwrap_or_default();
        if path.ends_with("/social/oauth-url") {
            Route::Mint
        } else if path.contains("/social/oauth-status/") {
            Route::Status
        } else if path.ends_with("/social-accounts") {
            Route::Accounts
        } else {
            Route::Other
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.body.as_deref().expect("a request body")).expect("a JSON body")
    }

    pub fn aborted(&self) -> bool {
        js_sys::Reflect::get(&self.signal, &"aborted".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
}

/// How the fake proxy answers one request.
pub enum Reply {
    /// Status and body, `content-type: application/json`.
    Body(u16, String),
    /// Status, body and a `Retry-After` header.
    RetryAfter(u16, String, String),
    /// Never answers; rejects with an AbortError when its signal aborts (as fetch does).
    Hang,
}

pub type Script = Box<dyn FnMut(&Req) -> Reply>;

/// A mint answer for `state`, expiring `ttl_ms` from now.
pub fn minted(state: &str, ttl_ms: f64) -> Reply {
    // The widget's clock (src/browser/clock.rs), not Date.now(): the two can
    // drift a second apart in a browser, and the countdown would read 301 s.
    let expires = js_sys::Date::new(&JsValue::from_f64(now() + ttl_ms));
    let expires: String = expires.to_iso_string().into();
    Reply::Body(
        200,
        serde_json::json!({
            "authorizeUrl": authorize_url(state),
            "state": state,
            "expiresAt": expires,
        })
        .to_string(),
    )
}

pub fn authorize_url(state: &str) -> String {
    format!("https://www.tiktok.com/v2/auth/authorize?client_key=ck&state={state}")
}

pub fn pending() -> Reply {
    Reply::Body(200, r#"{"status":"pending"}"#.into())
}

pub fn error(status: u16, code: &str, scope: Option<&str>) -> Reply {
    let mut error = serde_json::json!({"code": code, "message": format!("{code} from the fake proxy"), "requestId": "req_fake"});
    if let Some(scope) = scope {
        error["details"] = serde_json::json!({ "scope": scope });
    }
    Reply::Body(status, serde_json::json!({ "error": error }).to_string())
}

thread_local! {
    static RESPOND: js_sys::Function = js_sys::Function::new_with_args(
        "status, body, retryAfter",
        "var headers = { 'content-type': 'application/json' };
         if (retryAfter) headers['retry-after'] = retryAfter;
         return Promise.resolve(new Response(body, { status: status, headers: headers }));",
    );
    static HANG: js_sys::Function = js_sys::Function::new_with_args(
        "signal",
        "return new Promise(function (_, reject) {
           if (signal) signal.addEventListener('abort', function () {
             reject(new DOMException('The user aborted a request.', 'AbortError'));
           });
         });",
    );
    static FAKE_TAB: js_sys::Function = js_sys::Function::new_no_args(
        "return { closed: false, opener: window, location: { href: 'about:blank' },
                  close: function () { this.closed = true; } };",
    );
    static ERRORS: js_sys::Function = js_sys::Function::new_no_args(
        "var seen = [];
         var onError = function (e) { seen.push('error: ' + String(e.message || e.error)); };
         var onRejection = function (e) { seen.push('unhandled rejection: ' + String(e.reason)); };
         window.addEventListener('error', onError);
         window.addEventListener('unhandledrejection', onRejection);
         return { seen: seen, stop: function () {
           window.removeEventListener('error', onError);
           window.removeEventListener('unhandledrejection', onRejection);
         } };",
    );
}

/// What `window.open` does during a test.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Popups {
    /// Returns a fake window whose `location.href` and `closed` can be read.
    Allowed,
    /// Returns null, as a popup blocker does.
    Blocked,
}

/// The fake proxy, the `window.open` stub and the error recorder of one test.
pub struct Env {
    requests: Rc<RefCell<Vec<Req>>>,
    script: Rc<RefCell<Script>>,
    /// `(url, target, returned window or null)` of each `window.open` call.
    opened: Rc<RefCell<Vec<(String, String, JsValue)>>>,
    errors: JsValue,
    real_fetch: JsValue,
    real_open: JsValue,
    _fetch: Closure<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>,
    _open: Closure<dyn FnMut(JsValue, JsValue) -> JsValue>,
}

impl Env {
    pub fn new(popups: Popups, script: impl FnMut(&Req) -> Reply + 'static) -> Self {
        let window = window();
        let requests: Rc<RefCell<Vec<Req>>> = Rc::default();
        let script: Rc<RefCell<Script>> = Rc::new(RefCell::new(Box::new(script)));
        let fetch = {
            let (requests, script) = (requests.clone(), script.clone());
            Closure::<dyn FnMut(JsValue, JsValue) -> js_sys::Promise>::new(
                move |input: JsValue, init: JsValue| {
                    let field = |name: &str| {
                        js_sys::Reflect::get(&init, &name.into()).unwrap_or(JsValue::UNDEFINED)
                    };
                    let req = Req {
                        method: field("method").as_string().unwrap_or_else(|| "GET".into()),
                        url: input.as_string().expect("the widget fetches by URL string"),
                        body: field("body").as_string(),
                        at: now(),
                        signal: field("signal"),
                    };
                    requests.borrow_mut().push(req.clone());
                    let reply = (script.borrow_mut())(&req);
                    match reply {
                        Reply::Body(status, body) => respond(status, &body, None),
                        Reply::RetryAfter(status, body, retry) => {
                            respond(status, &body, Some(&retry))
                        }
                        Reply::Hang => HANG.with(|f| {
                            f.call1(&JsValue::NULL, &req.signal)
                                .unwrap()
                                .unchecked_into()
                        }),
                    }
                },
            )
        };
        let opened: Rc<RefCell<Vec<(String, String, JsValue)>>> = Rc::default();
        let open = {
            let opened = opened.clone();
            Closure::<dyn FnMut(JsValue, JsValue) -> JsValue>::new(
                move |url: JsValue, target: JsValue| {
                    let tab = match popups {
                        Popups::Allowed => FAKE_TAB.with(|f| f.call0(&JsValue::NULL).unwrap()),
                        Popups::Blocked => JsValue::NULL,
                    };
                    let s = |v: JsValue| v.as_string().unwrap_or_default();
                    opened.borrow_mut().push((s(url), s(target), tab.clone()));
                    tab
                },
            )
        };
        let real_fetch = js_sys::Reflect::get(&window, &"fetch".into()).unwrap();
        let real_open = js_sys::Reflect::get(&window, &"open".into()).unwrap();
        js_sys::Reflect::set(&window, &"fetch".into(), fetch.as_ref()).unwrap();
        js_sys::Reflect::set(&window, &"open".into(), open.as_ref()).unwrap();
        let errors = ERRORS.with(|f| f.call0(&JsValue::NULL).unwrap());
        Env {
            requests,
            script,
            opened,
            errors,
            real_fetch,
            real_open,
            _fetch: fetch,
            _open: open,
        }
    }

    /// Replaces the script for the requests still to come.
    pub fn script(&self, script: impl FnMut(&Req) -> Reply + 'static) {
        *self.script.borrow_mut() = Box::new(script);
    }

    pub fn requests(&self) -> Vec<Req> {
        self.requests.borrow().clone()
    }

    pub fn requests_to(&self, route: Route) -> Vec<Req> {
        self.requests
            .borrow()
            .iter()
            .filter(|r| r.route() == route)
            .cloned()
            .collect()
    }

    /// `(url, target, returned value)` of each `window.open` call.
    pub fn opened(&self) -> Vec<(String, String, JsValue)> {
        self.opened.borrow().clone()
    }

    /// Uncaught errors and unhandled rejections seen since the test began.
    pub fn uncaught(&self) -> Vec<String> {
        let seen = js_sys::Reflect::get(&self.errors, &"seen".into()).unwrap();
        js_sys::Array::from(&seen)
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        // Restore first, so nothing can call the closures once they are freed.
        let window = window();
        let _ = js_sys::Reflect::set(&window, &"fetch".into(), &self.real_fetch);
        let _ = js_sys::Reflect::set(&window, &"open".into(), &self.real_open);
        if let Ok(stop) = js_sys::Reflect::get(&self.errors, &"stop".into()) {
            let _ = stop
                .unchecked_into::<js_sys::Function>()
                .call0(&self.errors);
        }
    }
}

fn respond(status: u16, body: &str, retry_after: Option<&str>) -> js_sys::Promise {
    let retry = retry_after.map_or(JsValue::NULL, JsValue::from_str);
    RESPOND.with(|f| {
        f.call3(
            &JsValue::NULL,
            &JsValue::from(status),
            &JsValue::from_str(body),
            &retry,
        )
        .unwrap()
        .unchecked_into()
    })
}

/// `js_sys::Reflect::get(value, name)` as a string.
pub fn prop(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |v, name| {
        js_sys::Reflect::get(&v, &(*name).into()).unwrap_or(JsValue::UNDEFINED)
    })
}

// ------------------------------------------------------------- return signal

/// Posts a return message on the widget's channel, from "another tab" (a
/// second BroadcastChannel object, as `js/return.js` does).
pub fn post_return(error: Option<&str>) {
    let channel = web_sys::BroadcastChannel::new("layers-connect").unwrap();
    let message = js_sys::Object::new();
    js_sys::Reflect::set(&message, &"kind".into(), &"layers-connect:return".into()).unwrap();
    js_sys::Reflect::set(
        &message,
        &"error".into(),
        &error.map_or(JsValue::NULL, JsValue::from_str),
    )
    .unwrap();
    channel.post_message(&message).unwrap();
    channel.close();
}

// ----------------------------------------------------------- session storage

pub fn storage_key(project_id: &str) -> String {
    format!("layers-connect:{project_id}")
}

pub fn stored(project_id: &str) -> Option<String> {
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(&storage_key(project_id))
        .unwrap()
}

pub fn store_attempt(project_id: &str, state: &str, expires_at: f64) {
    let json = format!(
        r#"{{"attempt":{{"state":"{state}","platform":"tiktok","expiresAt":{}}},"redirected":false}}"#,
        expires_at.round() as u64
    );
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .set_item(&storage_key(project_id), &json)
        .unwrap();
}

pub fn clear_stored(project_id: &str) {
    window()
        .session_storage()
        .unwrap()
        .unwrap()
        .remove_item(&storage_key(project_id))
        .unwrap();
}

// ------------------------------------------------------------------ mounting

/// The props a test sets; the rest are left at their defaults.
#[derive(Clone, Default)]
pub struct Props {
    pub project_id: String,
    pub platforms: Option<Vec<Platform>>,
    pub lang: Option<String>,
    pub return_url: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub usage_note: Option<String>,
}

impl Props {
    pub fn new(project_id: &str) -> Self {
        Props {
            project_id: project_id.into(),
            ..Props::default()
        }
    }
}

/// What the callbacks received, in order.
#[derive(Clone, Default)]
pub struct Events {
    pub status: Arc<Mutex<Vec<StatusEvent>>>,
    pub connected: Arc<Mutex<Vec<ConnectedEvent>>>,
    pub failed: Arc<Mutex<Vec<FailedEvent>>>,
}

impl Events {
    pub fn phases(&self) -> Vec<PhaseName> {
        self.status
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.phase)
            .collect()
    }
    pub fn connected(&self) -> Vec<ConnectedEvent> {
        self.connected.lock().unwrap().clone()
    }
    pub fn failed(&self) -> Vec<FailedEvent> {
        self.failed.lock().unwrap().clone()
    }
}

/// Mounted widgets: one container in the document, each widget in a
/// `<div data-project="{projectId}">`.
pub struct Mounted {
    pub container: HtmlElement,
    pub events: Events,
    handle: Option<Box<dyn Any>>,
}

impl Mounted {
    /// Drops the `UnmountHandle`.
    pub fn unmount(&mut self) {
        self.handle.take();
    }

    /// The one widget's `.lc-root` (the first one with several).
    pub fn root(&self) -> Element {
        self.container
            .query_selector(".lc-root")
            .unwrap()
            .expect("a .lc-root")
    }

    /// The `.lc-root` of the widget for `project_id`.
    pub fn root_of(&self, project_id: &str) -> Element {
        self.container
            .query_selector(&format!("[data-project='{project_id}'] .lc-root"))
            .unwrap()
            .expect("the project's .lc-root")
    }

    pub fn phase(&self) -> String {
        self.root().get_attribute("data-phase").unwrap_or_default()
    }

    /// Text of the first element matching `selector`, trimmed; "" if none.
    pub fn text(&self, selector: &str) -> String {
        text_in(&self.root(), selector)
    }

    pub fn live_region(&self) -> String {
        self.text("p[role=status][aria-live=polite]")
    }

    /// The visible buttons' text (their accessible names), in document order.
    pub fn buttons(&self) -> Vec<String> {
        all(&self.root(), "button")
            .iter()
            .map(|b| b.text_content().unwrap_or_default().trim().to_string())
            .collect()
    }

    /// Clicks the button whose text is `label`.
    pub fn click(&self, label: &str) {
        click_in(&self.root(), label);
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.take();
        self.container.remove();
    }
}

pub fn text_in(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default().trim().to_string())
        .unwrap_or_default()
}

pub fn click_in(root: &Element, label: &str) {
    let button = all(root, "button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no button {label:?} in {}", root.outer_html()));
    button.unchecked_into::<HtmlElement>().click();
}

/// `root.querySelectorAll(selector)` (web-sys' NodeList is not a feature of the crate).
pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let qsa: js_sys::Function = js_sys::Reflect::get(root, &"querySelectorAll".into())
        .unwrap()
        .unchecked_into();
    let list = qsa.call1(root, &selector.into()).unwrap();
    js_sys::Array::from(&list)
        .iter()
        .map(|v| v.unchecked_into())
        .collect()
}

/// Mounts one `LayersConnect` per `props` in a fresh container appended to `<body>`.
pub fn mount(widgets: Vec<Props>) -> Mounted {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let events = Events::default();
    let recorded = events.clone();
    let handle = leptos::mount::mount_to(container.clone(), move || {
        widgets
            .into_iter()
            .map(|p| {
                let Events {
                    status,
                    connected,
                    failed,
                } = recorded.clone();
                let on_status = Callback::new(move |e: StatusEvent| status.lock().unwrap().push(e));
                let on_connected =
                    Callback::new(move |e: ConnectedEvent| connected.lock().unwrap().push(e));
                let on_failed = Callback::new(move |e: FailedEvent| failed.lock().unwrap().push(e));
                let id = p.project_id.clone();
                view! {
                    <div data-project=id>
                        <LayersConnect
                            endpoint=ENDPOINT
                            project_id=p.project_id
                            platforms=p.platforms
                            lang=p.lang
                            return_url=p.return_url
                            scopes=p.scopes
                            usage_note=p.usage_note
                            on_status
                            on_connected
                            on_failed
                        />
                    </div>
                }
            })
            .collect_view()
    });
    Mounted {
        container,
        events,
        handle: Some(Box::new(handle)),
    }
}

/// Mounts one widget.
pub fn mount_one(props: Props) -> Mounted {
    mount(vec![props])
}
