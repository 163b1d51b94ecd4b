//! The `layers-demo` binary: its command line, and the sandbox port setting.

#[path = "../../proxy-server/tests/support/mod.rs"]
mod support;

use std::net::TcpStream;

use support::{free_port, run, start};

const BIN: &str = env!("CARGO_BIN_EXE_layers-demo");

#[test]
fn help_prints_the_settings_and_exits() {
    let out = run(BIN, &["--help"], &[]);
    assert!(out.status.success(), "{out:?}");
    let usage = String::from_utf8(out.stdout).unwrap();
    for variable in [
        "PORT",
        "LAYERS_SANDBOX_PORT",
        "LAYERS_API_BASE",
        "LAYERS_PROXY_WWW_DIR",
    ] {
        assert!(usage.contains(variable), "{variable} in {usage}");
    }
}

#[test]
fn unknown_arguments_are_refused() {
    let out = run(BIN, &["serve"], &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8(out.stderr).unwrap().contains("\"serve\""));
}

#[test]
fn the_embedded_sandbox_listens_on_layers_sandbox_port() {
    let (port, sandbox_port) = (free_port().to_string(), free_port());
    let sandbox_setting = sandbox_port.to_string();
    let demo = start(
        BIN,
        &[("PORT", &port), ("LAYERS_SANDBOX_PORT", &sandbox_setting)],
        "Demo page:",
    );
    // The banner line tests/support/demo-server.mjs reads.
    let expected = format!("embedded Layers sandbox at http://127.0.0.1:{sandbox_port}/ ");
    assert!(
        demo.banner.iter().any(|line| line.contains(&expected)),
        "{:?}",
        demo.banner
    );
    TcpStream::connect(("127.0.0.1", sandbox_port)).expect("the sandbox listens there");
    assert!(demo
        .banner
        .last()
        .unwrap()
        .ends_with(&format!("127.0.0.1:{port}/")));
}

#[test]
fn a_busy_sandbox_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sandbox_port = taken.local_addr().unwrap().port().to_string();
    let port = free_port().to_string();
    let out = run(
        BIN,
        &[],
        &[("PORT", &port), ("LAYERS_SANDBOX_PORT", &sandbox_port)],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("LAYERS_SANDBOX_PORT"));
}
