//! The shell: runs the core's effects in the browser and feeds every result
//! back as an input. It decides nothing; [`crate::flow`] does.
//!
//! Everything it holds is an RAII handle (the timer, listeners, the return
//! channel, in-flight requests), so dropping the shell stops all of it.
//! Spawned requests hold only a `Weak` to it: an answer that arrives after
//! the widget went away is dropped on the floor.

use super::event_stream::OutcomeStream;
use super::http::{self, Abort};
use super::listener::Listener;
use super::return_signal::{self, ReturnChannel};
use super::{clock, js_json, storage, tab::ConsentTab};
use crate::api::{self, OAuthStatus, OAuthUrl, OAuthUrlRequest, Platform, SocialAccounts};
use crate::flow::{Effect, Event, Flow, Input, Mode, Phase, RequestId, ReturnSignal, StreamSignal};
use crate::persisted::Persisted;
use gloo_timers::callback::Timeout;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// What the shell needs to know about the integration, read at the moment
/// of each request so attribute changes apply to the next one.
pub trait Settings {
    /// The partner proxy's base URL (`/api/layers`).
    fn endpoint(&self) -> String;
    /// The Layers project that will own the account.
    fn project_id(&self) -> String;
    /// The body of the mint request for `platform`.
    fn mint_request(&self, platform: Platform) -> OAuthUrlRequest;
    /// Tab or redirect.
    fn mode(&self) -> Mode;
    /// Tells this widget's persisted attempt from other widgets' of the same
    /// project on the page (the element's `id`); empty when there is one.
    fn instance_id(&self) -> String;
}

/// Receives the phase after every input and each event the core emits.
pub trait Observer {
    /// The phase changed (or may have: cheap to compare).
    fn phase(&self, phase: &Phase);
    /// Whether the browser is online (polling pauses while it is not).
    fn online(&self, online: bool);
    /// An event to dispatch.
    fn event(&self, event: &Event);
}

/// The browser side of one widget.
pub struct Shell {
    me: Weak<Shell>,
    flow: RefCell<Flow>,
    settings: Box<dyn Settings>,
    observer: Box<dyn Observer>,
    tab: RefCell<Option<ConsentTab>>,
    /// A consent tab opened before the wasm was ready, for the next
    /// [`Effect::OpenBlankTab`] to take instead of opening one.
    pre_opened: RefCell<Option<PreOpened>>,
    /// The token the current consent tab inherited (see [`return_signal::TOKEN_KEY`]).
    return_token: RefCell<Option<String>>,
    timer: RefCell<Option<Timeout>>,
    /// The accounts fetch, started a task after "Connected" renders.
    accounts_timer: RefCell<Option<Timeout>>,
    requests: RefCell<Vec<(RequestId, Abort)>>,
    listeners: RefCell<Vec<Listener>>,
    channel: RefCell<Option<ReturnChannel>>,
    /// The outcome stream of the attempt being polled, if one is open.
    stream: RefCell<Option<OutcomeStream>>,
}

impl Shell {
    /// Starts a shell: listens for returns, visibility and connectivity, and
    /// resumes an attempt persisted by an earlier page load.
    pub fn start(settings: Box<dyn Settings>, observer: Box<dyn Observer>) -> Rc<Self> {
        let mode = settings.mode();
        let shell = Rc::new_cyclic(|me| Shell {
            me: me.clone(),
            flow: RefCell::new(Flow::new(mode)),
            settings,
            observer,
            tab: RefCell::default(),
            pre_opened: RefCell::default(),
            return_token: RefCell::default(),
            timer: RefCell::default(),
            accounts_timer: RefCell::default(),
            requests: RefCell::default(),
            listeners: RefCell::default(),
            channel: RefCell::default(),
            stream: RefCell::default(),
        });
        shell.listen();
        shell.detect_in_app();
        shell.resume();
        shell
    }

    /// Reads the user agent once: in Instagram's, TikTok's, Facebook's or
    /// Messenger's browser the flow offers the handoff instead of buttons
    /// that cannot work there. Before `resume`, so a persisted attempt
    /// still takes over (the flow only shows the handoff when idle).
    fn detect_in_app(&self) {
        let Some(window) = web_sys::window() else { return };
        let user_agent = window.navigator().user_agent().unwrap_or_default();
        if let Some(browser) = crate::in_app::detect(&user_agent) {
            let page_url = window.location().href().unwrap_or_default();
            self.dispatch(Input::InAppBrowser { browser, page_url });
        }
    }

    /// The customer clicked "Connect {platform}". Call from the click handler
    /// itself: the consent tab must open within the user activation.
    pub fn connect(&self, platform: Platform) {
        let mode = self.settings.mode();
        let replace = {
            let flow = self.flow.borrow();
            flow.mode() != mode && !flow.phase().is_active()
        };
        if replace {
            *self.flow.borrow_mut() = Flow::new(mode);
        }
        self.dispatch(Input::Start { platform });
    }

    /// The customer clicked "Connect {platform}" before the wasm was ready:
    /// the element's JS opened the consent tab inside that click (as
    /// [`Self::connect`] would have), and the attempt now starts with it.
    /// When the flow opens no tab (an attempt resumed from an earlier page
    /// load is under way, or the widget is in redirect mode), the tab is
    /// nobody's and is closed.
    pub fn connect_with_tab(&self, platform: Platform, pre_opened: PreOpened) {
        *self.pre_opened.borrow_mut() = Some(pre_opened);
        self.connect(platform);
        let unused = self.pre_opened.borrow_mut().take();
        if let Some(tab) = unused.and_then(|p| p.tab) {
            tab.close();
        }
    }

    /// "Try again": a fresh URL for the same platform.
    pub fn retry(&self) {
        self.dispatch(Input::Retry);
    }

    /// "Cancel": ends the attempt, stops polling and aborts what the attempt
    /// still has in flight (its answers would be ignored anyway).
    pub fn cancel(&self) {
        self.dispatch(Input::Cancel);
        if matches!(self.flow.borrow().phase(), Phase::Cancelled { .. }) {
            self.requests.borrow_mut().clear();
        }
    }

    /// Back to the buttons, forgetting any outcome.
    pub fn reset(&self) {
        self.dispatch(Input::Reset);
        // Whatever is still in flight belongs to an ended attempt: abort it.
        self.accounts_timer.borrow_mut().take();
        self.requests.borrow_mut().clear();
    }

    fn dispatch(&self, input: Input) {
        // The borrow ends before any effect runs: effects feed inputs back,
        // and event listeners may call `cancel` or `reset` re-entrantly.
        let (effects, phase, online) = {
            let mut flow = self.flow.borrow_mut();
            let effects = flow.handle(input, clock::now_ms() as u64);
            (effects, flow.phase().clone(), flow.is_online())
        };
        self.observer.online(online);
        self.observer.phase(&phase);
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(&self, effect: Effect) {
        match effect {
            Effect::OpenBlankTab => {
                let pre_opened = self.pre_opened.borrow_mut().take();
                let PreOpened { tab, token } = pre_opened.unwrap_or_else(open_consent_tab);
                let blocked = tab.is_none();
                *self.return_token.borrow_mut() = (!blocked).then_some(token);
                *self.tab.borrow_mut() = tab;
                self.dispatch(Input::TabOpened { blocked });
            }
            Effect::NavigateTab { url } => {
                if let Some(tab) = self.tab.borrow().as_ref() {
                    tab.navigate(&url);
                }
            }
            Effect::CloseTab => {
                if let Some(tab) = self.tab.borrow_mut().take() {
                    tab.close();
                }
            }
            Effect::RedirectPage { url } => super::tab::redirect_page(&url),
            Effect::Mint { request, platform } => {
                let url = api::oauth_url_url(&self.settings.endpoint(), &self.settings.project_id());
                let body = self.settings.mint_request(platform);
                self.request(request, move |abort| async move {
                    let result = http::post::<_, OAuthUrl>(&url, &body, abort).await;
                    Input::Minted { request, result }
                });
            }
            Effect::Poll { request, state } => {
                let url = api::oauth_status_url(&self.settings.endpoint(), &state);
                self.request(request, move |abort| async move {
                    let result = http::get::<OAuthStatus>(&url, abort).await;
                    Input::Polled { request, result }
                });
            }
            Effect::FetchAccounts { request } => {
                // A task later: "Connected" renders first (starting a fetch
                // took up to 20 ms of that task on a busy machine), the
                // account's details follow. A callback timer, like the poll
                // timer: gloo's TimeoutFuture would add 716 B gzip of wasm.
                let me = self.me.clone();
                *self.accounts_timer.borrow_mut() = Some(Timeout::new(0, move || {
                    let Some(shell) = me.upgrade() else { return };
                    let url = api::social_accounts_url(&shell.settings.endpoint(), &shell.settings.project_id());
                    shell.request(request, move |abort| async move {
                        let result = http::get::<SocialAccounts>(&url, abort).await;
                        Input::AccountsFetched { request, result }
                    });
                }));
            }
            Effect::SetTimer { at } => {
                // Rounded up, plus one: the flow's times are whole milliseconds
                // rounded down, and each poll's fetch goes out a moment after the
                // dispatch that decided it, so a timer firing exactly at `at`
                // could send a poll a millisecond or two inside the 5 s floor as
                // the network sees it (seen as a 4,998 ms gap in push-instances).
                let delay = ((at as f64 - clock::now_ms()).ceil() + 1.0).clamp(0.0, u32::MAX as f64) as u32;
                let me = self.me.clone();
                *self.timer.borrow_mut() = Some(Timeout::new(delay, move || {
                    if let Some(shell) = me.upgrade() {
                        shell.dispatch(Input::Timer);
                    }
                }));
            }
            Effect::ClearTimer => *self.timer.borrow_mut() = None,
            Effect::OpenStream { stream, state, check } => {
                // The old one goes first: one stream per widget.
                drop(self.stream.borrow_mut().take());
                let url = api::oauth_events_url(&self.settings.endpoint(), &state, check);
                let me = self.me.clone();
                let opened = OutcomeStream::open(&url, move |signal| {
                    if let Some(shell) = me.upgrade() {
                        shell.dispatch(Input::Stream { stream, signal });
                    }
                });
                match opened {
                    Some(opened) => *self.stream.borrow_mut() = Some(opened),
                    None => self.dispatch(Input::Stream { stream, signal: StreamSignal::Unsupported }),
                }
            }
            Effect::CloseStream => drop(self.stream.borrow_mut().take()),
            Effect::Persist(attempt) => {
                let redirected = self.flow.borrow().mode() == Mode::Redirect;
                let return_token = self.return_token.borrow().clone();
                if let Some(json) = http::to_json(&Persisted { attempt, redirected, return_token }) {
                    storage::write(&self.storage_key(), &json);
                    // Names the widget this page's return will belong to.
                    if redirected {
                        storage::write(REDIRECTED_KEY, &self.storage_key());
                    }
                }
            }
            Effect::ClearPersisted => storage::clear(&self.storage_key()),
            Effect::Emit(event) => self.observer.event(&event),
        }
    }

    /// Runs one request; its abort handle lives in the shell, so dropping the
    /// shell aborts it.
    fn request<F, Fut>(&self, id: RequestId, send: F)
    where
        F: FnOnce(Option<web_sys::AbortController>) -> Fut,
        Fut: std::future::Future<Output = Input> + 'static,
    {
        let abort = Abort::new();
        let future = send(abort.controller());
        self.requests.borrow_mut().push((id, abort));
        let me = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let input = future.await;
            if let Some(shell) = me.upgrade() {
                // Finished: aborting a settled fetch is a no-op, so just drop it.
                shell.requests.borrow_mut().retain(|(r, _)| *r != id);
                shell.dispatch(input);
            }
        });
    }

    fn listen(&self) {
        let Some(window) = web_sys::window() else { return };
        let mut listeners = Vec::new();
        if let Some(document) = window.document() {
            let me = self.me.clone();
            let doc = document.clone();
            listeners.push(Listener::new(&document, "visibilitychange", move |_| {
                let visible = doc.visibility_state() == web_sys::VisibilityState::Visible;
                if let Some(shell) = me.upgrade() {
                    shell.dispatch(Input::VisibilityChanged { visible });
                }
            }));
        }
        for (kind, online) in [("online", true), ("offline", false)] {
            let me = self.me.clone();
            listeners.push(Listener::new(&window, kind, move |_| {
                if let Some(shell) = me.upgrade() {
                    shell.dispatch(Input::Connectivity { online });
                }
            }));
        }
        *self.listeners.borrow_mut() = listeners;

        let me = self.me.clone();
        *self.channel.borrow_mut() = ReturnChannel::listen(move |message| {
            let Some(shell) = me.upgrade() else { return };
            // Another widget's consent tab came back: not ours to act on.
            let mine = match (&message.token, &*shell.return_token.borrow()) {
                (Some(theirs), Some(ours)) => theirs == ours,
                _ => true,
            };
            if mine {
                shell.dispatch(Input::Returned(ReturnSignal::from_error_param(message.error.as_deref())));
            }
        });

        if !window.navigator().on_line() {
            self.dispatch(Input::Connectivity { online: false });
        }
    }

    /// A page load: resume a persisted attempt, honouring the address bar's
    /// `layers_oauth_error`. The widget the return belongs to claims it and
    /// strips it, so a reload cannot replay it; another widget's return is
    /// left alone for that widget.
    fn resume(&self) {
        let error = return_signal::error_in_address_bar();
        let key = self.storage_key();
        let persisted = read_persisted(&key);
        match persisted {
            Some(Persisted { attempt, redirected, return_token }) => {
                *self.return_token.borrow_mut() = return_token;
                if storage::read(REDIRECTED_KEY).as_deref() == Some(key.as_str()) {
                    storage::clear(REDIRECTED_KEY);
                }
                if error.is_some() {
                    return_signal::strip_error_from_address_bar();
                }
                let returned = match (&error, redirected) {
                    (Some(code), _) => Some(ReturnSignal::from_error_param(Some(code))),
                    (None, true) => Some(ReturnSignal::Success),
                    // A reload while the consent tab is still open.
                    (None, false) => None,
                };
                self.dispatch(Input::Resume { attempt, returned });
            }
            // This page is a tab-mode return page without its own attempt
            // (the default returnUrl is the widget's page): hand the failure
            // to the widget that is waiting for it, unless another widget on
            // this page left for the consent page itself (redirect mode): the
            // return is that one's, and it strips the parameter as it resumes.
            None => {
                let Some(code) = error else { return };
                if storage::read(REDIRECTED_KEY).is_some_and(|theirs| theirs != key && storage::read(&theirs).is_some()) {
                    return;
                }
                return_signal::strip_error_from_address_bar();
                let token = storage::read(return_signal::TOKEN_KEY);
                storage::clear(return_signal::TOKEN_KEY);
                return_signal::broadcast(Some(&code), token.as_deref());
            }
        }
    }

    fn storage_key(&self) -> String {
        match self.settings.instance_id() {
            id if id.is_empty() => format!("layers-connect:{}", self.settings.project_id()),
            id => format!("layers-connect:{}#{id}", self.settings.project_id()),
        }
    }
}

/// A consent tab opened from a click, and the return token it inherited.
pub struct PreOpened {
    /// The tab; `None` when the browser blocked it.
    pub tab: Option<ConsentTab>,
    /// The token written to sessionStorage while it opened.
    pub token: String,
}

/// Opens the consent tab with a fresh return token. `js/element.js`
/// (`openConsentTab`) does exactly this before the wasm is ready.
fn open_consent_tab() -> PreOpened {
    // The new tab copies this page's sessionStorage as it opens; the token
    // is only there for that instant.
    let token = new_token();
    storage::write(return_signal::TOKEN_KEY, &token);
    let tab = ConsentTab::open_blank();
    storage::clear(return_signal::TOKEN_KEY);
    PreOpened { tab, token }
}

fn read_persisted(key: &str) -> Option<Persisted> {
    storage::read(key).and_then(|json| js_json::decode::<Persisted>(&json).ok())
}

/// The sessionStorage key naming the widget (its record's key) whose attempt
/// sent this page itself to the consent page: the return is that widget's.
const REDIRECTED_KEY: &str = "layers-connect:redirected";

/// An unguessable-enough token to tell widgets' consent tabs apart (not a
/// secret: it only routes a message between tabs of the same origin).
fn new_token() -> String {
    let a = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
    let b = (clock::now_ms() * 1000.0) as u64;
    format!("{a:x}{b:x}")
}
