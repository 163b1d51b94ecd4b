//! What a sandbox starts from: who exists (fixtures) and how strict it is (TTL, budgets).

use std::collections::HashSet;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

/// Scope a key needs to mint authorize URLs.
pub const SCOPE_WRITE: &str = "social:write";
/// Scope a key needs to poll states and list accounts.
pub const SCOPE_READ: &str = "social:read";

/// Everything a [`crate::Sandbox`] is built from.
#[derive(Debug, Clone)]
pub struct Config {
    /// Organizations, projects and API keys.
    pub fixtures: Fixtures,
    /// How long a minted state stays usable (Layers: 10 minutes).
    pub state_ttl: Duration,
    /// Requests per window per key to oauth-status and social-accounts.
    pub read_budget: u32,
    /// Requests per window per key to oauth-url.
    pub write_budget: u32,
    /// Length of one fixed rate-limit window.
    pub budget_window: Duration,
    /// Base of the URLs the sandbox hands out (authorizeUrl, avatars).
    /// `None`: the address the server is bound to.
    pub public_base: Option<Url>,
    /// Per-state poll budget: polls of one state allowed back to back (token
    /// bucket capacity). `0` switches the per-state budget off.
    pub state_poll_burst: u32,
    /// Per-state poll budget: time for one spent poll to come back (at least 1 s).
    pub state_poll_refill: Duration,
    /// Browser origins (scheme, host, port) allowed to drive `/_sandbox/*`,
    /// besides the sandbox's own. Requests without an `Origin` (curl, tests)
    /// are always allowed; see [`Config::control_origin`].
    pub control_origins: Vec<Url>,
    /// Where `social_account.connected` goes when a state completes, and what
    /// signs it; `None`: no webhooks (see `docs/sandbox.md` "Webhooks").
    pub webhook: Option<crate::WebhookTarget>,
    /// Attempts and backoff of each webhook delivery.
    pub webhook_retry: crate::WebhookRetry,
}

impl Config {
    /// Sends `social_account.connected` to `url`, signed with `secret`.
    #[must_use]
    pub fn webhook(mut self, url: Url, secret: crate::WebhookSecret) -> Self {
        self.webhook = Some(crate::WebhookTarget { url, secret });
        self
    }

    /// Sets the per-state poll budget: `burst` polls back to back, one more
    /// per `refill`. `burst == 0` switches it off.
    #[must_use]
    pub fn state_poll_budget(mut self, burst: u32, refill: Duration) -> Self {
        self.state_poll_burst = burst;
        self.state_poll_refill = refill;
        self
    }

    /// Lets pages on `origin` (only its scheme, host and port count) drive the
    /// `/_sandbox` controls from a browser.
    #[must_use]
    pub fn control_origin(mut self, origin: &Url) -> Self {
        self.control_origins.push(origin.clone());
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            fixtures: Fixtures::demo(),
            state_ttl: Duration::from_secs(10 * 60),
            read_budget: 600,
            write_budget: 60,
            budget_window: Duration::from_secs(60),
            public_base: None,
            state_poll_burst: 3,
            state_poll_refill: Duration::from_secs(5),
            control_origins: Vec::new(),
            webhook: None,
            webhook_retry: crate::WebhookRetry::default(),
        }
    }
}

/// The organizations, projects and keys the sandbox knows.
///
/// File format (JSON), the same shape as [`Fixtures::demo`]:
/// `{"organizations":[{"id","projects":[..]}],"keys":[{"id","secret","organization","scopes":[..],"returnUrlAllowlist":[..]}]}`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Organizations and the projects they own.
    pub organizations: Vec<Organization>,
    /// API keys, each bound to one organization.
    pub keys: Vec<ApiKey>,
}

/// A Layers organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// e.g. `org_demo`.
    pub id: String,
    /// Project ids, e.g. `prj_demo`.
    pub projects: Vec<String>,
}

/// A partner API key. `Debug` never shows the secret.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiKey {
    /// Public identifier, the only thing logs and controls ever name (e.g. `key_demo`).
    pub id: String,
    /// The bearer secret (e.g. `lp_test_demo`). Never leaves the sandbox.
    pub secret: String,
    /// Owning organization id.
    pub organization: String,
    /// Granted scopes, e.g. `social:read`, `social:write`.
    pub scopes: Vec<String>,
    /// Return URLs this key may mint for (see [`ApiKey::allows_return_url`]).
    #[serde(deserialize_with = "absolute_urls")]
    pub return_url_allowlist: Vec<Url>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("organization", &self.organization)
            .field("scopes", &self.scopes)
            .field("return_url_allowlist", &self.return_url_allowlist)
            .finish()
    }
}

impl ApiKey {
    /// Whether the key was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Allowlist rule: scheme, host, port and path equal an entry exactly;
    /// query and fragment are the partner's own and are ignored.
    pub fn allows_return_url(&self, candidate: &Url) -> bool {
        self.return_url_allowlist.iter().any(|allowed| {
            allowed.scheme() == candidate.scheme()
                && allowed.host_str() == candidate.host_str()
                && allowed.port_or_known_default() == candidate.port_or_known_default()
                && allowed.path() == candidate.path()
        })
    }
}

/// Why a fixtures file was refused.
#[derive(Debug)]
pub enum FixtureError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not valid fixtures JSON.
    Parse(serde_json::Error),
    /// The JSON is well-formed but inconsistent (e.g. a key of an unknown organization).
    Invalid(String),
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "cannot read fixtures: {e}"),
            Self::Parse(e) => write!(f, "fixtures are not valid JSON of the expected shape: {e}"),
            Self::Invalid(why) => write!(f, "fixtures are inconsistent: {why}"),
        }
    }
}

impl std::error::Error for FixtureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::Parse(e) => Some(e),
            Self::Invalid(_) => None,
        }
    }
}

const DEMO_ALLOWLIST: [&str; 4] = [
    "http://127.0.0.1:8080/return.html",
    "http://localhost:8080/return.html",
    "http://127.0.0.1:8080/",
    "http://localhost:8080/",
];

impl Fixtures {
    /// `org_demo` (`prj_demo`, `prj_demo_2`) and `org_other` (`prj_other`), with keys
    /// `lp_test_demo`, `lp_test_demo_alt`, `lp_test_demo_readonly` and `lp_test_other`.
    pub fn demo() -> Self {
        let allowlist: Vec<Url> = DEMO_ALLOWLIST
            .iter()
            .map(|u| Url::parse(u).expect("demo allowlist entries are valid URLs"))
            .collect();
        let key = |id: &str, secret: &str, org: &str, scopes: &[&str]| ApiKey {
            id: id.to_owned(),
            secret: secret.to_owned(),
            organization: org.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            return_url_allowlist: allowlist.clone(),
        };
        let both = [SCOPE_READ, SCOPE_WRITE];
        Self {
            organizations: vec![
                Organization {
                    id: "org_demo".into(),
                    projects: vec!["prj_demo".into(), "prj_demo_2".into()],
                },
                Organization {
                    id: "org_other".into(),
                    projects: vec!["prj_other".into()],
                },
            ],
            keys: vec![
                key("key_demo", "lp_test_demo", "org_demo", &both),
                key("key_demo_alt", "lp_test_demo_alt", "org_demo", &both),
                key(
                    "key_demo_readonly",
                    "lp_test_demo_readonly",
                    "org_demo",
                    &[SCOPE_READ],
                ),
                key("key_other", "lp_test_other", "org_other", &both),
            ],
        }
    }

    /// Reads and checks a fixtures JSON file (format: see [`Fixtures`]).
    pub fn from_file(path: &Path) -> Result<Self, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(FixtureError::Io)?;
        Self::from_json(&text)
    }

    /// Parses and checks fixtures JSON.
    pub fn from_json(text: &str) -> Result<Self, FixtureError> {
        let fixtures: Self = serde_json::from_str(text).map_err(FixtureError::Parse)?;
        fixtures.check()?;
        Ok(fixtures)
    }

    fn check(&self) -> Result<(), FixtureError> {
        let invalid = |why: String| Err(FixtureError::Invalid(why));
        let mut orgs = HashSet::new();
        let mut projects = HashSet::new();
        for org in &self.organizations {
            if !orgs.insert(org.id.as_str()) {
                return invalid(format!("organization {} is listed twice", org.id));
            }
            for project in &org.projects {
                if !projects.insert(project.as_str()) {
                    return invalid(format!("project {project} belongs to two organizations"));
                }
            }
        }
        let mut ids = HashSet::new();
        let mut secrets = HashSet::new();
        for key in &self.keys {
            if !ids.insert(key.id.as_str()) {
                return invalid(format!("key id {} is listed twice", key.id));
            }
            // Name the key by id only: the message may end up in a log.
            if key.secret.is_empty() || !secrets.insert(key.secret.as_str()) {
                return invalid(format!("key {} has an empty or duplicate secret", key.id));
            }
            if !orgs.contains(key.organization.as_str()) {
                return invalid(format!(
                    "key {} belongs to unknown organization {}",
                    key.id, key.organization
                ));
            }
        }
        Ok(())
    }

    /// The key whose secret is `secret`, comparing every key in constant time.
    pub(crate) fn key_by_secret(&self, secret: &str) -> Option<&ApiKey> {
        let mut found = None;
        for key in &self.keys {
            if constant_time_eq(key.secret.as_bytes(), secret.as_bytes()) {
                found = Some(key);
            }
        }
        found
    }

    /// The organization that owns `project`.
    pub(crate) fn organization_of(&self, project: &str) -> Option<&str> {
        self.organizations
            .iter()
            .find(|o| o.projects.iter().any(|p| p == project))
            .map(|o| o.id.as_str())
    }
}

fn absolute_urls<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Url>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            Url::parse(s)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    serde::de::Error::custom(format!("{s:?} is not an absolute http(s) URL"))
                })
        })
        .collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
