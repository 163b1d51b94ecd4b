//! The environment both servers read (`docs/proxy.md` lists each variable).
//! [`ProxySettings`] is the shared part; [`ServerSettings`] is the standalone
//! server's, which insists on what the demo can default (a Layers API, the
//! projects, the return URLs): against real Layers there is no safe guess.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use layers_proxy::{
    ApiKey, Config, CookieSecret, MintLimit, UpstreamBase, WebhookSecret, DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_EVENT_STREAMS,
};

use crate::serve::ConnectionLimits;
use url::Url;

/// A setting that is missing, contradictory or malformed. The message names
/// the variable and never contains a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// How settings are looked up: the process environment, or a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The real Layers API (or any compatible one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// `LAYERS_API_BASE`, e.g. `https://api.layers.com`: no credentials,
    /// query or fragment (refused at startup).
    pub base: UpstreamBase,
    /// `LAYERS_API_KEY` or the contents of `LAYERS_API_KEY_FILE`.
    pub key: ApiKey,
}

/// The settings both servers read.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    /// `PORT` (default 8080).
    pub port: u16,
    /// `LAYERS_API_BASE` + `LAYERS_API_KEY` / `LAYERS_API_KEY_FILE`; `None` when neither is set.
    pub upstream: Option<Upstream>,
    /// `LAYERS_PROXY_COOKIE_SECRET` (at least 64 bytes); generated if absent.
    pub cookie_secret: Option<CookieSecret>,
    /// `LAYERS_PROXY_CONNECT_TIMEOUT_MS` (default 5000).
    pub connect_timeout: Duration,
    /// `LAYERS_PROXY_TIMEOUT_MS` (default 15000).
    pub timeout: Duration,
    /// `LAYERS_PROXY_STATE_MAX_AGE_SECONDS` (default 900): how long a state
    /// cookie is honoured after its mint.
    pub state_max_age: Duration,
    /// `LAYERS_PROXY_BODY_TIMEOUT_MS` (default 10000): the whole mint body.
    pub body_timeout: Duration,
    /// `LAYERS_PROXY_HEADER_TIMEOUT_MS` (default 10000, also the keep-alive
    /// idle timeout) and `LAYERS_PROXY_MAX_CONNECTIONS` (default 512).
    pub connection_limits: ConnectionLimits,
    /// `LAYERS_PROXY_MINT_LIMIT` (default 10) per `LAYERS_PROXY_MINT_WINDOW_SECONDS` (default 600).
    pub mint_limit: MintLimit,
    /// `LAYERS_PROXY_PROJECTS` (comma-separated), if set.
    pub projects: Option<Vec<String>>,
    /// `LAYERS_PROXY_RETURN_URLS` (comma-separated), if set.
    pub return_urls: Option<Vec<Url>>,
    /// `LAYERS_PROXY_ALLOWED_ORIGINS` (comma-separated).
    pub allowed_origins: Vec<Url>,
    /// `LAYERS_PROXY_AUTHORIZE_ORIGINS` (comma-separated): origins besides the
    /// platforms' hosts a mint's `authorizeUrl` may point to (a Layers sandbox).
    pub authorize_origins: Vec<Url>,
    /// `LAYERS_PROXY_LOG_FORMAT=json` for JSON log lines (filter: `RUST_LOG`).
    pub json_logs: bool,
    /// `LAYERS_WEBHOOK_SECRET` (`whsec_…`): enables `POST /webhooks/layers`.
    pub webhook_secret: Option<WebhookSecret>,
    /// `LAYERS_PROXY_REDIS_URL` (`redis://host:6379/0`): share nudges, webhook
    /// ids and mint counts between instances. Kept as text: it may hold a
    /// password, so `Debug` shows only whether it is set.
    pub redis_url: Option<RedisUrl>,
    /// `LAYERS_PROXY_MAX_EVENT_STREAMS` (default 10000): open outcome streams per process.
    pub max_event_streams: usize,
}

/// `LAYERS_PROXY_REDIS_URL`, checked at startup; `Debug` hides it (it may hold a password).
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(String);

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisUrl(<redacted>)")
    }
}

impl ProxySettings {
    /// Reads the shared settings through `get`.
    pub fn from_lookup(get: Lookup<'_>) -> Result<Self, SettingsError> {
        let millis = |name, default| parse_or(get, name, default).map(Duration::from_millis);
        let cookie_secret = get("LAYERS_PROXY_COOKIE_SECRET")
            .map(|secret| {
                CookieSecret::new(secret.trim().as_bytes())
                    .map_err(|e| SettingsError(format!("LAYERS_PROXY_COOKIE_SECRET: {e}")))
            })
            .transpose()?;
        Ok(Self {
            port: parse_or(get, "PORT", 8080)?,
            upstream: upstream(get)?,
            cookie_secret,
            connect_timeout: millis("LAYERS_PROXY_CONNECT_TIMEOUT_MS", 5_000)?,
            timeout: millis("LAYERS_PROXY_TIMEOUT_MS", 15_000)?,
            body_timeout: millis(
                "LAYERS_PROXY_BODY_TIMEOUT_MS",
                DEFAULT_BODY_TIMEOUT.as_millis() as u64,
            )?,
            connection_limits: connection_limits(get)?,
            state_max_age: Duration::from_secs(parse_or(
                get,
                "LAYERS_PROXY_STATE_MAX_AGE_SECONDS",
                layers_proxy::DEFAULT_STATE_MAX_AGE.as_secs(),
            )?),
            mint_limit: MintLimit {
                max: parse_or(get, "LAYERS_PROXY_MINT_LIMIT", 10)?,
                window: Duration::from_secs(parse_or(
                    get,
                    "LAYERS_PROXY_MINT_WINDOW_SECONDS",
                    600,
                )?),
            },
            projects: list(get, "LAYERS_PROXY_PROJECTS"),
            return_urls: urls(get, "LAYERS_PROXY_RETURN_URLS")?,
            allowed_origins: urls(get, "LAYERS_PROXY_ALLOWED_ORIGINS")?.unwrap_or_default(),
            authorize_origins: urls(get, "LAYERS_PROXY_AUTHORIZE_ORIGINS")?.unwrap_or_default(),
            json_logs: get("LAYERS_PROXY_LOG_FORMAT")
                .is_some_and(|f| f.eq_ignore_ascii_case("json")),
            webhook_secret: get("LAYERS_WEBHOOK_SECRET")
                .map(|secret| {
                    WebhookSecret::new(&secret)
                        .map_err(|e| SettingsError(format!("LAYERS_WEBHOOK_SECRET: {e}")))
                })
                .transpose()?,
            redis_url: get("LAYERS_PROXY_REDIS_URL")
                .filter(|url| !url.trim().is_empty())
                .map(|url| {
                    // Checked here so a typo stops the start, not the first request.
                    Config::new(
                        "https://api.layers.com".parse().expect("static URL"),
                        ApiKey::new("-"),
                    )
                    .redis_url(&url)
                    .map(|_| RedisUrl(url.trim().to_owned()))
                    .map_err(|e| SettingsError(format!("LAYERS_PROXY_REDIS_URL: {e}")))
                })
                .transpose()?,
            max_event_streams: parse_or(
                get,
                "LAYERS_PROXY_MAX_EVENT_STREAMS",
                DEFAULT_MAX_EVENT_STREAMS,
            )?,
        })
    }

    /// The proxy configuration for `upstream`, authorizing `projects`, allowing
    /// `return_urls` and trusting POSTs from `origins`.
    pub fn proxy_config(
        &self,
        upstream: &Upstream,
        projects: &[String],
        return_urls: &[Url],
        origins: &[Url],
    ) -> Config {
        let mut config = Config::new(upstream.base.clone(), upstream.key.clone())
            .timeouts(self.connect_timeout, self.timeout)
            .body_timeout(self.body_timeout)
            .state_max_age(self.state_max_age)
            .mint_limit(self.mint_limit)
            .allow_projects(projects.to_vec());
        if let Some(secret) = &self.cookie_secret {
            config = config.cookie_secret(secret.clone());
        }
        if let Some(secret) = &self.webhook_secret {
            config = config.webhook_secret(secret.clone());
        }
        if let Some(RedisUrl(url)) = &self.redis_url {
            config = config
                .redis_url(url)
                .expect("checked when the settings were read");
        }
        config = config.max_event_streams(self.max_event_streams);
        for url in return_urls {
            config = config.allow_return_url(url.clone());
        }
        for origin in origins {
            config = config.allowed_origin(origin);
        }
        for origin in &self.authorize_origins {
            config = config.allow_authorize_origin(origin);
        }
        config
    }
}

/// The standalone server's settings: the shared ones, with an upstream,
/// projects and return URLs required, and where to listen.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// The shared settings.
    pub proxy: ProxySettings,
    /// The Layers API to forward to.
    pub upstream: Upstream,
    /// `LAYERS_PROXY_PROJECTS` (required).
    pub projects: Vec<String>,
    /// `LAYERS_PROXY_RETURN_URLS` (required).
    pub return_urls: Vec<Url>,
    /// `LAYERS_PROXY_BIND` (default 127.0.0.1): the address to listen on, with `PORT`.
    pub bind: IpAddr,
    /// `LAYERS_PROXY_WORKERS` (default unset: one multi-threaded runtime):
    /// worker threads, each a single-threaded runtime with its own
    /// `SO_REUSEPORT` listener (`crate::workers`).
    pub workers: Option<usize>,
}

impl ServerSettings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `get`.
    pub fn from_lookup(get: Lookup<'_>) -> Result<Self, SettingsError> {
        let proxy = ProxySettings::from_lookup(get)?;
        let upstream = proxy.upstream.clone().ok_or_else(|| {
            SettingsError(
                "LAYERS_API_BASE and LAYERS_API_KEY (or LAYERS_API_KEY_FILE) are required \
                 (the demo server `layers-demo` runs without them, on the embedded sandbox)"
                    .to_owned(),
            )
        })?;
        let required = |what: &str| {
            SettingsError(format!(
                "{what} is required: a proxy in front of real Layers has no safe default"
            ))
        };
        let projects = proxy
            .projects
            .clone()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                required("LAYERS_PROXY_PROJECTS (the projects your users may connect)")
            })?;
        let return_urls = proxy
            .return_urls
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| required("LAYERS_PROXY_RETURN_URLS (your return page URLs)"))?;
        Ok(Self {
            upstream,
            projects,
            return_urls,
            bind: parse_or(get, "LAYERS_PROXY_BIND", IpAddr::V4(Ipv4Addr::LOCALHOST))?,
            workers: workers(get)?,
            proxy,
        })
    }

    /// The proxy configuration these settings describe.
    pub fn proxy_config(&self) -> Config {
        self.proxy.proxy_config(
            &self.upstream,
            &self.projects,
            &self.return_urls,
            &self.proxy.allowed_origins,
        )
    }

    /// Where to listen.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.proxy.port)
    }
}

fn workers(get: Lookup<'_>) -> Result<Option<usize>, SettingsError> {
    if get("LAYERS_PROXY_WORKERS").is_none() {
        return Ok(None);
    }
    let workers = parse_or(get, "LAYERS_PROXY_WORKERS", 0usize)?;
    if !(1..=1024).contains(&workers) {
        return Err(SettingsError(
            "LAYERS_PROXY_WORKERS must be between 1 and 1024".to_owned(),
        ));
    }
    Ok(Some(workers))
}

fn connection_limits(get: Lookup<'_>) -> Result<ConnectionLimits, SettingsError> {
    let defaults = ConnectionLimits::default();
    let header_ms = parse_or(
        get,
        "LAYERS_PROXY_HEADER_TIMEOUT_MS",
        defaults.header_timeout.as_millis() as u64,
    )?;
    let max_connections = parse_or(
        get,
        "LAYERS_PROXY_MAX_CONNECTIONS",
        defaults.max_connections,
    )?;
    if header_ms == 0 || max_connections == 0 {
        return Err(SettingsError(
            "LAYERS_PROXY_HEADER_TIMEOUT_MS and LAYERS_PROXY_MAX_CONNECTIONS must be above 0"
                .to_owned(),
        ));
    }
    Ok(ConnectionLimits {
        header_timeout: Duration::from_millis(header_ms),
        max_connections,
    })
}

/// `name` parsed as a `T`, or `default` when unset.
pub fn parse_or<T: std::str::FromStr>(
    get: Lookup<'_>,
    name: &str,
    default: T,
) -> Result<T, SettingsError>
where
    T::Err: fmt::Display,
{
    match get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| SettingsError(format!("{name}: {raw:?} is not valid ({e})"))),
    }
}

fn list(get: Lookup<'_>, name: &str) -> Option<Vec<String>> {
    get(name).map(|raw| {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn urls(get: Lookup<'_>, name: &str) -> Result<Option<Vec<Url>>, SettingsError> {
    list(get, name)
        .map(|items| {
            items
                .iter()
                .map(|raw| {
                    Url::parse(raw).map_err(|e| {
                        SettingsError(format!("{name}: {raw:?} is not an absolute URL ({e})"))
                    })
                })
                .collect()
        })
        .transpose()
}

/// Both `LAYERS_API_BASE` and a key, or neither. One alone is a mistake worth
/// stopping for: silently using the sandbox would look like it works.
fn upstream(get: Lookup<'_>) -> Result<Option<Upstream>, SettingsError> {
    let invalid = |why: &str| Err(SettingsError(why.to_owned()));
    let base = get("LAYERS_API_BASE");
    let key = match (get("LAYERS_API_KEY"), get("LAYERS_API_KEY_FILE")) {
        (Some(_), Some(_)) => {
            return invalid("set LAYERS_API_KEY or LAYERS_API_KEY_FILE, not both")
        }
        (Some(key), None) => Some(key),
        (None, Some(path)) => Some(std::fs::read_to_string(&path).map_err(|e| {
            SettingsError(format!(
                "LAYERS_API_KEY_FILE: cannot read {path:?}: {}",
                e.kind()
            ))
        })?),
        (None, None) => None,
    };
    match (base, key) {
        (None, None) => Ok(None),
        (Some(_), None) => invalid(
            "LAYERS_API_BASE is set but no key: set LAYERS_API_KEY or LAYERS_API_KEY_FILE too \
             (or neither, for the embedded sandbox)",
        ),
        (None, Some(_)) => invalid(
            "a Layers API key is set but LAYERS_API_BASE is not: set it too, e.g. https://api.layers.com \
             (or neither, for the embedded sandbox)",
        ),
        (Some(base), Some(key)) => {
            // The value is not echoed: it may hold the very credentials being refused.
            let base: UpstreamBase = base
                .parse()
                .map_err(|e| SettingsError(format!("LAYERS_API_BASE: {e}")))?;
            if key.trim().is_empty() {
                return invalid("the Layers API key is empty");
            }
            Ok(Some(Upstream { base, key: ApiKey::new(key) }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn server(pairs: &[(&str, &str)]) -> Result<ServerSettings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ServerSettings::from_lookup(&|name| map.get(name).cloned())
    }

    const REAL: [(&str, &str); 4] = [
        ("LAYERS_API_BASE", "https://api.layers.com"),
        ("LAYERS_API_KEY", "lp_live_SECRET"),
        ("LAYERS_PROXY_PROJECTS", "prj_a,prj_b"),
        ("LAYERS_PROXY_RETURN_URLS", "https://app.example.com/return"),
    ];

    #[test]
    fn webhook_secret_redis_and_stream_cap_are_settings_and_never_shown() {
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = REAL.to_vec();
            pairs.extend_from_slice(extra);
            server(&pairs)
        };
        let plain = with(&[]).unwrap().proxy;
        assert!(plain.webhook_secret.is_none() && plain.redis_url.is_none());
        assert_eq!(
            plain.max_event_streams,
            layers_proxy::DEFAULT_MAX_EVENT_STREAMS
        );
        let set = with(&[
            (
                "LAYERS_WEBHOOK_SECRET",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            ),
            (
                "LAYERS_PROXY_REDIS_URL",
                "redis://:hunter2@127.0.0.1:6379/0",
            ),
            ("LAYERS_PROXY_MAX_EVENT_STREAMS", "50"),
        ])
        .unwrap()
        .proxy;
        assert!(set.webhook_secret.is_some() && set.redis_url.is_some());
        assert_eq!(set.max_event_streams, 50);
        let shown = format!("{set:?}");
        assert!(
            !shown.contains("MfKQ") && !shown.contains("hunter2"),
            "{shown}"
        );

        let bad_secret = with(&[("LAYERS_WEBHOOK_SECRET", "hunter2-not-whsec")])
            .unwrap_err()
            .0;
        assert!(
            bad_secret.contains("LAYERS_WEBHOOK_SECRET") && !bad_secret.contains("hunter2"),
            "{bad_secret}"
        );
        let bad_url = with(&[("LAYERS_PROXY_REDIS_URL", "http://:hunter2@x")])
            .unwrap_err()
            .0;
        assert!(
            bad_url.contains("LAYERS_PROXY_REDIS_URL") && !bad_url.contains("hunter2"),
            "{bad_url}"
        );
        assert!(with(&[("LAYERS_PROXY_MAX_EVENT_STREAMS", "lots")]).is_err());
    }

    #[test]
    fn standalone_needs_layers_projects_and_return_urls() {
        let s = server(&REAL).unwrap();
        assert_eq!(s.upstream.base.to_string(), "https://api.layers.com/");
        assert!(s.upstream.key == ApiKey::new("lp_live_SECRET"));
        assert_eq!(s.projects, ["prj_a", "prj_b"]);
        assert_eq!(s.addr(), "127.0.0.1:8080".parse().unwrap());
        assert!(!format!("{s:?}").contains("lp_live_SECRET"));
        for missing in [
            "LAYERS_API_BASE",
            "LAYERS_PROXY_PROJECTS",
            "LAYERS_PROXY_RETURN_URLS",
        ] {
            let without: Vec<_> = REAL
                .iter()
                .copied()
                .filter(|(k, _)| *k != missing)
                .collect();
            let err = server(&without).unwrap_err().to_string();
            assert!(err.contains(missing), "{missing}: {err}");
            assert!(!err.contains("lp_live_SECRET"));
        }
        let without_key: Vec<_> = REAL[2..].to_vec();
        assert!(server(&without_key)
            .unwrap_err()
            .to_string()
            .contains("layers-demo"));
    }

    #[test]
    fn base_with_credentials_query_or_fragment_stops_startup() {
        for base in [
            "https://user:hunter2@api.layers.com",
            "https://api.layers.com/?key=hunter2",
            "https://api.layers.com/#hunter2",
        ] {
            let mut pairs = REAL.to_vec();
            pairs[0] = ("LAYERS_API_BASE", base);
            let err = server(&pairs).unwrap_err().to_string();
            assert!(err.contains("LAYERS_API_BASE"), "{base}: {err}");
            assert!(!err.contains("hunter2"), "{base}: {err}");
        }
    }

    #[test]
    fn slow_client_limits_have_defaults_and_settings() {
        let s = server(&REAL).unwrap();
        assert_eq!(s.proxy.connection_limits, ConnectionLimits::default());
        assert_eq!(s.proxy.body_timeout, Duration::from_secs(10));
        let mut pairs = REAL.to_vec();
        pairs.extend([
            ("LAYERS_PROXY_HEADER_TIMEOUT_MS", "250"),
            ("LAYERS_PROXY_BODY_TIMEOUT_MS", "300"),
            ("LAYERS_PROXY_MAX_CONNECTIONS", "64"),
        ]);
        let s = server(&pairs).unwrap();
        assert_eq!(
            s.proxy.connection_limits,
            ConnectionLimits {
                header_timeout: Duration::from_millis(250),
                max_connections: 64
            }
        );
        assert_eq!(s.proxy.body_timeout, Duration::from_millis(300));
        assert_eq!(s.proxy.state_max_age, Duration::from_secs(900));
        let mut zero = REAL.to_vec();
        zero.push(("LAYERS_PROXY_MAX_CONNECTIONS", "0"));
        assert!(server(&zero).is_err());
    }

    #[test]
    fn bind_and_port_are_settings() {
        let mut pairs = REAL.to_vec();
        pairs.extend([("LAYERS_PROXY_BIND", "0.0.0.0"), ("PORT", "9000")]);
        assert_eq!(
            server(&pairs).unwrap().addr(),
            "0.0.0.0:9000".parse().unwrap()
        );
        let mut bad = REAL.to_vec();
        bad.push(("LAYERS_PROXY_BIND", "not-an-ip"));
        assert!(server(&bad)
            .unwrap_err()
            .to_string()
            .contains("LAYERS_PROXY_BIND"));
    }

    #[test]
    fn workers_are_off_by_default_and_a_setting() {
        assert_eq!(server(&REAL).unwrap().workers, None);
        let mut pairs = REAL.to_vec();
        pairs.push(("LAYERS_PROXY_WORKERS", "3"));
        assert_eq!(server(&pairs).unwrap().workers, Some(3));
        for bad in ["0", "-1", "two", "5000"] {
            let mut pairs = REAL.to_vec();
            pairs.push(("LAYERS_PROXY_WORKERS", bad));
            let err = server(&pairs).unwrap_err().to_string();
            assert!(err.contains("LAYERS_PROXY_WORKERS"), "{bad}: {err}");
        }
    }
}
