//! Serving a sandbox on a socket, owned by a handle that stops it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::Sandbox;

/// A sandbox serving on a socket. Dropping it or calling [`RunningSandbox::shutdown`] stops it.
#[must_use = "dropping a RunningSandbox stops the server"]
pub struct RunningSandbox {
    url: Url,
    sandbox: Sandbox,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The served sandbox (shares its world with the server).
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Stops accepting connections, lets in-flight requests finish (up to 5 s), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Binds `addr` (use `127.0.0.1:0` in tests), serves, and sets the public base from the bound port.
pub async fn spawn(config: Config, addr: SocketAddr) -> std::io::Result<RunningSandbox> {
    spawn_with_clock(config, Arc::new(SystemClock), addr).await
}

/// [`spawn`] on a chosen clock.
pub async fn spawn_with_clock(
    config: Config,
    clock: Arc<dyn Clock>,
    addr: SocketAddr,
) -> std::io::Result<RunningSandbox> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut local = listener.local_addr()?;
    if local.ip().is_unspecified() {
        // Bound to every interface: loopback is the address that surely reaches it.
        local.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    let url = Url::parse(&format!("http://{local}/"))
        .map_err(|e| std::io::Error::other(format!("bound address is not a URL: {e}")))?;
    let sandbox = Sandbox::with_clock(config, clock);
    sandbox.set_bound_base(url.clone());
    let app = sandbox.router();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "sandbox server stopped with an error");
        }
    });
    Ok(RunningSandbox {
        url,
        sandbox,
        stop: Some(stop),
        task: Some(task),
    })
}
