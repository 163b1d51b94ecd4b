//! `check-proxy`: a conformance kit for a partner's own Layers proxy, in any language.
//!
//! The partner runs the sandbox, points their proxy at it with a demo key, and
//! runs the kit against the proxy. The kit drives real flows through the proxy
//! (mint, consent on the sandbox's consent page, poll, list accounts), uses the
//! sandbox's `/_sandbox` controls to make Layers fail on purpose, reads the
//! sandbox's request log to see what reached Layers, and judges every answer
//! against one named rule each ([`rules()`]).
//!
//! ```no_run
//! # async fn demo() {
//! use layers_sandbox::check_proxy::{self, Options};
//! let mut options = Options::new("http://127.0.0.1:8080/api/layers/".parse().unwrap());
//! options.sandbox = "http://127.0.0.1:8081/".parse().unwrap();
//! let report = check_proxy::run(options).await;
//! print!("{report}");
//! assert!(report.passed());
//! # }
//! ```
//!
//! The kit resets the sandbox before every rule (states, faults, kill switch,
//! budgets, request log), so point it at a sandbox nothing else is using.
//! Rules and their fix hints: `docs/check-proxy.md`.

mod cli;
mod client;
mod probes;
mod raw;
mod report;
mod rules;
mod scan;
mod stream;

use std::time::Duration;

use url::Url;

use crate::config::Fixtures;

pub use cli::CliArgs;
pub use report::{Outcome, Report, RuleResult};
pub use rules::{rules, Rule};

/// The demo fixtures' first allowed return URL.
pub const DEFAULT_RETURN_URL: &str = "http://127.0.0.1:8080/return.html";
/// The demo fixtures' project.
pub const DEFAULT_PROJECT: &str = "prj_demo";
/// Where `layers-sandbox` listens by default.
pub const DEFAULT_SANDBOX_URL: &str = "http://127.0.0.1:8081/";

/// What to check, and against which sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// Base URL of the proxy's three routes (e.g. `http://127.0.0.1:8080/api/layers/`).
    pub proxy: Url,
    /// The sandbox the proxy forwards to (its `/_sandbox` controls must be reachable).
    pub sandbox: Url,
    /// The origin of the page that hosts the widget. `None`: the proxy's origin
    /// (the widget's page and the proxy are served together).
    pub origin: Option<Url>,
    /// A return URL the proxy's allowlist accepts (and the sandbox key's too).
    pub return_url: Url,
    /// A project the proxy lets the kit's "user" connect accounts to.
    pub project: String,
    /// The sandbox's fixtures: the kit needs the key secrets to scan for them.
    pub fixtures: Fixtures,
    /// Longest wait for one answer.
    pub timeout: Duration,
}

impl Options {
    /// The demo defaults (sandbox on 8081, `prj_demo`, the demo return URL and fixtures).
    pub fn new(proxy: Url) -> Self {
        Self {
            proxy,
            sandbox: Url::parse(DEFAULT_SANDBOX_URL).expect("static URL"),
            origin: None,
            return_url: Url::parse(DEFAULT_RETURN_URL).expect("static URL"),
            project: DEFAULT_PROJECT.to_owned(),
            fixtures: Fixtures::demo(),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Runs every rule in order and reports each one. Never panics on what the
/// proxy or the sandbox answers: an unreachable server is a FAIL with a reason.
pub async fn run(options: Options) -> Report {
    let kit = client::Kit::new(options);
    let mut results = Vec::new();
    for rule in rules() {
        kit.begin(rule.name);
        let outcome = redact(probes::run(&kit, &rule.probe).await, &kit.secrets());
        results.push(RuleResult {
            rule: rule.name,
            hint: rule.hint,
            outcome,
        });
    }
    // Leave the sandbox clean: no kill switch on, no fault queued.
    let _ = kit.sandbox.reset().await;
    Report {
        proxy: kit.options.proxy.clone(),
        sandbox: kit.options.sandbox.clone(),
        results,
    }
}

/// A finding quotes what the proxy sent; if that held a key, the report must not.
fn redact(outcome: Outcome, secrets: &[String]) -> Outcome {
    let clean = |text: String| {
        secrets
            .iter()
            .filter(|s| !s.is_empty())
            .fold(text, |text, secret| {
                text.replace(secret.as_str(), "<api key>")
            })
    };
    match outcome {
        Outcome::Fail(why) => Outcome::Fail(clean(why)),
        Outcome::Skip(why) => Outcome::Skip(clean(why)),
        Outcome::Pass => Outcome::Pass,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_never_quote_a_key() {
        let secrets = vec!["lp_test_demo".to_owned()];
        assert_eq!(
            redact(
                Outcome::Fail("200 {\"k\":\"lp_test_demo\"}".into()),
                &secrets
            ),
            Outcome::Fail("200 {\"k\":\"<api key>\"}".into())
        );
        assert_eq!(redact(Outcome::Pass, &secrets), Outcome::Pass);
    }
}
