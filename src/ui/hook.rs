//! `use_connect`: the connect flow as a Leptos hook.

use crate::api::Platform;
#[cfg(browser)]
use crate::api::OAuthUrlRequest;
#[cfg(browser)]
use crate::browser::shell::{Observer, Settings, Shell};
use crate::flow::{Event, Mode, Phase};
use leptos::prelude::*;
use std::rc::Rc;
#[cfg(not(browser))]
use server::Shell;

/// Receives every event the flow emits, in order.
pub type EventHandler = Rc<dyn Fn(&Event)>;

/// How to connect, beyond the endpoint and the project (which
/// [`use_connect`] takes). Every field has a default, so set only what you
/// need: `UseConnectOptions { mode: Mode::Redirect.into(), ..Default::default() }`.
/// Every signal is read when it is needed, so a change applies to the next
/// request.
#[derive(Clone)]
pub struct UseConnectOptions {
    /// Where Layers sends the customer back; `None` (the default) is this
    /// page without its query. Relative URLs resolve against the document.
    pub return_url: Signal<Option<String>>,
    /// Platform scopes; `None` (the default) asks for Layers' full default set.
    pub scopes: Signal<Option<Vec<String>>>,
    /// Opaque note passed to Layers; none by default.
    pub usage_note: Signal<Option<String>>,
    /// New tab (the default) or same-page redirect.
    pub mode: Signal<Mode>,
    /// Called with every event the flow emits, in order; none by default.
    pub on_event: Option<EventHandler>,
    /// Keeps this widget's persisted attempt apart from other widgets' of
    /// the same project on one page; empty (the default) when there is only one.
    pub instance_id: String,
}

impl Default for UseConnectOptions {
    fn default() -> Self {
        UseConnectOptions {
            return_url: Signal::stored(None),
            scopes: Signal::stored(None),
            usage_note: Signal::stored(None),
            mode: Signal::stored(Mode::Tab),
            on_event: None,
            instance_id: String::new(),
        }
    }
}

/// What [`use_connect`] returns: the phase to render and the actions.
#[derive(Clone, Copy)]
pub struct UseConnect {
    /// The current phase.
    pub phase: Signal<Phase>,
    /// Whether the browser is online; polling pauses while it is not.
    pub online: Signal<bool>,
    /// Empty until the shell starts: on the server, never; after hydration,
    /// once the hydrated view is in place (see [`start_shell`]).
    shell: StoredValue<Option<Rc<Shell>>, LocalStorage>,
}

impl UseConnect {
    /// Starts connecting `platform`. Call it from a click handler, without
    /// awaiting anything first, or the browser blocks the consent tab.
    pub fn connect(&self, platform: Platform) {
        self.with(|s| s.connect(platform));
    }
    /// [`Self::connect`] with a consent tab the custom element opened
    /// before the wasm was ready.
    #[cfg(browser)]
    pub(crate) fn connect_with_tab(&self, platform: Platform, pre_opened: crate::browser::shell::PreOpened) {
        self.with(move |s| s.connect_with_tab(platform, pre_opened));
    }
    /// "Try again" with a fresh URL for the same platform.
    pub fn retry(&self) {
        self.with(|s| s.retry());
    }
    /// Stops the attempt under way.
    pub fn cancel(&self) {
        self.with(|s| s.cancel());
    }
    /// Back to the buttons.
    pub fn reset(&self) {
        self.with(|s| s.reset());
    }

    /// A hook that only shows `phase` and does nothing: the server's
    /// rendering of the element's first screens (see `ui::first_paint`).
    #[cfg(all(feature = "ssr", not(browser)))]
    pub(crate) fn showing(phase: Phase) -> Self {
        UseConnect { phase: Signal::stored(phase), online: Signal::stored(true), shell: StoredValue::new_local(None) }
    }

    fn with(&self, f: impl FnOnce(&Shell)) {
        // Clone the Rc out first: the action may dispose the owner (an event
        // listener that removes the widget), which must not happen mid-borrow.
        if let Some(shell) = self.shell.try_get_value().flatten() {
            f(&shell);
        }
    }
}

/// Runs the connect flow against the proxy at `endpoint` for `project_id`,
/// for as long as the calling owner lives: listens for the customer's return,
/// resumes a persisted attempt, polls by the rules in [`crate::flow`]. When
/// the owner is disposed (the component unmounts) every timer, listener and
/// request stops. [`use_connect_with_options`] sets the rest.
///
/// ```ignore
/// let connect = use_connect("/api/layers", "prj_demo");
/// view! { <button on:click=move |_| connect.connect(Platform::Tiktok)>"Connect TikTok"</button> }
/// ```
pub fn use_connect(endpoint: impl Into<Signal<String>>, project_id: impl Into<Signal<String>>) -> UseConnect {
    use_connect_with_options(endpoint, project_id, UseConnectOptions::default())
}

/// [`use_connect`] with [`UseConnectOptions`].
///
/// ```ignore
/// let connect = use_connect_with_options(
///     "/api/layers",
///     "prj_demo",
///     UseConnectOptions { mode: Mode::Redirect.into(), ..Default::default() },
/// );
/// ```
pub fn use_connect_with_options(
    endpoint: impl Into<Signal<String>>,
    project_id: impl Into<Signal<String>>,
    options: UseConnectOptions,
) -> UseConnect {
    #[cfg(browser)]
    {
        let on_event = options.on_event.clone();
        let settings = SignalSettings { endpoint: endpoint.into(), project_id: project_id.into(), options };
        use_connect_with_settings(Box::new(settings), on_event)
    }
    // On the server the widget only renders its first screen: the buttons.
    #[cfg(not(browser))]
    {
        let _ = (endpoint, project_id, options);
        UseConnect { phase: Signal::stored(Phase::Idle), online: Signal::stored(true), shell: StoredValue::new_local(None) }
    }
}

/// The flow with the settings read from elsewhere than signals (the custom
/// element reads its validated attributes directly).
#[cfg(browser)]
pub(crate) fn use_connect_with_settings(settings: Box<dyn Settings>, on_event: Option<EventHandler>) -> UseConnect {
    let phase = RwSignal::new(Phase::Idle);
    let online = RwSignal::new(true);
    let observer = SignalObserver { phase, online, on_event };
    let shell = StoredValue::new_local(None);
    start_shell(shell, settings, Box::new(observer));
    UseConnect { phase: phase.into(), online: online.into(), shell }
}

/// Client-side rendering: the shell starts at once, so an action called right
/// after mounting (the element's `start()`) already reaches it.
#[cfg(all(browser, not(feature = "hydrate")))]
fn start_shell(slot: StoredValue<Option<Rc<Shell>>, LocalStorage>, settings: Box<dyn Settings>, observer: Box<dyn Observer>) {
    slot.set_value(Some(Shell::start(settings, observer)));
}

/// Hydration: the view must first match the server's HTML, which shows the
/// idle screen. Starting the shell may change the phase at once (a persisted
/// attempt resumes, the browser is offline), so it starts in an effect:
/// effects run only in the browser, after the hydrated view is in place, and
/// never if the owner is gone by then. Timers, storage, the return channel
/// and requests all belong to the shell, so none of them runs before.
#[cfg(all(browser, feature = "hydrate"))]
fn start_shell(slot: StoredValue<Option<Rc<Shell>>, LocalStorage>, settings: Box<dyn Settings>, observer: Box<dyn Observer>) {
    let pending = StoredValue::new_local(Some((settings, observer)));
    Effect::new(move |_| {
        let Some((settings, observer)) = pending.try_update_value(Option::take).flatten() else { return };
        untrack(|| slot.set_value(Some(Shell::start(settings, observer))));
    });
}

/// The server has no browser to run the flow in: nothing to start, and
/// nothing for the actions to do (no one can press a button there).
#[cfg(not(browser))]
mod server {
    pub struct Shell;
    impl Shell {
        pub fn connect(&self, _: super::Platform) {}
        pub fn retry(&self) {}
        pub fn cancel(&self) {}
        pub fn reset(&self) {}
    }
}

#[cfg(browser)]
struct SignalSettings {
    endpoint: Signal<String>,
    project_id: Signal<String>,
    options: UseConnectOptions,
}

#[cfg(browser)]
impl Settings for SignalSettings {
    fn endpoint(&self) -> String {
        self.endpoint.get_untracked()
    }
    fn project_id(&self) -> String {
        self.project_id.get_untracked()
    }
    fn mode(&self) -> Mode {
        self.options.mode.get_untracked()
    }
    fn instance_id(&self) -> String {
        self.options.instance_id.clone()
    }
    fn mint_request(&self, platform: Platform) -> OAuthUrlRequest {
        OAuthUrlRequest {
            platform,
            return_url: resolve_return_url(self.options.return_url.get_untracked().as_deref()),
            scopes: self.options.scopes.get_untracked(),
            usage_note: self.options.usage_note.get_untracked(),
        }
    }
}

/// `None` or empty: this page without query or fragment (Layers' allowlist
/// matches the path). Relative: resolved against the document's base URL.
#[cfg(browser)]
pub(crate) fn resolve_return_url(configured: Option<&str>) -> String {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return configured.unwrap_or_default().to_string();
    };
    let base = document.base_uri().ok().flatten().unwrap_or_default();
    let url = match configured.filter(|u| !u.trim().is_empty()) {
        Some(u) => web_sys::Url::new_with_base(u.trim(), &base),
        None => web_sys::Url::new(&document.url().unwrap_or_default()).inspect(|u| {
            u.set_search("");
            u.set_hash("");
        }),
    };
    url.map(|u| u.href()).unwrap_or_else(|_| configured.unwrap_or_default().to_string())
}

#[cfg(browser)]
struct SignalObserver {
    phase: RwSignal<Phase>,
    online: RwSignal<bool>,
    on_event: Option<EventHandler>,
}

#[cfg(browser)]
impl Observer for SignalObserver {
    fn phase(&self, phase: &Phase) {
        if self.phase.try_with_untracked(|p| p != phase).unwrap_or(false) {
            self.phase.set(phase.clone());
        }
    }
    fn online(&self, online: bool) {
        if self.online.try_get_untracked() != Some(online) {
            self.online.set(online);
        }
    }
    fn event(&self, event: &Event) {
        if let Some(f) = &self.on_event {
            f(event);
        }
    }
}
