//! The `layers-sandbox check-proxy` arguments, turned into [`Options`].

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use super::{Options, DEFAULT_PROJECT, DEFAULT_RETURN_URL, DEFAULT_SANDBOX_URL};
use crate::config::Fixtures;

/// Check your own Layers proxy: drives real flows through it against a running
/// sandbox and prints PASS/FAIL per rule (docs/check-proxy.md). Exit code 1 on any FAIL.
#[derive(Debug, clap::Args)]
pub struct CliArgs {
    /// Base URL of your proxy's three routes, e.g. http://127.0.0.1:8080/api/layers/
    #[arg(value_name = "PROXY_BASE_URL")]
    pub proxy: Url,
    /// The sandbox your proxy forwards to (it is reset before every rule).
    #[arg(long, value_name = "SANDBOX_URL", default_value = DEFAULT_SANDBOX_URL)]
    pub sandbox: Url,
    /// Origin of the page that hosts the widget (default: the proxy's origin).
    #[arg(long, value_name = "PAGE_ORIGIN")]
    pub origin: Option<Url>,
    /// A returnUrl your proxy's allowlist (and the sandbox key's) accepts.
    #[arg(long, value_name = "URL", default_value = DEFAULT_RETURN_URL)]
    pub return_url: Url,
    /// A project your proxy lets the kit connect accounts to.
    #[arg(long, value_name = "ID", default_value = DEFAULT_PROJECT)]
    pub project: String,
    /// The fixtures file the sandbox was started with (default: the demo fixtures).
    #[arg(long, value_name = "PATH")]
    pub fixtures: Option<PathBuf>,
    /// Longest wait for one answer, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_secs: u64,
}

impl CliArgs {
    /// The options these arguments describe; the error names the file that failed.
    pub fn into_options(self) -> Result<Options, String> {
        let fixtures = match &self.fixtures {
            Some(path) => {
                Fixtures::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => Fixtures::demo(),
        };
        Ok(Options {
            proxy: self.proxy,
            sandbox: self.sandbox,
            origin: self.origin,
            return_url: self.return_url,
            project: self.project,
            fixtures,
            timeout: Duration::from_secs(self.timeout_secs),
        })
    }
}
