//! What both servers of this repository share around [`layers_proxy::router`]:
//! the settings they read from the environment ([`settings`]), their command
//! line ([`cli`]: only `--help`), log setup and graceful shutdown ([`run`]; lines batched by [`log_writer`]),
//! and the server loop with its timeouts and connection cap ([`serve`]), run on
//! one single-threaded runtime per core by the `layers-proxy` binary ([`workers`]).
//! The `layers-proxy` binary of this crate serves the proxy alone, in front of
//! the real Layers API; the demo server (`demo/`) adds pages and a sandbox.
#![deny(missing_docs)]

pub mod cli;
pub mod log_writer;
pub mod run;
pub mod serve;
pub mod settings;
pub mod workers;

/// Where both servers mount the proxy.
pub const PROXY_PREFIX: &str = "/api/layers";
