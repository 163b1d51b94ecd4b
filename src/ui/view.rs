//! The widget's view: renders a [`Phase`] and nothing else. Every decision is
//! the core's; every string comes from [`Messages`].

use crate::copy::{announcement, failure_text, time_left};
use super::hook::UseConnect;
use crate::api::Platform;
use crate::flow::{Phase, PhaseName};
use crate::messages::{fill, Messages};
use gloo_timers::callback::Interval;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The stylesheet, rendered inside the component so it works both in the
/// custom element's shadow root and in a Leptos app's light DOM.
pub const STYLE: &str = include_str!("style.css");

/// Renders the widget for `connect`'s phase.
#[component]
pub fn ConnectView(
    /// The flow to render and drive.
    connect: UseConnect,
    /// Platforms offered, in order.
    #[prop(into)]
    platforms: Signal<Vec<Platform>>,
    /// The strings.
    #[prop(into)]
    messages: Signal<Messages>,
) -> impl IntoView {
    let phase = connect.phase;
    let name = Memo::new(move |_| phase.with(Phase::name));
    let now = use_clock_while(move || matches!(name.get(), PhaseName::Waiting | PhaseName::Finishing));
    let root = NodeRef::<html::Div>::new();

    // An action button the customer pressed disappears with the phase it
    // belonged to; give focus to the next action instead of losing it to <body>.
    // This effect can run before the view has swapped in the new phase's
    // buttons, so look after the DOM update (a macrotask: render effects run
    // as microtasks); by then the widget may be gone.
    Effect::new(move |previous: Option<PhaseName>| {
        let current = name.get();
        if previous.is_some_and(|p| p != current) {
            set_timeout(
                move || {
                    if let Some(root) = root.try_get_untracked().flatten() {
                        focus_next_action(&root);
                    }
                },
                std::time::Duration::ZERO,
            );
        }
        current
    });

    let body = move || {
        let m = messages.get();
        phase.with(|p| match p {
            Phase::Idle => buttons(connect, platforms.get(), &m).into_any(),
            Phase::Starting(s) => progress(&fill(&m.opening, &[("platform", s.platform.label())]), None, Some(connect), &m).into_any(),
            Phase::Redirecting { attempt, .. } => {
                progress(&fill(&m.opening, &[("platform", attempt.platform.label())]), None, None, &m).into_any()
            }
            Phase::Waiting(polling) | Phase::Finishing(polling) => {
                let platform = polling.attempt.platform.label();
                let finishing = matches!(p, Phase::Finishing(_));
                let text = if finishing { m.finishing.to_string() } else { fill(&m.waiting, &[("platform", platform)]) };
                let expires = polling.attempt.expires_at;
                let left = move || time_left(&messages.get(), expires, now.get());
                let blocked = polling.blocked_link().map(|href| {
                    let label = fill(&m.continue_to, &[("platform", platform)]);
                    view! {
                        <p class="lc-detail" part="message">{m.tab_blocked.to_string()}</p>
                        <a class="lc-link" part="link" href=href.to_string() target="_blank" rel="noopener noreferrer" data-autofocus="">{label}</a>
                    }
                });
                // Polling is paused offline, or backing off after errors; say
                // so rather than count down silently.
                let retrying = polling.is_retrying();
                let offline = move || {
                    let m = messages.get();
                    let (part, text) = match (connect.online.get(), retrying) {
                        (false, _) => ("message offline", m.offline),
                        (true, true) => ("message retrying", m.retrying),
                        (true, false) => return None,
                    };
                    Some(view! { <p class="lc-detail lc-error" part=part>{text.to_string()}</p> })
                };
                view! {
                    {progress(&text, Some(Box::new(left)), Some(connect), &m)}
                    {offline}
                    {blocked}
                }
                .into_any()
            }
            Phase::Connected(c) => {
                let handle = c.connection.handle.clone().or_else(|| c.account.as_ref().map(|a| a.handle.clone())).unwrap_or_default();
                let avatar = c.account.as_ref().and_then(|a| a.avatar_url.clone()).filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                let display = c.account.as_ref().and_then(|a| a.display_name.clone());
                view! {
                    <p class="lc-status lc-success" part="status connected">
                        {avatar.map(|src| view! { <img class="lc-avatar" part="avatar" src=src alt="" width="32" height="32"/> })}
                        <span>{fill(&m.connected, &[("handle", &handle)])}</span>
                    </p>
                    {display.map(|d| view! { <p class="lc-detail" part="detail">{d}</p> })}
                    <div class="lc-actions">
                        <button type="button" class="lc-button lc-secondary" part="button reset" data-autofocus="" on:click=move |_| connect.reset()>
                            {m.connect_another.to_string()}
                        </button>
                    </div>
                }
                .into_any()
            }
            Phase::Cancelled { .. } => view! {
                <p class="lc-detail" part="message">{m.cancelled.to_string()}</p>
                {buttons(connect, platforms.get(), &m)}
            }
            .into_any(),
            ended => {
                let text = failure_text(&m, ended);
                view! {
                    <p class="lc-status lc-error" part="status error">{text}</p>
                    <div class="lc-actions">
                        <button type="button" class="lc-button" part="button retry" data-autofocus="" on:click=move |_| connect.retry()>
                            {m.try_again.to_string()}
                        </button>
                        <button type="button" class="lc-button lc-secondary" part="button reset" on:click=move |_| connect.reset()>
                            {m.cancel.to_string()}
                        </button>
                    </div>
                }
                .into_any()
            }
        })
    };

    view! {
        <style>{STYLE}</style>
        <div class="lc-root" part="root" node_ref=root data-phase=move || name.get().as_str()>
            {body}
            // One polite live region for the phase, not the ticking countdown.
            <p class="lc-visually-hidden" role="status" aria-live="polite">
                {move || phase.with(|p| announcement(&messages.get(), p))}
            </p>
        </div>
    }
}

fn buttons(connect: UseConnect, platforms: Vec<Platform>, m: &Messages) -> impl IntoView {
    let buttons = platforms
        .into_iter()
        .map(|platform| {
            let label = fill(&m.connect, &[("platform", platform.label())]);
            view! {
                <button type="button" class="lc-button" part=format!("button connect {}", platform.as_str())
                    data-platform=platform.as_str() on:click=move |_| connect.connect(platform)>
                    {label}
                </button>
            }
        })
        .collect_view();
    view! { <div class="lc-buttons" part="buttons">{buttons}</div> }
}

/// The detail line under a progress message (the countdown).
type Detail = Box<dyn Fn() -> String + Send + Sync>;

fn progress(text: &str, detail: Option<Detail>, cancel: Option<UseConnect>, m: &Messages) -> impl IntoView {
    view! {
        <p class="lc-status" part="status progress">
            <span class="lc-spinner" aria-hidden="true"></span>
            <span>{text.to_string()}</span>
        </p>
        {detail.map(|d| view! { <p class="lc-detail" part="detail">{move || d()}</p> })}
        {cancel.map(|connect| view! {
            <div class="lc-actions">
                <button type="button" class="lc-button lc-secondary" part="button cancel" on:click=move |_| connect.cancel()>
                    {m.cancel.to_string()}
                </button>
            </div>
        })}
    }
}

/// Epoch ms, ticking every second while `active` holds; no timer otherwise.
fn use_clock_while(active: impl Fn() -> bool + Send + Sync + 'static) -> Signal<u64> {
    let now = RwSignal::new(crate::browser::clock::now_ms() as u64);
    let ticker = StoredValue::new_local(None::<Interval>);
    Effect::new(move |_| {
        let interval = active().then(|| {
            now.set(crate::browser::clock::now_ms() as u64);
            Interval::new(1_000, move || now.set(crate::browser::clock::now_ms() as u64))
        });
        ticker.set_value(interval);
    });
    now.into()
}

fn focus_next_action(root: &web_sys::HtmlDivElement) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    // In a shadow root the document's active element is the host; ask the root.
    let active = match root.get_root_node().dyn_into::<web_sys::ShadowRoot>() {
        Ok(shadow) => shadow.active_element(),
        Err(_) => document.active_element(),
    };
    let lost = match &active {
        None => true,
        Some(a) => a.tag_name().eq_ignore_ascii_case("body") || !a.is_connected(),
    };
    if !lost {
        return;
    }
    let target = root
        .query_selector("[data-autofocus]")
        .ok()
        .flatten()
        .or_else(|| root.query_selector("button").ok().flatten());
    if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
