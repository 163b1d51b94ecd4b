//! The `layers-sandbox` binary: flags, banner, graceful stop, no secrets printed.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_layers-sandbox");

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--port",
        "--state-ttl-secs",
        "--read-budget",
        "--write-budget",
        "--budget-window-secs",
        "--fixtures",
        "--public-url",
        "--state-poll-burst",
        "--state-poll-refill-secs",
        "--control-origin",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
    assert!(help.contains("8081"));
}

#[test]
fn a_control_origin_must_be_a_bare_http_origin() {
    for bad in [
        "127.0.0.1:8080",
        "ftp://127.0.0.1:8080",
        "http://127.0.0.1:8080/page",
        "http://127.0.0.1:8080/?q",
    ] {
        let mut child = Command::new(BIN)
            .args(["--port", "0", "--control-origin", bad])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Accepted, it would start serving: give it 10 s to refuse, then fail.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("--control-origin {bad} was accepted");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(!status.success(), "{bad} accepted");
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(stderr.contains("--control-origin"), "{stderr}");
    }
}

#[tokio::test]
async fn serves_on_loopback_logs_requests_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--state-ttl-secs", "30"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    stdout.read_line(&mut banner).unwrap();
    let base = banner.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{banner}");

    let client = reqwest::Client::new();
    let minted: serde_json::Value = client
        .post(format!("{base}v1/projects/prj_demo/social/oauth-url"))
        .bearer_auth(DEMO)
        .json(&serde_json::json!({"platform":"tiktok","returnUrl":RETURN_URL}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(minted["authorizeUrl"].as_str().unwrap().starts_with(&base));
    let bad = client
        .get(format!("{base}v1/social/oauth-status/st_x"))
        .bearer_auth("lp_test_demo_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    drop(client);

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let printed = format!("{banner}{rest}{stderr}");
    assert!(printed.contains("key_demo"), "{printed}");
    assert!(
        printed.contains("path=/v1/projects/prj_demo/social/oauth-url"),
        "{printed}"
    );
    for secret in SECRETS.iter().chain(&["lp_test_demo_wrong"]) {
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
}
