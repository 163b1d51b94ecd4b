//! `layers-proxy`: the reference proxy alone, in front of the real Layers API,
//! for a partner who runs it as a service next to their app rather than
//! mounting `layers_proxy::router` in their own axum server.

use std::process::ExitCode;

use axum::routing::get;
use axum::Router;
use layers_proxy_server::cli::{self, Command};
use layers_proxy_server::run::{healthz, init_tracing, shutdown_signal};
use layers_proxy_server::settings::ServerSettings;
use layers_proxy_server::workers;
use layers_proxy_server::PROXY_PREFIX;

/// See Cargo.toml: a measured share of the CPU per forwarded request.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
layers-proxy: the layers-connect reference proxy in front of the Layers API.
Serves the widget's routes under /api/layers/ (the Layers webhook at
/api/layers/webhooks/layers when LAYERS_WEBHOOK_SECRET is set) and GET /healthz.

Usage: layers-proxy [--help]

Every setting is an environment variable (docs/proxy.md):
  LAYERS_API_BASE                   Layers base URL, e.g. https://api.layers.com (required)
  LAYERS_API_KEY                    the Layers API key (or LAYERS_API_KEY_FILE; one is required)
  LAYERS_API_KEY_FILE               a file holding the key
  LAYERS_PROXY_PROJECTS             comma-separated projects users may connect (required)
  LAYERS_PROXY_RETURN_URLS          comma-separated return URL allowlist (required)
  LAYERS_PROXY_ALLOWED_ORIGINS      comma-separated origins trusted to POST (default: same-origin only)
  LAYERS_PROXY_AUTHORIZE_ORIGINS    origins besides TikTok's and Instagram's an authorizeUrl may use (a sandbox's)
  LAYERS_PROXY_COOKIE_SECRET        64+ bytes signing the session cookie (default: per process)
  LAYERS_PROXY_BIND                 address to listen on (default 127.0.0.1)
  PORT                              port to listen on (default 8080)
  LAYERS_PROXY_CONNECT_TIMEOUT_MS   upstream connect timeout (default 5000)
  LAYERS_PROXY_TIMEOUT_MS           upstream total timeout (default 15000)
  LAYERS_PROXY_HEADER_TIMEOUT_MS    time for a request's headers, and keep-alive idle time (default 10000)
  LAYERS_PROXY_BODY_TIMEOUT_MS      time for a whole mint body (default 10000)
  LAYERS_PROXY_MAX_CONNECTIONS      open connections at most; more wait to be accepted (default 512)
  LAYERS_PROXY_WORKERS              N single-threaded runtimes with SO_REUSEPORT listeners
                                    (default unset: one multi-threaded runtime)
  LAYERS_PROXY_STATE_MAX_AGE_SECONDS  how long a state cookie is honoured (default 900)
  LAYERS_PROXY_MINT_LIMIT           mints per browser session per window (default 10)
  LAYERS_PROXY_MINT_WINDOW_SECONDS  that window (default 600)
  LAYERS_WEBHOOK_SECRET             whsec_… secret of the social_account.connected webhook you
                                    register at Layers (enables POST /api/layers/webhooks/layers)
  LAYERS_PROXY_REDIS_URL            redis://host:6379/0 shared by all instances: nudges, webhook
                                    replay ids and mint counts (default: this instance's memory)
  LAYERS_PROXY_MAX_EVENT_STREAMS    open outcome streams (SSE) per process; more get 503 (default 10000)
  LAYERS_PROXY_LOG_FORMAT           json for JSON log lines (default text)
  RUST_LOG                          log filter (default info)
";

fn main() -> ExitCode {
    match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve) => {}
        Err(error) => {
            eprintln!("layers-proxy: {error}");
            return ExitCode::from(2);
        }
    }
    let settings = match ServerSettings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("layers-proxy: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Held to the end of main: dropping it writes out the last log lines.
    let _logs = init_tracing(settings.proxy.json_logs);

    let addr = settings.addr();
    let cannot_listen = |error: std::io::Error| {
        eprintln!("layers-proxy: cannot listen on {addr}: {error} (set PORT / LAYERS_PROXY_BIND)");
        ExitCode::FAILURE
    };
    let limits = settings.proxy.connection_limits;
    // Built once listening: the banner names the bound address.
    let make_app = |bound: std::net::SocketAddr| {
        let app = Router::new()
            .route("/healthz", get(healthz))
            .nest(PROXY_PREFIX, layers_proxy::router(settings.proxy_config()));
        println!("Proxy:      http://{bound}{PROXY_PREFIX}/");
        println!("Layers API: {}", settings.upstream.base);
        app
    };
    let served = match settings.workers {
        None => {
            let listener = match workers::bind_one(addr) {
                Ok(listener) => listener,
                Err(error) => return cannot_listen(error),
            };
            let bound = listener.local_addr().unwrap_or(addr);
            workers::run_shared(listener, || make_app(bound), limits, shutdown_signal())
        }
        Some(count) => {
            let listeners = match workers::bind(addr, count) {
                Ok(listeners) => listeners,
                Err(error) => return cannot_listen(error),
            };
            let bound = listeners[0].local_addr().unwrap_or(addr);
            workers::run(listeners, || make_app(bound), limits, shutdown_signal())
        }
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("layers-proxy: {error}");
            ExitCode::FAILURE
        }
    }
}
