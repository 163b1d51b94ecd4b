//! The Leptos component, its hook, and the view they share.

#[cfg(all(feature = "ssr", not(browser)))]
mod first_paint;
mod hook;
mod view;

pub use hook::{use_connect, use_connect_with_options, EventHandler, UseConnect, UseConnectOptions};
// For the custom element.
#[cfg(all(browser, feature = "csr"))]
pub(crate) use hook::{resolve_return_url, use_connect_with_settings};
pub use view::{ConnectView, STYLE};
#[cfg(all(feature = "ssr", not(browser)))]
#[doc(hidden)]
pub use first_paint::element_templates;

use crate::api::Platform;
use crate::attributes::RawAttributes;
use crate::flow::{ConnectedEvent, Event, FailedEvent, Mode, StatusEvent};
use crate::messages::Messages;
use leptos::prelude::*;
use std::rc::Rc;

/// "Connect your TikTok / Instagram account", for Leptos apps.
///
/// Renders the same on the server (`ssr`: the buttons, or what is wrong
/// with the props) as in the browser before the flow starts, so it hydrates
/// without a mismatch (`hydrate`); the flow itself only runs in the browser.
///
/// ```ignore
/// use layers_connect::ui::LayersConnect;
/// use leptos::prelude::*;
///
/// view! {
///     <LayersConnect
///         endpoint="/api/layers"
///         project_id="prj_demo"
///         return_url="/return.html"
///         on_connected=Callback::new(|e: ConnectedEvent| log!("connected {}", e.social_account_id))
///     />
/// }
/// ```
#[component]
pub fn LayersConnect(
    /// Base URL of your backend proxy (which holds the Layers API key).
    #[prop(into)]
    endpoint: Signal<String>,
    /// The Layers project that will own the account.
    #[prop(into)]
    project_id: Signal<String>,
    /// Platforms offered, in order; both by default.
    #[prop(optional, into)]
    platforms: MaybeProp<Vec<Platform>>,
    /// Where Layers sends the customer back (must be on your key's
    /// allowlist); this page without its query by default.
    #[prop(optional, into)]
    return_url: MaybeProp<String>,
    /// Platform scopes; Layers' full default set when absent.
    #[prop(optional, into)]
    scopes: MaybeProp<Vec<String>>,
    /// Opaque note passed to Layers.
    #[prop(optional, into)]
    usage_note: MaybeProp<String>,
    /// A new tab (default) or a same-page redirect.
    #[prop(optional, into)]
    mode: MaybeProp<Mode>,
    /// Language (BCP 47); English by default.
    #[prop(optional, into)]
    lang: MaybeProp<String>,
    /// Strings to use instead of the language's; wins over `lang`.
    #[prop(optional, into)]
    messages: MaybeProp<Messages>,
    /// Every phase change.
    #[prop(optional, into)]
    on_status: Option<Callback<StatusEvent>>,
    /// Once per attempt, when the account is connected.
    #[prop(optional, into)]
    on_connected: Option<Callback<ConnectedEvent>>,
    /// Once per attempt, when it fails (including a failed start).
    #[prop(optional, into)]
    on_failed: Option<Callback<FailedEvent>>,
    /// With several widgets for one project on a page, a distinct id for
    /// each keeps their attempts apart across reloads.
    #[prop(optional, into)]
    instance_id: String,
) -> impl IntoView {
    let on_event: Rc<dyn Fn(&Event)> = Rc::new(move |event: &Event| match event {
        Event::Status(e) => {
            if let Some(cb) = on_status {
                cb.run(e.clone());
            }
        }
        Event::Connected(e) => {
            if let Some(cb) = on_connected {
                cb.run(e.clone());
            }
        }
        Event::Failed(e) => {
            if let Some(cb) = on_failed {
                cb.run(e.clone());
            }
        }
    });
    let options = UseConnectOptions {
        return_url: Signal::derive(move || return_url.get()),
        scopes: Signal::derive(move || scopes.get()),
        usage_note: Signal::derive(move || usage_note.get()),
        mode: Signal::derive(move || mode.get().unwrap_or_default()),
        on_event: Some(on_event),
        instance_id,
    };
    // The element's rules for its attributes, so a missing endpoint or
    // project reads the same in both, instead of a widget that cannot work.
    let problem = Memo::new(move |_| {
        let raw = RawAttributes {
            endpoint: Some(endpoint.get()),
            project_id: Some(project_id.get()),
            platforms: platforms.get().map(|ps| ps.iter().map(|p| p.as_str().to_string()).collect()),
            ..RawAttributes::default()
        };
        raw.validate().err().map(|e| e.to_string())
    });
    let connect = use_connect_with_options(endpoint, project_id, options);
    let platforms = Signal::derive(move || platforms.get().unwrap_or_else(|| vec![Platform::Tiktok, Platform::Instagram]));
    let messages = Signal::derive(move || {
        messages.get().unwrap_or_else(|| Messages::for_lang(&lang.get().unwrap_or_default()))
    });
    view! {
        <style>{STYLE}</style>
        {move || match problem.get() {
            None => view! { <ConnectView connect platforms messages/> }.into_any(),
            Some(problem) => view::invalid_configuration(problem).into_any(),
        }}
    }
}
