//! `layers-proxy`: the demo server. Serves the demo pages and the widget on
//! http://127.0.0.1:$PORT/ with the proxy at /api/layers, in front of the real
//! Layers API (LAYERS_API_BASE + LAYERS_API_KEY) or an in-process sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use layers_proxy::demo::{self, Settings, Upstream};
use layers_proxy::ApiKey;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("layers-proxy: {error}");
            return ExitCode::FAILURE;
        }
    };
    init_tracing(settings.json_logs);

    let (base, key, sandbox) = match &settings.upstream {
        Upstream::Remote { base, key } => (base.clone(), key.clone(), None),
        Upstream::Sandbox => {
            let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            match layers_sandbox::spawn(demo::sandbox_config(&settings), loopback).await {
                Ok(running) => {
                    println!(
                        "No LAYERS_API_BASE / LAYERS_API_KEY: using the embedded Layers sandbox at {} with its demo key",
                        running.url(),
                    );
                    (
                        running.url().clone(),
                        ApiKey::new(demo::SANDBOX_KEY),
                        Some(running),
                    )
                }
                Err(error) => {
                    eprintln!("layers-proxy: cannot start the embedded sandbox: {error}");
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

    let info = demo::DemoInfo {
        sandbox_url: sandbox.as_ref().map(|running| running.url().to_string()),
        upstream: Some(base.to_string()),
    };
    let config = settings.proxy_config(base.clone(), key);
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
            eprintln!("layers-proxy: cannot listen on {addr}: {error} (set PORT to another port)");
            return ExitCode::FAILURE;
        }
    };
    println!("Demo page:  {}", settings.page_url());
    println!("Proxy:      {}api/layers/", settings.page_url());
    println!("Layers API: {base}");

    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    if let Some(running) = sandbox {
        running.shutdown().await;
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("layers-proxy: server error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish in-flight requests, exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
