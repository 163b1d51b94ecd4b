//! Process plumbing for the servers: logs to stdout and a graceful stop.
//! (The sandbox binary keeps its own small copy of the signal wait: it does
//! not depend on the proxy.)

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::log_writer::{BatchedWriter, FlushOnDrop};

/// `RUST_LOG` filter (default `info`); JSON lines when `json`. Lines go to
/// stdout in batches ([`crate::log_writer`]); keep the guard until exit.
pub fn init_tracing(json: bool) -> FlushOnDrop {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal: in a file or a log collector
    // the escape codes are noise, and writing them was about 5% of the
    // proxy's instructions per request (callgrind, docs/proxy.md).
    let (writer, guard) = BatchedWriter::stdout();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal())
        .with_writer(writer);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    guard
}

/// Ctrl-C or SIGTERM: stop accepting, finish in-flight requests, exit.
pub async fn shutdown_signal() {
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

/// `GET /healthz`: `{"status":"ok"}`, liveness only (it does not call Layers).
pub async fn healthz() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}
