//! What a proxy is built from. Every default is the secure one: no project is
//! authorized, no return URL is allowed and no cross-origin caller is trusted
//! until the partner says so.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Extensions, HeaderMap};
use axum_extra::extract::cookie::Key;
use url::Url;

use crate::allowlist::ReturnUrlAllowlist;
use crate::authorize_url::AuthorizeUrlPolicy;
use crate::webhook_signature::{WebhookSecret, DEFAULT_WEBHOOK_TOLERANCE};

/// Open outcome streams per process by default (see [`Config::max_event_streams`]).
pub const DEFAULT_MAX_EVENT_STREAMS: usize = 10_000;
/// How often an idle outcome stream sends a comment line (see [`Config::event_heartbeat`]).
pub const DEFAULT_EVENT_HEARTBEAT: Duration = Duration::from_secs(15);

/// The Layers API key. Only the upstream client ever reads it, to build the
/// `Authorization` header; `Debug` shows a placeholder so no log can print it.
/// Comparable, so a settings reader can be tested without reading the key back.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Arc<str>);

impl ApiKey {
    /// Wraps a key such as `lp_live_…`. Surrounding whitespace (a trailing
    /// newline from a key file) is dropped.
    pub fn new(key: impl AsRef<str>) -> Self {
        Self(Arc::from(key.as_ref().trim()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// The secret that signs the session cookie. Every instance behind one load
/// balancer must share it, or a browser's states are unknown to the others.
#[derive(Clone)]
pub struct CookieSecret(Key);

/// Minimum secret length, imposed by the HMAC key the cookie crate derives.
pub const COOKIE_SECRET_MIN_BYTES: usize = 64;

impl CookieSecret {
    /// A secret of at least [`COOKIE_SECRET_MIN_BYTES`] bytes
    /// (`openssl rand -hex 32` prints 64).
    pub fn new(secret: &[u8]) -> Result<Self, ConfigError> {
        Key::try_from(secret)
            .map(Self)
            .map_err(|_| ConfigError::CookieSecretTooShort { len: secret.len() })
    }

    /// A random secret, valid for this process only.
    pub fn generate() -> Self {
        Self(Key::generate())
    }

    pub(crate) fn key(&self) -> &Key {
        &self.0
    }
}

impl fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CookieSecret(<redacted>)")
    }
}

/// When the session cookie carries the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecureCookies {
    /// Secure when the request came over https: its URI scheme, an
    /// `X-Forwarded-Proto: https` from a TLS terminator, or an https `Origin`.
    #[default]
    Auto,
    /// Always `Secure` (recommended in production behind TLS).
    Always,
    /// Never `Secure` (plain-http development only).
    Never,
}

/// What the authorization hook sees of the request: the partner's own headers
/// and extensions (where its auth middleware put the signed-in user), and the
/// proxy's session id. The Layers key is not in here.
pub struct RequestContext<'a> {
    pub(crate) headers: &'a HeaderMap,
    pub(crate) extensions: &'a Extensions,
    pub(crate) session_id: &'a str,
}

impl RequestContext<'_> {
    /// The incoming request's headers, including the partner's own auth cookie.
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// The incoming request's extensions (e.g. a user inserted by the partner's middleware).
    pub fn extensions(&self) -> &Extensions {
        self.extensions
    }

    /// The proxy's browser-session id (from its signed cookie; new if absent).
    pub fn session_id(&self) -> &str {
        self.session_id
    }
}

/// Decides whether the current user may act on a project (mint and list accounts).
pub type ProjectAuthorizer = Arc<dyn Fn(&RequestContext<'_>, &str) -> bool + Send + Sync>;

/// How many authorize URLs one browser session may mint per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MintLimit {
    /// Mints allowed per window.
    pub max: u32,
    /// Sliding window length.
    pub window: Duration,
}

impl Default for MintLimit {
    fn default() -> Self {
        Self {
            max: 10,
            window: Duration::from_secs(10 * 60),
        }
    }
}

/// The Layers API base URL, checked: http(s) with a host, and nothing a
/// forwarder must not carry or publish. Credentials (`https://user:pw@…`) would
/// be sent as Basic auth next to the key and shown wherever the base is shown;
/// a query or fragment has no meaning for a base and would be dropped or glued
/// onto every call. Each of those is refused with [`ConfigError::UpstreamBase`].
///
/// The path is normalised: `https://api.layers.com`, `…/` and `…/v1/` all mean
/// `https://api.layers.com/`.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamBase(Url);

impl UpstreamBase {
    /// Checks and normalises `url`.
    pub fn new(url: Url) -> Result<Self, ConfigError> {
        let refuse = |reason: &'static str| Err(ConfigError::UpstreamBase { reason });
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return refuse("it must be an absolute http(s) URL with a host");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("it must not contain credentials (user:password@); the API key is the only credential sent");
        }
        if url.query().is_some() {
            return refuse("it must not contain a query (?…)");
        }
        if url.fragment().is_some() {
            return refuse("it must not contain a fragment (#…)");
        }
        Ok(Self(normalize_base(url)))
    }

    /// The normalised base (ends with `/`, no `/v1`).
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// `scheme://host[:port]`: what may be shown to a browser about the upstream.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl TryFrom<Url> for UpstreamBase {
    type Error = ConfigError;
    fn try_from(url: Url) -> Result<Self, ConfigError> {
        Self::new(url)
    }
}

impl std::str::FromStr for UpstreamBase {
    type Err = ConfigError;
    fn from_str(raw: &str) -> Result<Self, ConfigError> {
        let url = Url::parse(raw.trim()).map_err(|_| ConfigError::UpstreamBase {
            reason: "it is not an absolute URL",
        })?;
        Self::new(url)
    }
}

impl fmt::Display for UpstreamBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for UpstreamBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UpstreamBase({:?})", self.0.as_str())
    }
}

/// Everything [`crate::router`] needs. Build with [`Config::new`] and the
/// chained setters; every setter is infallible, fallible parsing happens in
/// the argument types ([`Url`], [`CookieSecret`]).
#[derive(Clone)]
pub struct Config {
    pub(crate) api_base: Url,
    pub(crate) api_key: ApiKey,
    pub(crate) cookie_secret: CookieSecret,
    pub(crate) cookie_secret_generated: bool,
    pub(crate) secure_cookies: SecureCookies,
    pub(crate) cookie_path: Option<String>,
    pub(crate) allowed_origins: HashSet<String>,
    pub(crate) allow_requests_without_origin: bool,
    pub(crate) return_urls: ReturnUrlAllowlist,
    pub(crate) authorize_urls: AuthorizeUrlPolicy,
    pub(crate) authorize_project: ProjectAuthorizer,
    pub(crate) mint_limit: MintLimit,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) state_max_age: Duration,
    pub(crate) webhook_secret: Option<WebhookSecret>,
    pub(crate) webhook_tolerance: Duration,
    pub(crate) max_event_streams: usize,
    pub(crate) event_heartbeat: Duration,
    #[cfg(feature = "redis")]
    pub(crate) redis: Option<redis::Client>,
}

impl Config {
    /// A proxy to the Layers API at `api_base` (e.g. `https://api.layers.com`;
    /// a trailing `/v1` is accepted and dropped; see [`UpstreamBase`] for what
    /// is refused) using `api_key`.
    ///
    /// Defaults: a per-process cookie secret (set [`Config::cookie_secret`] for
    /// more than one instance), no project authorized, no return URL allowed,
    /// only same-origin browser callers, 10 mints per 10 minutes per session,
    /// 5 s connect and 15 s total upstream timeouts.
    pub fn new(api_base: UpstreamBase, api_key: ApiKey) -> Self {
        Self {
            api_base: api_base.0,
            api_key,
            cookie_secret: CookieSecret::generate(),
            cookie_secret_generated: true,
            secure_cookies: SecureCookies::Auto,
            cookie_path: None,
            allowed_origins: HashSet::new(),
            allow_requests_without_origin: false,
            return_urls: ReturnUrlAllowlist::default(),
            authorize_urls: AuthorizeUrlPolicy::default(),
            authorize_project: Arc::new(|_, _| false),
            mint_limit: MintLimit::default(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            body_timeout: DEFAULT_BODY_TIMEOUT,
            state_max_age: crate::session::DEFAULT_STATE_MAX_AGE,
            webhook_secret: None,
            webhook_tolerance: DEFAULT_WEBHOOK_TOLERANCE,
            max_event_streams: DEFAULT_MAX_EVENT_STREAMS,
            event_heartbeat: DEFAULT_EVENT_HEARTBEAT,
            #[cfg(feature = "redis")]
            redis: None,
        }
    }

    /// The secret that signs the session cookie; share it across instances.
    pub fn cookie_secret(mut self, secret: CookieSecret) -> Self {
        self.cookie_secret = secret;
        self.cookie_secret_generated = false;
        self
    }

    /// When the session cookie is `Secure` (default [`SecureCookies::Auto`]).
    pub fn secure_cookies(mut self, mode: SecureCookies) -> Self {
        self.secure_cookies = mode;
        self
    }

    /// The session cookie's `Path`. Default: the prefix the router is nested
    /// under (e.g. `/api/layers`), read from the request. Set it when a reverse
    /// proxy in front rewrites paths.
    pub fn cookie_path(mut self, path: impl Into<String>) -> Self {
        self.cookie_path = Some(path.into());
        self
    }

    /// Trusts POSTs whose `Origin` is this URL's origin (scheme, host, port),
    /// for pages served from another origin than the proxy, and for browsers
    /// that do not send `Sec-Fetch-Site`.
    pub fn allowed_origin(mut self, origin: &Url) -> Self {
        self.allowed_origins
            .insert(origin.origin().ascii_serialization());
        self
    }

    /// Accepts POSTs that carry neither `Origin` nor `Sec-Fetch-Site`, i.e.
    /// non-browser clients. Default `false`: every browser sends one of them,
    /// so a request without both is not the widget.
    pub fn allow_requests_without_origin(mut self, allow: bool) -> Self {
        self.allow_requests_without_origin = allow;
        self
    }

    /// Adds a `returnUrl` the widget may ask for (scheme, host, port and path
    /// must match exactly; query and fragment are free).
    pub fn allow_return_url(mut self, url: Url) -> Self {
        self.return_urls.push(url);
        self
    }

    /// Also accepts mint answers whose `authorizeUrl` is on this URL's origin
    /// (scheme, host, port). By default only https URLs on the platforms' hosts
    /// ([`crate::PLATFORM_AUTHORIZE_HOSTS`]) come down; anything else is
    /// `502 UPSTREAM_INVALID`. Add the Layers sandbox's origin when the proxy
    /// talks to it: the sandbox serves its consent pages itself.
    pub fn allow_authorize_origin(mut self, origin: &Url) -> Self {
        self.authorize_urls
            .extra_origins
            .insert(origin.origin().ascii_serialization());
        self
    }

    /// The authorization hook: `true` if the current user may connect accounts
    /// to (and list the accounts of) `project_id`. Others get 404 NOT_FOUND.
    pub fn authorize_project(
        mut self,
        hook: impl Fn(&RequestContext<'_>, &str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.authorize_project = Arc::new(hook);
        self
    }

    /// Shorthand hook: the same fixed set of projects for every user.
    pub fn allow_projects<I, S>(self, projects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let projects: HashSet<String> = projects.into_iter().map(Into::into).collect();
        self.authorize_project(move |_, project| projects.contains(project))
    }

    /// Per-session mint limit (default 10 per 10 minutes).
    pub fn mint_limit(mut self, limit: MintLimit) -> Self {
        self.mint_limit = limit;
        self
    }

    /// Upstream connect timeout and total (whole request) timeout.
    pub fn timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.connect_timeout = connect;
        self.timeout = total;
        self
    }

    /// How long a mint body may take to arrive, from the end of its headers
    /// (default 10 s). A body still incomplete then is answered
    /// `408 REQUEST_TIMEOUT` and its connection closed: a mint body is a few
    /// hundred bytes, and a client trickling or stalling it only holds a
    /// connection. (Header-read and idle timeouts belong to the server the
    /// router runs in; see `docs/proxy.md`.)
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// How long after a mint its state cookie is honoured (default 15 min,
    /// [`crate::DEFAULT_STATE_MAX_AGE`]; Layers' states live 10). The cookie
    /// carries its signed issue time, so a replayed old cookie polls 404 like
    /// an unknown state, whatever `Max-Age` the client kept.
    pub fn state_max_age(mut self, max_age: Duration) -> Self {
        self.state_max_age = max_age;
        self
    }

    /// Enables `POST {prefix}/webhooks/layers` with the secret Layers signs
    /// its webhooks with (`whsec_…`; Standard Webhooks is our assumption, see
    /// `docs/proxy.md`). Without it that route answers 404.
    pub fn webhook_secret(mut self, secret: WebhookSecret) -> Self {
        self.webhook_secret = Some(secret);
        self
    }

    /// How far a webhook's `webhook-timestamp` may be from now, either way
    /// (default 5 minutes, the Standard Webhooks default). Ids are remembered
    /// for twice this, to refuse replays.
    pub fn webhook_tolerance(mut self, tolerance: Duration) -> Self {
        self.webhook_tolerance = tolerance;
        self
    }

    /// Outcome streams (`GET {prefix}/social/oauth-events/{state}`) open at
    /// once in this process; one more is answered 503 `STREAMS_EXHAUSTED`
    /// (the widget then just polls). Default [`DEFAULT_MAX_EVENT_STREAMS`].
    pub fn max_event_streams(mut self, max: usize) -> Self {
        self.max_event_streams = max;
        self
    }

    /// Interval of the outcome stream's heartbeat comment (default 15 s).
    pub fn event_heartbeat(mut self, interval: Duration) -> Self {
        self.event_heartbeat = interval;
        self
    }

    /// Shares nudges, webhook replay ids and mint counts with every instance
    /// using the same Redis (`redis://host:6379/0`, `rediss://…`). Connects in
    /// the background when the router is built (inside a tokio runtime); while
    /// Redis is away each instance falls back to its own memory.
    #[cfg(feature = "redis")]
    pub fn redis_url(mut self, url: &str) -> Result<Self, ConfigError> {
        let client = redis::Client::open(url.trim()).map_err(|_| ConfigError::RedisUrl)?;
        self.redis = Some(client);
        Ok(self)
    }

    /// The upstream base URL, normalized to end with `/` and without `/v1`.
    pub fn api_base(&self) -> &Url {
        &self.api_base
    }

    /// Whether the cookie secret was generated for this process only.
    pub fn cookie_secret_is_generated(&self) -> bool {
        self.cookie_secret_generated
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_base", &self.api_base.as_str())
            .field("api_key", &self.api_key)
            .field("cookie_secret", &self.cookie_secret)
            .field("cookie_secret_generated", &self.cookie_secret_generated)
            .field("secure_cookies", &self.secure_cookies)
            .field("cookie_path", &self.cookie_path)
            .field("allowed_origins", &self.allowed_origins)
            .field(
                "allow_requests_without_origin",
                &self.allow_requests_without_origin,
            )
            .field("return_urls", &self.return_urls)
            .field("authorize_urls", &self.authorize_urls)
            .field("authorize_project", &"<hook>")
            .field("mint_limit", &self.mint_limit)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("body_timeout", &self.body_timeout)
            .field("state_max_age", &self.state_max_age)
            .field("webhook_secret", &self.webhook_secret)
            .field("webhook_tolerance", &self.webhook_tolerance)
            .field("max_event_streams", &self.max_event_streams)
            .field("event_heartbeat", &self.event_heartbeat)
            .finish_non_exhaustive()
    }
}

/// [`Config::body_timeout`]'s default.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// `https://api.layers.com`, `https://api.layers.com/` and
/// `https://api.layers.com/v1/` all mean the same base.
fn normalize_base(mut base: Url) -> Url {
    let path = base.path().trim_end_matches('/');
    let path = path.strip_suffix("/v1").unwrap_or(path).to_owned();
    base.set_path(&format!("{path}/"));
    base
}

/// Why a configuration was refused. Messages never contain secret values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The cookie secret is shorter than [`COOKIE_SECRET_MIN_BYTES`].
    CookieSecretTooShort {
        /// Its actual length.
        len: usize,
    },
    /// The Layers base URL is not usable (see [`UpstreamBase`]).
    UpstreamBase {
        /// Why, without echoing the URL (it may hold credentials).
        reason: &'static str,
    },
    /// The webhook signing secret is not `whsec_<base64>` (see [`WebhookSecret`]).
    WebhookSecret {
        /// Why, without echoing the secret.
        reason: &'static str,
    },
    /// The Redis URL does not parse (`redis://host:port/db`); not echoed, it may hold a password.
    RedisUrl,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CookieSecretTooShort { len } => write!(
                f,
                "the cookie secret must be at least {COOKIE_SECRET_MIN_BYTES} bytes (got {len}); \
                 generate one with `openssl rand -hex 32`"
            ),
            Self::UpstreamBase { reason } => {
                write!(f, "the Layers API base URL is refused: {reason}")
            }
            Self::WebhookSecret { reason } => {
                write!(f, "the Layers webhook secret is refused: {reason}")
            }
            Self::RedisUrl => f.write_str(
                "the Redis URL is refused: it must look like redis://host:6379/0 (or rediss://, redis+unix://)",
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(
            "https://api.layers.com".parse().unwrap(),
            ApiKey::new("lp_live_SECRET\n"),
        )
    }

    #[test]
    fn debug_never_shows_the_key_or_the_cookie_secret() {
        let secret = "s".repeat(64);
        let config = config().cookie_secret(CookieSecret::new(secret.as_bytes()).unwrap());
        let shown = format!("{config:?} {config:#?}");
        assert!(!shown.contains("lp_live_SECRET"), "{shown}");
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn key_is_trimmed() {
        assert_eq!(config().api_key.expose(), "lp_live_SECRET");
    }

    #[test]
    fn base_is_normalized() {
        for raw in [
            "https://api.layers.com",
            "https://api.layers.com/",
            "https://api.layers.com/v1",
            "https://api.layers.com/v1/",
        ] {
            let config = Config::new(raw.parse().unwrap(), ApiKey::new("k"));
            assert_eq!(
                config.api_base().as_str(),
                "https://api.layers.com/",
                "{raw}"
            );
        }
        let config = Config::new(
            "http://gw.local/layers/v1".parse().unwrap(),
            ApiKey::new("k"),
        );
        assert_eq!(config.api_base().as_str(), "http://gw.local/layers/");
    }

    #[test]
    fn base_with_credentials_query_or_fragment_is_refused_without_echoing_it() {
        for raw in [
            "https://user:hunter2@api.layers.com",
            "https://hunter2@api.layers.com/",
            "https://api.layers.com/?token=hunter2",
            "https://api.layers.com/?",
            "https://api.layers.com/#hunter2",
            "ftp://api.layers.com/",
            "not a url hunter2",
        ] {
            let err = raw.parse::<UpstreamBase>().unwrap_err();
            assert!(matches!(err, ConfigError::UpstreamBase { .. }), "{raw}");
            assert!(!err.to_string().contains("hunter2"), "{raw}: {err}");
        }
        let base: UpstreamBase = "https://api.layers.com:8443/v1".parse().unwrap();
        assert_eq!(base.origin(), "https://api.layers.com:8443");
    }

    #[test]
    fn short_cookie_secret_is_refused_without_echoing_it() {
        let err = CookieSecret::new(b"too-short").unwrap_err();
        assert_eq!(err, ConfigError::CookieSecretTooShort { len: 9 });
        assert!(!err.to_string().contains("too-short"));
    }

    #[test]
    fn secure_defaults() {
        let config = config();
        assert!(config.cookie_secret_is_generated());
        assert!(config.allowed_origins.is_empty());
        assert!(!config.allow_requests_without_origin);
        let headers = HeaderMap::new();
        let extensions = Extensions::new();
        let cx = RequestContext {
            headers: &headers,
            extensions: &extensions,
            session_id: "s",
        };
        assert!(
            !(config.authorize_project)(&cx, "prj_demo"),
            "no project is authorized by default"
        );
        let config = config.allow_projects(["prj_demo"]);
        assert!((config.authorize_project)(&cx, "prj_demo"));
        assert!(!(config.authorize_project)(&cx, "prj_demo_2"));
    }

    #[test]
    fn allowed_origin_keeps_only_the_origin() {
        let config =
            config().allowed_origin(&Url::parse("https://App.Example.com:443/dash?x").unwrap());
        assert!(config.allowed_origins.contains("https://app.example.com"));
    }
}
