//! The conformance kit (`layers-sandbox check-proxy`) proven both ways: the
//! reference proxy passes every rule, and a naive forwarder written in another
//! language (tests/conformance/naive_proxy.py) fails exactly the rules a
//! hurried forwarder breaks.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;

use layers_sandbox::check_proxy::{self, Options, Outcome, Report};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

fn options(proxy: &Url, sandbox: &Url) -> Options {
    let mut options = Options::new(proxy.clone());
    options.sandbox = sandbox.clone();
    options
}

fn failed(report: &Report) -> BTreeSet<&'static str> {
    report.failed().into_iter().collect()
}

async fn check_reference_proxy() -> Report {
    let sandbox = common::sandbox().await;
    let proxy = common::serve(layers_proxy::router(common::config(sandbox.url()))).await;
    let report = check_proxy::run(options(&proxy.url, sandbox.url())).await;
    common::assert_logs_clean();
    report
}

#[tokio::test]
async fn reference_proxy_passes_every_rule() {
    let report = check_reference_proxy().await;
    println!("{report}");
    assert_eq!(report.results.len(), check_proxy::rules().len());
    for result in &report.results {
        assert_eq!(result.outcome, Outcome::Pass, "{}\n{report}", result.rule);
    }
}

/// The naive forwarder, on a free loopback port; killed when dropped.
pub struct NaiveProxy {
    pub url: Url,
    _child: Child,
}

/// `flags`: the script's `--sloppy`, `--no-stream`.
pub async fn naive_proxy(upstream: &Url, flags: &[&str]) -> NaiveProxy {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/naive_proxy.py"
    );
    let mut command = Command::new("python3");
    command.arg(script).args(flags);
    let mut child = command
        .arg(upstream.as_str())
        // Like a deployed proxy: the key comes from the environment.
        .env("LAYERS_API_KEY", common::KEY)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs tests/conformance/naive_proxy.py");
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .await
        .expect("the naive proxy prints its port");
    let port: u16 = first.trim().parse().expect("a port number");
    NaiveProxy {
        url: Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap(),
        _child: child,
    }
}

#[tokio::test]
async fn naive_forwarder_fails_session_binding_csrf_and_allowlist() {
    let sandbox = common::sandbox().await;
    let naive = naive_proxy(sandbox.url(), &[]).await;
    let report = check_proxy::run(options(&naive.url, sandbox.url())).await;
    println!("{report}");
    let expected: BTreeSet<&str> = [
        "csrf.no-origin",
        "csrf.null-origin",
        "csrf.lookalike-origin",
        "csrf.other-port",
        "session-binding",
        // Its stream says `ready` to any browser, whose state it is or not.
        "stream.session-binding",
        "return-url-allowlist",
        // It passes Layers' body on verbatim, so an echoing upstream leaks the key.
        "key-echo",
    ]
    .into();
    // Exactly these: every other rule (routes, pass-through of every error
    // row, body limits, no-store, request ids) holds for a forwarder in any
    // language that does them, so a FAIL here is never the kit's bias.
    assert_eq!(failed(&report), expected, "{report}");
    assert!(!report.passed());
    assert_eq!(report.exit_code(), 1);
}

/// The rules both proxies above pass must be able to fail: a forwarder that
/// maps Layers' errors to its own, drops no-store and request ids, copies
/// Layers' own headers down, reads any body whole and opens its stream with
/// a nudge fails every pass-through, hygiene, body-limit and stream rule.
#[tokio::test]
async fn sloppy_forwarder_fails_passthrough_hygiene_and_body_limits() {
    let sandbox = common::sandbox().await;
    let sloppy = naive_proxy(sandbox.url(), &["--sloppy"]).await;
    let report = check_proxy::run(options(&sloppy.url, sandbox.url())).await;
    println!("{report}");
    let mut expected: BTreeSet<&str> = check_proxy::rules()
        .iter()
        .map(|r| r.name)
        .filter(|name| name.starts_with("passthrough."))
        .collect();
    assert_eq!(
        expected.len(),
        16,
        "13 spec error rows and 3 kill-switch scopes"
    );
    expected.extend([
        "csrf.no-origin",
        "csrf.null-origin",
        "csrf.lookalike-origin",
        "csrf.other-port",
        "session-binding",
        "stream.session-binding",
        // Its stream opens with a nudge.
        "stream.wire",
        "return-url-allowlist",
        "body-limit.oversized",
        "body-limit.declared-length",
        "hygiene.no-store",
        "hygiene.request-id",
        "hygiene.upstream-headers",
    ]);
    // Its own 502 replaces the echoing error, so key-echo passes: it is the
    // key, not pass-through, that rule judges.
    assert_eq!(failed(&report), expected, "{report}");
}

/// A proxy that serves no stream (every stream a 404, as before the stream
/// existed) is not failed for it: the binding holds, the wire is skipped.
#[tokio::test]
async fn a_proxy_without_a_stream_passes_the_binding_and_skips_the_wire() {
    let sandbox = common::sandbox().await;
    let naive = naive_proxy(sandbox.url(), &["--no-stream"]).await;
    let report = check_proxy::run(options(&naive.url, sandbox.url())).await;
    let outcome = |rule: &str| report.get(rule).map(|r| r.outcome.clone());
    assert_eq!(
        outcome("stream.session-binding"),
        Some(Outcome::Pass),
        "{report}"
    );
    assert!(
        matches!(outcome("stream.wire"), Some(Outcome::Skip(why)) if why.contains("answered 404")),
        "{report}"
    );
}
