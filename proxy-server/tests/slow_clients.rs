//! Slow and stalled clients against the server loop both binaries use
//! (`serve`): cut after the header or body timeout, and unable to starve a
//! normal client even beyond the process's descriptor limit. Loopback only,
//! low timeouts, every wait bounded.

mod support;

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use layers_proxy::{ApiKey, Config};
use layers_proxy_server::run::healthz;
use layers_proxy_server::serve::{serve, ConnectionLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(300);
const BODY_TIMEOUT: Duration = Duration::from_millis(400);

/// The proxy (against an address nothing answers: no request here gets that
/// far) and `/healthz`, served by `serve` on a loopback port.
async fn server(
    limits: ConnectionLimits,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let config = Config::new(
        "http://127.0.0.1:9/".parse().unwrap(),
        ApiKey::new("lp_test_x"),
    )
    .allow_projects(["prj_demo"])
    .body_timeout(BODY_TIMEOUT);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/layers", layers_proxy::router(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    (addr, stop)
}

fn limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: HEADER_TIMEOUT,
        max_connections: 64,
    }
}

/// Everything the server sends until it closes the connection, and when it
/// closed it; `None` if it is still open after `within`.
async fn read_until_closed(socket: &mut TcpStream, within: Duration) -> Option<(String, Duration)> {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut chunk = [0; 1024];
    tokio::time::timeout(within, async {
        loop {
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .ok()?;
    Some((
        String::from_utf8_lossy(&seen).into_owned(),
        started.elapsed(),
    ))
}

#[tokio::test]
async fn half_sent_headers_and_silent_connections_are_cut_after_the_header_timeout() {
    let (addr, _stop) = server(limits()).await;
    let mut slowloris = TcpStream::connect(addr).await.unwrap();
    slowloris
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n")
        .await
        .unwrap();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let opened = Instant::now();

    for socket in [&mut slowloris, &mut silent] {
        read_until_closed(socket, Duration::from_secs(3))
            .await
            .expect("closed by the server");
        let after = opened.elapsed();
        assert!(
            after >= HEADER_TIMEOUT - Duration::from_millis(50),
            "{after:?}"
        );
    }

    // A kept-alive connection idles out the same way after its answer.
    let mut polite = TcpStream::connect(addr).await.unwrap();
    polite
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut polite, Duration::from_secs(3))
        .await
        .expect("closed after idling");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_chunked_mint_body_that_never_ends_is_cut_after_the_body_timeout() {
    let (addr, _stop) = server(limits()).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(
            b"POST /api/layers/projects/prj_demo/social/oauth-url HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\n\
              Transfer-Encoding: chunked\r\n\r\n5\r\n{\"pla\r\n",
        )
        .await
        .unwrap();
    let (answer, after) = read_until_closed(&mut socket, Duration::from_secs(3))
        .await
        .expect("answered and closed, not left open");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    assert!(
        after >= BODY_TIMEOUT - Duration::from_millis(50),
        "{after:?}"
    );

    // A trickle (a byte per 100 ms, each within any per-chunk timeout) is cut too.
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle
        .write_all(
            b"POST /api/layers/projects/prj_demo/social/oauth-url HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Sec-Fetch-Site: same-origin\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    while started.elapsed() < Duration::from_secs(3) {
        if trickle.write_all(b" ").await.is_err() {
            break;
        }
        let mut chunk = [0; 1024];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(100), trickle.read(&mut chunk)).await
        {
            answer.extend_from_slice(&chunk[..n]);
            if n == 0 || String::from_utf8_lossy(&answer).contains("}}") {
                break;
            }
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// The binary, with 256 descriptors and 280 stalled connections: without a
/// cap the server runs out of descriptors and no one else gets in; with one
/// (200) the others wait at most one header timeout.
#[tokio::test(flavor = "multi_thread")]
async fn stalled_connections_beyond_the_descriptor_limit_do_not_starve_a_normal_client() {
    const BIN: &str = env!("CARGO_BIN_EXE_layers-proxy");
    let port = support::free_port();
    let port_setting = port.to_string();
    let env = [
        ("PORT", port_setting.as_str()),
        ("LAYERS_API_BASE", "http://127.0.0.1:9/"),
        ("LAYERS_API_KEY", "lp_test_x"),
        ("LAYERS_PROXY_PROJECTS", "prj_demo"),
        (
            "LAYERS_PROXY_RETURN_URLS",
            "http://127.0.0.1:8080/return.html",
        ),
        ("LAYERS_PROXY_HEADER_TIMEOUT_MS", "1000"),
        ("LAYERS_PROXY_MAX_CONNECTIONS", "200"),
        ("RUST_LOG", "error"),
    ];
    let _server =
        tokio::task::block_in_place(|| support::start_with_fd_limit(BIN, 256, &env, "Layers API:"));
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    let mut stalled = Vec::new();
    for _ in 0..280 {
        let mut socket = TcpStream::connect(addr).await.unwrap();
        socket
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        stalled.push(socket);
    }
    let started = Instant::now();
    let mut normal = TcpStream::connect(addr).await.unwrap();
    normal
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut normal, Duration::from_secs(5))
        .await
        .expect("the normal client is answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "waited {:?}: at most about one header timeout",
        started.elapsed()
    );
    drop(stalled);
}

/// The test process's own open-file soft limit raised to at least `wanted`
/// (up to the hard limit): it holds the idle connections' client ends.
fn raise_fd_limit(wanted: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a local struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted.min(limit.rlim_max);
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
    limit.rlim_cur
}

/// The binary at its default connection cap (512), with 1,000 connections
/// that were opened and say nothing: 512 are held, the rest wait to be
/// accepted. A normal client that arrives after all of them is answered
/// within about one header timeout (when the first 512 are cut), not starved.
#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_idle_connections_do_not_starve_a_normal_client() {
    const BIN: &str = env!("CARGO_BIN_EXE_layers-proxy");
    const IDLE: usize = 1000;
    const HEADER_TIMEOUT_MS: u64 = 1000;
    assert!(
        raise_fd_limit(IDLE as u64 + 256) >= IDLE as u64 + 64,
        "this test needs {} descriptors",
        IDLE + 64
    );
    let port = support::free_port();
    let port_setting = port.to_string();
    let timeout_setting = HEADER_TIMEOUT_MS.to_string();
    let env = [
        ("PORT", port_setting.as_str()),
        ("LAYERS_API_BASE", "http://127.0.0.1:9/"),
        ("LAYERS_API_KEY", "lp_test_x"),
        ("LAYERS_PROXY_PROJECTS", "prj_demo"),
        (
            "LAYERS_PROXY_RETURN_URLS",
            "http://127.0.0.1:8080/return.html",
        ),
        ("LAYERS_PROXY_HEADER_TIMEOUT_MS", timeout_setting.as_str()),
        ("RUST_LOG", "error"),
    ];
    // The default cap fits a 4,096 descriptor limit (docs: 2 × cap + 64).
    let _server = tokio::task::block_in_place(|| {
        support::start_with_fd_limit(BIN, 4096, &env, "Layers API:")
    });
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();

    let mut idle = Vec::with_capacity(IDLE);
    for _ in 0..IDLE {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // Timed from here, not from before the connects: on a loaded machine
    // opening a thousand sockets alone took over a second, while the first
    // idle ones' header timers were already running.
    let opened = Instant::now();
    let mut normal = TcpStream::connect(addr).await.unwrap();
    normal
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut normal, Duration::from_secs(5))
        .await
        .expect("the normal client is answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let waited = opened.elapsed();
    assert!(
        waited < Duration::from_millis(2 * HEADER_TIMEOUT_MS + 500),
        "answered after {waited:?}: at most about one header timeout behind the idle ones"
    );

    // The idle ones were really held (not refused), and are cut in their turn.
    let mut still_open = 0;
    for socket in &mut idle {
        let mut byte = [0; 1];
        if let Err(_elapsed) =
            tokio::time::timeout(Duration::from_millis(1), socket.read(&mut byte)).await
        {
            still_open += 1;
        }
    }
    assert!(still_open > 0, "some idle connections are still held");
    let last = idle.last_mut().unwrap();
    read_until_closed(last, Duration::from_millis(3 * HEADER_TIMEOUT_MS + 1000))
        .await
        .expect("the last idle connection is closed by the server too");
}
