//! One single-threaded runtime per worker thread, each accepting on its own
//! `SO_REUSEPORT` listener of the same address: the kernel spreads new
//! connections over the workers, and a connection lives on one thread from
//! accept to close. Tokio's multi-threaded scheduler moves tasks between
//! threads (work stealing, cross-thread wake-ups, shared queues); for a proxy
//! whose every request is two short socket exchanges that bookkeeping was a
//! measured share of the CPU per request (docs/proxy.md, Performance).
//!
//! Opt-in (`LAYERS_PROXY_WORKERS`): with no work stealing, a worker the
//! machine leaves waiting (a busy neighbour, a noisy VM) holds its share of
//! the connections until it runs again, which showed as a worse p99 on the
//! shared benchmark machine; the default stays [`run_shared`].
//!
//! What is shared is shared as before: the app (its state is behind `Arc`s
//! and locks), the connection cap (one semaphore for all workers) and the
//! stop signal. The upstream pool is per runtime ([`layers_proxy`]'s client
//! keeps one pool per current-thread runtime), so a request's upstream
//! exchange runs on its own thread too.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::sync::{watch, Semaphore};

use crate::serve::{serve_with_slots, ConnectionLimits};

/// The default: one listener on tokio's multi-threaded runtime (one thread
/// per CPU, with work stealing), as `axum::serve` would run it. Slower per
/// request than [`run`]'s workers, but a thread that the machine leaves
/// waiting does not hold its connections: the others take its tasks.
pub fn run_shared(
    listener: std::net::TcpListener,
    make_app: impl FnOnce() -> Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        crate::serve::serve(listener, make_app(), limits, shutdown).await;
        Ok(())
    })
}

/// The plain listener for [`run_shared`] (no `SO_REUSEPORT`).
pub fn bind_one(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// `workers` listeners on `addr` (the first picks the port if `addr`'s is 0,
/// the others take the same), bound before anything is served so a taken
/// port is reported at once.
pub fn bind(addr: SocketAddr, workers: usize) -> io::Result<Vec<std::net::TcpListener>> {
    let first = reuseport_listener(addr)?;
    let addr = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..workers.max(1) {
        listeners.push(reuseport_listener(addr)?);
    }
    Ok(listeners)
}

fn reuseport_listener(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // What std and tokio set on a listener: a restart may bind at once.
    socket.set_reuse_address(true)?;
    // Linux lets only sockets of the same user join the group.
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    // The kernel's accept queue, where connections over the cap wait.
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Serves `app` on the listeners from [`bind`], one worker thread (and
/// current-thread runtime) each; the calling thread runs the first. Returns
/// when `shutdown` has resolved and every worker has finished its graceful
/// stop. `app` is built by `make_app` inside the first runtime, since the
/// router may spawn background tasks.
pub fn run(
    listeners: Vec<std::net::TcpListener>,
    make_app: impl FnOnce() -> Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopped) = watch::channel(false);
    let runtime = current_thread_runtime()?;
    runtime.block_on(async move {
        let app = make_app();
        let mut listeners = listeners.into_iter();
        let own = listeners
            .next()
            .expect("bind returns at least one listener");
        let mut threads = Vec::new();
        for (index, listener) in listeners.enumerate() {
            let (app, slots, stopped) = (app.clone(), slots.clone(), stopped.clone());
            let thread = std::thread::Builder::new()
                .name(format!("layers-proxy-worker-{}", index + 1))
                .spawn(move || -> io::Result<()> {
                    current_thread_runtime()?.block_on(async move {
                        let listener = tokio::net::TcpListener::from_std(listener)?;
                        serve_with_slots(listener, app, limits, slots, stop_signal(stopped)).await;
                        Ok(())
                    })
                })?;
            threads.push(thread);
        }
        let own = tokio::net::TcpListener::from_std(own)?;
        let signal = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        let (_, ()) = tokio::join!(
            signal,
            serve_with_slots(own, app, limits, slots, stop_signal(stopped))
        );
        // Off the runtime's thread: the others finish their own grace.
        tokio::task::spawn_blocking(move || {
            for thread in threads {
                match thread.join() {
                    Ok(result) => result?,
                    Err(_) => tracing::error!("a worker thread panicked"),
                }
            }
            Ok::<(), io::Error>(())
        })
        .await
        .unwrap_or(Ok(()))
    })
}

fn current_thread_runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

async fn stop_signal(mut stopped: watch::Receiver<bool>) {
    // An error means the sender is gone: stop as well.
    let _ = stopped.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listeners_share_one_port() {
        let listeners = bind("127.0.0.1:0".parse().unwrap(), 3).unwrap();
        let ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        assert_eq!(ports.len(), 3);
        assert!(ports.iter().all(|p| *p == ports[0] && *p != 0), "{ports:?}");
    }

    #[test]
    fn a_port_in_use_by_a_plain_listener_is_an_error() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let error = bind(taken.local_addr().unwrap(), 2).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AddrInUse);
    }
}
