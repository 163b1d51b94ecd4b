//! `layers-demo`: the demo server. Serves the demo pages and the widget on
//! http://127.0.0.1:$PORT/ with the proxy at /api/layers, in front of the real
//! Layers API (LAYERS_API_BASE + LAYERS_API_KEY) or an in-process sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use layers_demo::{self as demo, Settings, Upstream};
use layers_proxy::ApiKey;
use layers_proxy_server::cli::{self, Command};
use layers_proxy_server::run::{init_tracing, shutdown_signal};
use layers_proxy_server::serve::serve;
use layers_proxy_server::settings;

const USAGE: &str = "\
layers-demo: the layers-connect demo. Serves the demo pages (./www), the widget
(./dist) and the proxy (/api/layers/) on http://127.0.0.1:$PORT/, in front of
an embedded Layers sandbox, or of the real Layers API when LAYERS_API_BASE and
a key are set.

Usage: layers-demo [--help]

Every setting is an environment variable (docs/proxy.md):
  PORT                              demo port on 127.0.0.1 (default 8080)
  LAYERS_SANDBOX_PORT               embedded sandbox port on 127.0.0.1 (default 0: any free port)
  LAYERS_API_BASE                   Layers base URL (with a key: no sandbox)
  LAYERS_API_KEY                    the Layers API key (or LAYERS_API_KEY_FILE)
  LAYERS_API_KEY_FILE               a file holding the key
  LAYERS_PROXY_WWW_DIR              demo pages (default ./www)
  LAYERS_PROXY_DIST_DIR             built widget (default ./dist)
  LAYERS_PROXY_PROJECTS             comma-separated projects (default prj_demo)
  LAYERS_PROXY_RETURN_URLS          comma-separated return URL allowlist (default the demo's)
  LAYERS_PROXY_ALLOWED_ORIGINS      extra origins trusted to POST
  LAYERS_PROXY_AUTHORIZE_ORIGINS    origins besides TikTok's and Instagram's an authorizeUrl may use
  LAYERS_PROXY_COOKIE_SECRET        64+ bytes signing the session cookie (default: per process)
  LAYERS_WEBHOOK_SECRET             whsec_… webhook secret; with the embedded sandbox, which then
                                    delivers social_account.connected to this proxy (default: per process)
  LAYERS_PROXY_REDIS_URL            redis://host:6379/0 shared by several instances (default: none)
  LAYERS_PROXY_MAX_EVENT_STREAMS    open outcome streams (SSE) per process (default 10000)
  LAYERS_PROXY_CONNECT_TIMEOUT_MS   upstream connect timeout (default 5000)
  LAYERS_PROXY_TIMEOUT_MS           upstream total timeout (default 15000)
  LAYERS_PROXY_HEADER_TIMEOUT_MS    time for a request's headers, and keep-alive idle time (default 10000)
  LAYERS_PROXY_BODY_TIMEOUT_MS      time for a whole mint body (default 10000)
  LAYERS_PROXY_MAX_CONNECTIONS      open connections at most; more wait to be accepted (default 512)
  LAYERS_PROXY_STATE_MAX_AGE_SECONDS  how long a state cookie is honoured (default 900)
  LAYERS_PROXY_MINT_LIMIT           mints per browser session per window (default 10)
  LAYERS_PROXY_MINT_WINDOW_SECONDS  that window (default 600)
  LAYERS_PROXY_LOG_FORMAT           json for JSON log lines (default text)
  RUST_LOG                          log filter (default info)
";

#[tokio::main]
async fn main() -> ExitCode {
    match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve) => {}
        Err(error) => {
            eprintln!("layers-demo: {error}");
            return ExitCode::from(2);
        }
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("layers-demo: {error}");
            return ExitCode::FAILURE;
        }
    };
    // Held to the end of main: dropping it writes out the last log lines.
    let _logs = init_tracing(settings.json_logs);

    let (upstream, sandbox) = match &settings.upstream {
        Upstream::Remote(remote) => (remote.clone(), None),
        Upstream::Sandbox => {
            let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, settings.sandbox_port));
            match layers_sandbox::spawn(demo::sandbox_config(&settings), loopback).await {
                Ok(running) => {
                    println!(
                        "No LAYERS_API_BASE / LAYERS_API_KEY: using the embedded Layers sandbox at {} with its demo key",
                        running.url(),
                    );
                    let base = match running.url().clone().try_into() {
                        Ok(base) => base,
                        Err(error) => {
                            eprintln!("layers-demo: the embedded sandbox's URL: {error}");
                            return ExitCode::FAILURE;
                        }
                    };
                    let upstream = settings::Upstream {
                        base,
                        key: ApiKey::new(demo::SANDBOX_KEY),
                    };
                    (upstream, Some(running))
                }
                Err(error) => {
                    eprintln!(
                        "layers-demo: cannot start the embedded sandbox on {loopback}: {error} \
                         (set LAYERS_SANDBOX_PORT to another port, or 0)"
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
    };

    for (name, dir) in [
        ("demo pages", &settings.www_dir),
        ("widget bundle", &settings.dist_dir),
    ] {
        if !dir.is_dir() {
            tracing::warn!(dir = %dir.display(), "{name} folder not found: those URLs will answer 404 until it exists");
        }
    }

    let info = demo::DemoInfo::new(
        sandbox.as_ref().map(|running| running.url()),
        &upstream.base,
    );
    let mut config = settings.proxy_config(&upstream);
    if let Some(running) = &sandbox {
        // The sandbox serves its consent pages itself, on its own origin.
        config = config.allow_authorize_origin(running.url());
    }
    let app = demo::app(
        layers_proxy::router(config),
        &settings.www_dir,
        &settings.dist_dir,
        info,
    );
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, settings.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("layers-demo: cannot listen on {addr}: {error} (set PORT to another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("Demo page:  {}", settings.page_url());
    println!("Proxy:      {}api/layers/", settings.page_url());
    println!("Layers API: {}", upstream.base);

    serve(listener, app, settings.connection_limits, shutdown_signal()).await;
    if let Some(running) = sandbox {
        running.shutdown().await;
    }
    ExitCode::SUCCESS
}
