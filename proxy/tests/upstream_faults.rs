//! An upstream that breaks the way real ones do, below the level of a wrong
//! JSON answer (hostile_upstream.rs) or a refused connection and a slow
//! answer (against_sandbox.rs): it accepts and then stalls, resets the
//! connection in the middle of a body, answers bytes that are not HTTP,
//! answers an HTML 200 (a login page, a captive portal), or dribbles its
//! headers a byte at a time. Each caller gets the proxy's enveloped 502/504
//! within the configured upstream timeout, the other callers of the same
//! proxy are served meanwhile, and nothing of the upstream's text or the key
//! it received reaches a response or a log line (`call` scans for the key).
//!
//! The upstream is a raw TCP server on loopback (HTTP libraries do not break
//! on purpose); the project id in the path picks its behaviour.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
const TOTAL_TIMEOUT: Duration = Duration::from_millis(800);
/// Scheduling slack on a loaded 2-CPU machine.
const SLACK: Duration = Duration::from_millis(700);
/// In everything the faulty upstream sends; must never come down.
const MARKER: &str = "upstream-private-text";

/// How the fake upstream misbehaves, chosen by the project id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Reads the request and never answers.
    Stall,
    /// Sends the headers and part of a declared body, then a TCP reset.
    ResetMidBody,
    /// Answers bytes that are not HTTP at all.
    Garbage,
    /// A well-formed `200 text/html` page (that even shows the key it got).
    Html200,
    /// A status line, then one header byte every 100 ms, never finishing.
    DribbledHeaders,
    /// A proper Layers answer.
    Healthy,
}

impl Fault {
    const ALL: [Fault; 6] = [
        Fault::Stall,
        Fault::ResetMidBody,
        Fault::Garbage,
        Fault::Html200,
        Fault::DribbledHeaders,
        Fault::Healthy,
    ];

    fn project(self) -> &'static str {
        match self {
            Fault::Stall => "prj_stall",
            Fault::ResetMidBody => "prj_reset",
            Fault::Garbage => "prj_garbage",
            Fault::Html200 => "prj_html",
            Fault::DribbledHeaders => "prj_dribble",
            Fault::Healthy => "prj_healthy",
        }
    }

    /// The status and code the browser must get, and whether the proxy has
    /// to wait its timeout out to know.
    fn expected(self) -> (u16, &'static str, bool) {
        match self {
            Fault::Stall | Fault::DribbledHeaders => (504, "UPSTREAM_TIMEOUT", true),
            // A broken transport, whatever the bytes before it said.
            Fault::ResetMidBody | Fault::Garbage => (502, "UPSTREAM_UNAVAILABLE", false),
            Fault::Html200 => (502, "UPSTREAM_INVALID", false),
            Fault::Healthy => (200, "", false),
        }
    }
}

/// Reads one request's head; returns it as text (lossy), or `None` on EOF.
async fn read_head(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if socket.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

async fn misbehave(mut socket: TcpStream) {
    let Some(head) = read_head(&mut socket).await else {
        return;
    };
    let fault = Fault::ALL
        .into_iter()
        .find(|f| head.contains(&format!("/v1/projects/{}/", f.project())))
        .unwrap_or(Fault::Healthy);
    let bearer = head
        .lines()
        .find_map(|l| l.strip_prefix("authorization: "))
        .unwrap_or_default()
        .to_owned();
    match fault {
        Fault::Stall => tokio::time::sleep(Duration::from_secs(30)).await,
        Fault::ResetMidBody => {
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"data\":[{{\"note\":\"{MARKER}").as_bytes(),
                )
                .await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            // Linger 0: close sends RST, not FIN.
            let _ = socket.set_zero_linger();
        }
        Fault::Garbage => {
            let _ = socket
                .write_all(format!("SSH-2.0-OpenSSH_9.2 {MARKER}\r\n\r\n").as_bytes())
                .await;
        }
        Fault::Html200 => {
            let page = format!(
                "<html><body><h1>Sign in</h1><p>{MARKER}</p><pre>{bearer}</pre></body></html>"
            );
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}", page.len())
                        .as_bytes(),
                )
                .await;
        }
        Fault::DribbledHeaders => {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n").await;
            for byte in format!("x-note: {MARKER}{MARKER}{MARKER}")
                .bytes()
                .cycle()
                .take(300)
            {
                if socket.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Fault::Healthy => {
            let body = r#"{"data":[]}"#;
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_healthy\r\nconnection: close\r\n\r\n{body}", body.len())
                        .as_bytes(),
                )
                .await;
        }
    }
}

/// The faulty upstream on a loopback port, until the returned task is dropped.
async fn faulty_upstream() -> (Url, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(misbehave(socket));
        }
    });
    (url, task)
}

struct Aborting(tokio::task::JoinHandle<()>);

impl Drop for Aborting {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn assert_nothing_of_the_upstream(fault: Fault, reply: &Reply) {
    for text in [MARKER, "<html", "SSH-2.0", "Sign in"] {
        assert!(
            !reply.text.contains(text),
            "{fault:?}: {text} came down: {reply:?}"
        );
        for (name, value) in &reply.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(
                !value.contains(text),
                "{fault:?}: {text} in {name}: {value}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_upstream_answer_is_an_enveloped_502_or_504_in_time() {
    let (upstream, task) = faulty_upstream().await;
    let _upstream = Aborting(task);
    let app = layers_proxy::router(
        config(&upstream)
            .allow_projects(Fault::ALL.map(Fault::project))
            .timeouts(CONNECT_TIMEOUT, TOTAL_TIMEOUT),
    );

    // Every fault at once, each from its own browser.
    let started = Instant::now();
    let broken: Vec<_> = Fault::ALL
        .into_iter()
        .filter(|f| *f != Fault::Healthy)
        .map(|fault| {
            let app = app.clone();
            tokio::spawn(async move {
                let reply = Browser::new().accounts(&app, fault.project()).await;
                (fault, reply, started.elapsed())
            })
        })
        .collect();

    // Meanwhile other callers of the same proxy are served, each promptly,
    // while the stalled ones are still waiting for their upstream.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..5 {
        let asked = Instant::now();
        let healthy = Browser::new()
            .accounts(&app, Fault::Healthy.project())
            .await;
        assert_eq!(healthy.status, 200, "{healthy:?}");
        assert_eq!(healthy.header("x-request-id"), Some("req_healthy"));
        assert!(
            asked.elapsed() < Duration::from_millis(300),
            "a healthy call waited {:?} behind the broken ones",
            asked.elapsed()
        );
    }
    assert!(
        started.elapsed() < TOTAL_TIMEOUT,
        "the healthy calls ran while the stalled ones were pending ({:?})",
        started.elapsed()
    );

    for handle in broken {
        let (fault, reply, after) = handle.await.unwrap();
        let (status, code, waits_for_timeout) = fault.expected();
        reply.assert_error(status, code);
        assert!(
            reply.header("x-request-id").unwrap().starts_with("prx_"),
            "{fault:?}: the proxy's own id: {reply:?}"
        );
        if fault == Fault::Html200 {
            assert_eq!(reply.json["error"]["details"]["upstreamStatus"], 200);
        }
        assert_nothing_of_the_upstream(fault, &reply);
        assert!(
            after < TOTAL_TIMEOUT + SLACK,
            "{fault:?} answered after {after:?}"
        );
        if waits_for_timeout {
            assert!(
                after >= TOTAL_TIMEOUT - Duration::from_millis(50),
                "{fault:?} gave up before the timeout: {after:?}"
            );
        } else {
            assert!(
                after < TOTAL_TIMEOUT,
                "{fault:?} answered after {after:?}: it need not wait"
            );
        }
    }
    // The proxy logged each failure (with its cause) without the upstream's text.
    // (Captured at trace level, hyper's and reqwest's lines included.)
    let logs = logs();
    assert!(logs.contains("UPSTREAM_TIMEOUT") && logs.contains("UPSTREAM_INVALID"));
    assert!(
        !logs.contains(MARKER),
        "the upstream's text reached a log line"
    );
    assert_logs_clean();
}
