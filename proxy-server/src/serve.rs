//! The HTTP server loop both binaries run the app in, with the limits that
//! keep slow or idle clients from locking everyone else out. `axum::serve`
//! has none: a client that sends half its headers, or opens a connection and
//! says nothing, holds a file descriptor forever, and about a thousand of them
//! exhaust a 1,024 descriptor limit. Here:
//!
//! - **Header timeout**: a request's headers must arrive within
//!   `header_timeout`, counted from when the connection is ready for a request
//!   (accepted, or done with the previous one). So it is also the keep-alive
//!   idle timeout: a connection that sends nothing is closed after it.
//! - **Body timeout**: the proxy's own ([`layers_proxy::Config::body_timeout`]),
//!   since only its mint route reads a body.
//! - **Connection cap**: at most `max_connections` at once. Beyond it the
//!   server stops accepting; new connections wait in the kernel's accept queue
//!   (first come, first served) until a slot frees, which the header timeout
//!   guarantees within `header_timeout` for every stalled connection. Nothing
//!   over the cap is read or buffered, so memory stays bounded.
//!
//! HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a terminator in
//! front handles; plaintext h2c would bring its own slow-client surface.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a stop waits for open connections before closing them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How long and how many; `docs/proxy.md` lists the settings and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// `LAYERS_PROXY_HEADER_TIMEOUT_MS` (default 10000): headers of a request,
    /// and the idle time between two requests on a kept-alive connection.
    pub header_timeout: Duration,
    /// `LAYERS_PROXY_MAX_CONNECTIONS` (default 512).
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            // Each connection may need a second descriptor (to Layers): 2 × 512
            // plus the process's own stays under the common limit of 1,024...
            // barely, so raise `ulimit -n` before raising this.
            max_connections: 512,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting
/// and waits for open connections to finish their request (an idle one closes
/// at once; a stalled one at its header timeout).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    serve_with_slots(listener, app, limits, slots, shutdown).await;
}

/// [`serve`] with the connection cap's `slots` given, so several accept loops
/// (one per worker, [`crate::workers`]) share one cap; `limits.max_connections`
/// is then the semaphore's business.
pub async fn serve_with_slots(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    slots: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);

    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // EMFILE and friends: wait for descriptors to free instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A header timeout or a reset is an ordinary end for a connection.
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed");
            }
            drop(slot);
        });
    }
    drop(listener);
    // Outcome streams stay open for minutes: wait for in-flight requests, not
    // for them (a widget whose stream drops goes on polling).
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::info!("closing the connections still open after the shutdown grace");
    }
}
