//! `layers-sandbox check-proxy`, the binary: it prints one line per rule, a fix
//! hint under each FAIL, and exits non-zero when a rule fails. The kit's rules
//! themselves are proven in proxy/tests/conformance.rs.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_layers-sandbox");

#[tokio::test]
async fn a_naive_forwarder_makes_the_cli_fail_with_hints() {
    let sandbox = layers_sandbox::spawn(
        layers_sandbox::Config::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/conformance/naive_proxy.py"
    );
    let mut naive = Command::new("python3")
        .arg(script)
        .arg(sandbox.url().as_str())
        .env("LAYERS_API_KEY", "lp_test_demo")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 runs the naive proxy");
    let mut port = String::new();
    BufReader::new(naive.stdout.take().unwrap())
        .read_line(&mut port)
        .await
        .unwrap();
    let proxy = format!("http://127.0.0.1:{}/", port.trim());

    let out = Command::new(BIN)
        .args(["check-proxy", &proxy, "--sandbox", sandbox.url().as_str()])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"PASS routes.mint"), "{stdout}");
    let fail = lines
        .iter()
        .position(|l| l.starts_with("FAIL session-binding: "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(lines[fail + 1].starts_with("     fix: "), "{stdout}");
    assert!(
        lines.last().unwrap().contains(" failed"),
        "a summary line ends the report: {stdout}"
    );
    assert!(
        !stdout.contains("lp_test_"),
        "the report never prints a key"
    );
}

#[tokio::test]
async fn bad_arguments_exit_2_without_a_report() {
    let out = Command::new(BIN)
        .args([
            "check-proxy",
            "http://127.0.0.1:1/",
            "--fixtures",
            "/nonexistent/fixtures.json",
        ])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/fixtures.json"));

    let out = Command::new(BIN)
        .args(["check-proxy"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the proxy URL is required");
}
