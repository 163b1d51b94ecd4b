//! The document shell and the app: a dashboard page with the widget, and a
//! page whose widget is misconfigured (it shows what is wrong, from the
//! server's first byte).

use layers_connect::flow::{ConnectedEvent, FailedEvent};
use layers_connect::ui::LayersConnect;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::StaticSegment;

/// Where the proxy's router is mounted on this server (see main.rs).
pub const ENDPOINT: &str = "/api/layers";
/// The return page, served by this server (see main.rs); the proxy's and
/// the Layers key's allowlists name its absolute URL.
pub const RETURN_PATH: &str = "/connect/return";

/// The whole document, rendered on the server. `HydrationScripts` loads
/// `/pkg/layers_leptos_ssr.js` and its wasm and calls `hydrate()`.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"Social accounts"</title>
                // No favicon: without this the browser asks for /favicon.ico.
                <link rel="icon" href="data:,"/>
                <HydrationScripts options/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app's routes.
#[component]
pub fn App() -> impl IntoView {
    // "false" in the server's HTML; an effect runs only in the browser, once
    // the page is hydrated (the tests wait for it before clicking).
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    view! {
        <Router>
            <main data-hydrated=move || hydrated.get().to_string()>
                <Routes fallback=|| "Not found.">
                    <Route path=StaticSegment("") view=SocialAccounts/>
                    <Route path=StaticSegment("misconfigured") view=Misconfigured/>
                </Routes>
            </main>
        </Router>
    }
}

/// The partner's page: the widget, and what the page learnt from it.
#[component]
fn SocialAccounts() -> impl IntoView {
    let (connected, set_connected) = signal(Vec::<String>::new());
    let (failed, set_failed) = signal(None::<String>);
    view! {
        <h1>"Social accounts"</h1>
        <LayersConnect
            endpoint=ENDPOINT
            project_id="prj_demo"
            return_url=RETURN_PATH.to_string()
            on_connected=Callback::new(move |e: ConnectedEvent| {
                set_connected.update(|c| c.push(e.handle.unwrap_or(e.social_account_id)))
            })
            on_failed=Callback::new(move |e: FailedEvent| set_failed.set(Some(e.code)))
        />
        <p id="connected">{move || connected.with(|c| format!("Connected: {} ({})", c.len(), c.join(", ")))}</p>
        <p id="failed">{move || failed.get().map(|code| format!("Failed: {code}"))}</p>
    }
}

/// A widget without its endpoint: it says so instead of offering buttons
/// that cannot work.
#[component]
fn Misconfigured() -> impl IntoView {
    view! {
        <h1>"Social accounts"</h1>
        <LayersConnect endpoint="" project_id="prj_demo"/>
    }
}
