//! The server (`--features ssr`): renders the app, serves the wasm from the
//! site directory, mounts the reference proxy at /api/layers and serves the
//! return page.
//!
//! ```text
//! LAYERS_API_BASE   the Layers API (or the sandbox), e.g. http://127.0.0.1:8081
//! LAYERS_API_KEY    its key; it stays in this process
//! LAYERS_AUTHORIZE_ORIGIN  only for the sandbox: the origin of its consent
//!                   pages, which are not on TikTok's or Instagram's hosts
//! PORT              where to listen on 127.0.0.1 (default 3000)
//! APP_ORIGIN        the origin browsers use (default http://127.0.0.1:PORT)
//! LEPTOS_SITE_ROOT  the built site: pkg/ with the wasm (default target/site/leptos-ssr)
//! ```

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::run().await
}

/// The wasm build has no `main`: `hydrate()` in lib.rs is its entry point.
#[cfg(not(feature = "ssr"))]
fn main() {}

#[cfg(feature = "ssr")]
mod server {
    use axum::http::header;
    use axum::response::{Html, IntoResponse};
    use axum::routing::get;
    use axum::Router;
    use layers_leptos_ssr::app::{shell, App, RETURN_PATH};
    use layers_proxy::{ApiKey, Config, UpstreamBase};
    use leptos::prelude::*;
    use leptos_axum::{generate_route_list, LeptosRoutes};
    use std::net::{Ipv4Addr, SocketAddr};
    use std::process::ExitCode;
    use url::Url;

    fn env(name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }

    pub async fn run() -> ExitCode {
        let port = match env("PORT").map(|p| p.parse::<u16>()) {
            None => 3000,
            Some(Ok(port)) => port,
            Some(Err(e)) => return fail(&format!("PORT: {e}")),
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let origin = env("APP_ORIGIN").unwrap_or_else(|| format!("http://{addr}"));
        let config = match proxy_config(&origin) {
            Ok(config) => config,
            Err(e) => return fail(&e),
        };
        // What cargo-leptos would pass as LEPTOS_OUTPUT_NAME, LEPTOS_SITE_ROOT
        // and LEPTOS_SITE_PKG_DIR: where HydrationScripts finds the wasm.
        let options = LeptosOptions::builder()
            .output_name("layers_leptos_ssr")
            .site_root(env("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site/leptos-ssr".into()))
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();

        let routes = generate_route_list(App);
        let app = Router::new()
            // The widget's only backend: the key never leaves this process.
            .nest_service("/api/layers", layers_proxy::router(config))
            // Plain HTML and the return helper: no wasm on the return page.
            .route(RETURN_PATH, get(|| async { Html(include_str!("../public/return.html")) }))
            .route("/connect/return-page.js", get(|| async { javascript(include_str!("../public/return-page.js")) }))
            .route("/connect/return.js", get(|| async { javascript(layers_connect::return_page::SCRIPT) }))
            .leptos_routes(&options, routes, {
                let options = options.clone();
                move || shell(options.clone())
            })
            // The wasm and its glue, from the site root.
            .fallback(leptos_axum::file_and_error_handler(shell))
            .with_state(options);

        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(e) => return fail(&format!("cannot listen on {addr}: {e}")),
        };
        println!("layers-leptos-ssr: listening on {origin}");
        // Ctrl-C finishes the requests under way, then stops.
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e.to_string()),
        }
    }

    /// The proxy for this app: one project, this app's return page, this
    /// app's origin.
    fn proxy_config(origin: &str) -> Result<Config, String> {
        let base = env("LAYERS_API_BASE").ok_or("LAYERS_API_BASE is not set (the Layers API or the sandbox)")?;
        let base: UpstreamBase = base.parse().map_err(|e| format!("LAYERS_API_BASE: {e}"))?;
        let key = env("LAYERS_API_KEY").ok_or("LAYERS_API_KEY is not set")?;
        let origin = Url::parse(origin).map_err(|e| format!("APP_ORIGIN: {e}"))?;
        let return_url = origin.join(RETURN_PATH).map_err(|e| format!("APP_ORIGIN: {e}"))?;
        let mut config = Config::new(base, ApiKey::new(key))
            .allow_projects(["prj_demo"])
            .allow_return_url(return_url)
            .allowed_origin(&origin);
        if let Some(consent) = env("LAYERS_AUTHORIZE_ORIGIN") {
            let consent = Url::parse(&consent).map_err(|e| format!("LAYERS_AUTHORIZE_ORIGIN: {e}"))?;
            config = config.allow_authorize_origin(&consent);
        }
        Ok(config)
    }

    fn javascript(source: &'static str) -> impl IntoResponse {
        ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], source)
    }

    fn fail(why: &str) -> ExitCode {
        eprintln!("layers-leptos-ssr: {why}");
        ExitCode::from(2)
    }
}
