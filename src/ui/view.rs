//! The widget's view: renders a [`Screen`] and nothing else. What a phase
//! shows is decided in [`crate::screen`]; every string comes from [`Messages`].

use super::hook::UseConnect;
use crate::api::Platform;
use crate::flow::{Phase, PhaseName};
use crate::messages::Messages;
use crate::screen::{screen, Screen, Tone};
use leptos::html;
use leptos::prelude::*;

/// The stylesheet. [`super::LayersConnect`] renders it in a Leptos app's
/// light DOM; the custom element adopts it as a constructable stylesheet
/// (which a strict CSP allows, unlike a `<style>`), so this view has none.
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
    let screen = Memo::new(move |_| {
        let (online, now) = (connect.online.get(), now.get());
        messages.with(|m| platforms.with(|ps| phase.with(|p| screen(p, m, online, now, ps))))
    });
    let root = NodeRef::<html::Div>::new();
    #[cfg(browser)]
    refocus_when_actions_change(name, root);

    view! {
        <div class="lc-root" part="root" node_ref=root data-phase=move || screen.with(|s| s.phase)>
            // One tree for every screen, updated in place (see crate::screen).
            {move || screen.with(|s| render(connect, s))}
            // One polite live region for the phase, not the ticking countdown.
            <p class="lc-visually-hidden" role="status" aria-live="polite">
                {move || screen.with(|s| s.announcement.clone())}
            </p>
        </div>
    }
}

#[cfg(browser)]
fn refocus_when_actions_change(name: Memo<PhaseName>, root: NodeRef<html::Div>) {
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
}

/// In place of the widget when its configuration cannot work: what is wrong,
/// in words for the integrator (as the custom element shows it).
pub(crate) fn invalid_configuration(problem: String) -> impl IntoView {
    view! {
        <div class="lc-root" part="root" data-phase="invalid">
            <p class="lc-status lc-error" part="status error" role="alert">{problem}</p>
        </div>
    }
}

fn render(connect: UseConnect, s: &Screen) -> impl IntoView {
    let status = s.status.clone().map(|status| {
        view! {
            <p class=status.tone.class() part=status.tone.part()>
                {(status.tone == Tone::Progress).then(|| view! { <span class="lc-spinner" aria-hidden="true"></span> })}
                {status.avatar.map(|src| view! { <img class="lc-avatar" part="avatar" src=src alt="" width="32" height="32"/> })}
                <span>{status.text}</span>
            </p>
        }
    });
    let details = s.details.iter().map(|text| view! { <p class="lc-detail" part="detail">{text.clone()}</p> }).collect_view();
    let has_actions = s.retry.is_some() || s.cancel.is_some() || s.reset.is_some();
    // The next action takes focus when the pressed button went away:
    // "Try again" after a failure, "Connect another account" after success.
    let reset_first = s.retry.is_none();
    let actions = has_actions.then(|| {
        view! {
            <div class="lc-actions">
                {s.retry.clone().map(|label| view! {
                    <button type="button" class="lc-button" part="button retry" data-autofocus="" on:click=move |_| connect.retry()>{label}</button>
                })}
                {s.cancel.clone().map(|label| view! {
                    <button type="button" class="lc-button lc-secondary" part="button cancel" on:click=move |_| connect.cancel()>{label}</button>
                })}
                {s.reset.clone().map(|label| view! {
                    <button type="button" class="lc-button lc-secondary" part="button reset" data-autofocus=reset_first.then_some("")
                        on:click=move |_| connect.reset()>{label}</button>
                })}
            </div>
        }
    });
    let notices = s
        .notices
        .iter()
        .map(|n| {
            let class = if n.alert { "lc-detail lc-error" } else { "lc-detail" };
            view! { <p class=class part=n.part>{n.text.clone()}</p> }
        })
        .collect_view();
    let link = s.link.clone().map(|link| {
        view! { <a class="lc-link" part="link" href=link.href target="_blank" rel="noopener noreferrer" data-autofocus="">{link.label}</a> }
    });
    let buttons = (!s.connect.is_empty()).then(|| {
        let buttons = s
            .connect
            .iter()
            .map(|&(platform, ref label)| {
                view! {
                    <button type="button" class="lc-button" part=format!("button connect {}", platform.as_str())
                        data-platform=platform.as_str() on:click=move |_| connect.connect(platform)>
                        {label.clone()}
                    </button>
                }
            })
            .collect_view();
        view! { <div class="lc-buttons" part="buttons">{buttons}</div> }
    });
    (status, details, actions, notices, link, buttons)
}

/// Epoch ms, ticking every second while `active` holds; no timer otherwise.
#[cfg(browser)]
fn use_clock_while(active: impl Fn() -> bool + Send + Sync + 'static) -> Signal<u64> {
    use gloo_timers::callback::Interval;
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

/// On the server the phase is idle, whose screen shows no time: no clock.
#[cfg(not(browser))]
fn use_clock_while(active: impl Fn() -> bool + Send + Sync + 'static) -> Signal<u64> {
    let _ = active;
    Signal::stored(0)
}

#[cfg(browser)]
fn focus_next_action(root: &web_sys::HtmlDivElement) {
    use wasm_bindgen::JsCast;
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
