//! The demo server around [`layers_proxy::router`]: its settings (read from
//! the environment by the `layers-demo` binary) and the app that serves the
//! demo pages, the widget bundle, `/healthz` and the proxy at `/api/layers`,
//! in front of the real Layers API or an embedded Layers sandbox.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::extract::Request;
use axum::routing::{any, get};
use axum::{Json, Router};
use layers_proxy::{Config, CookieSecret, MintLimit};
use layers_proxy_server::run::healthz;
use layers_proxy_server::settings::{parse_or, Lookup, ProxySettings, SettingsError};
use url::Url;

pub use layers_proxy_server::PROXY_PREFIX;
pub use static_files::StaticFiles;

mod static_files;
/// The sandbox key the demo uses when no Layers API is configured.
pub const SANDBOX_KEY: &str = "lp_test_demo";
/// The project the demo's user may connect.
pub const DEMO_PROJECT: &str = "prj_demo";

/// Which Layers the proxy talks to.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// The real API (or any compatible one): `LAYERS_API_BASE` + the key.
    Remote(layers_proxy_server::settings::Upstream),
    /// Neither set: an in-process sandbox on its own loopback port.
    Sandbox,
}

/// The binary's settings. See `docs/proxy.md` for each variable.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `PORT` (default 8080); the demo always binds 127.0.0.1.
    pub port: u16,
    /// `LAYERS_API_BASE` + `LAYERS_API_KEY` / `LAYERS_API_KEY_FILE`, or the sandbox.
    pub upstream: Upstream,
    /// `LAYERS_SANDBOX_PORT` (default 0: any free port): the embedded
    /// sandbox's loopback port, for a firewall rule or a second tool.
    pub sandbox_port: u16,
    /// `LAYERS_PROXY_COOKIE_SECRET` (at least 64 bytes); generated if absent.
    pub cookie_secret: Option<CookieSecret>,
    /// `LAYERS_PROXY_WWW_DIR` (default `./www`): the demo pages.
    pub www_dir: PathBuf,
    /// `LAYERS_PROXY_DIST_DIR` (default `./dist`): the built widget.
    pub dist_dir: PathBuf,
    /// `LAYERS_PROXY_CONNECT_TIMEOUT_MS` (default 5000).
    pub connect_timeout: Duration,
    /// `LAYERS_PROXY_TIMEOUT_MS` (default 15000).
    pub timeout: Duration,
    /// `LAYERS_PROXY_MINT_LIMIT` (default 10) per `LAYERS_PROXY_MINT_WINDOW_SECONDS` (default 600).
    pub mint_limit: MintLimit,
    /// `LAYERS_PROXY_PROJECTS` (comma-separated, default `prj_demo`).
    pub projects: Vec<String>,
    /// `LAYERS_PROXY_RETURN_URLS` (comma-separated); default the demo's four.
    pub return_urls: Vec<Url>,
    /// `LAYERS_PROXY_ALLOWED_ORIGINS` (comma-separated), added to the demo's own.
    pub allowed_origins: Vec<Url>,
    /// `LAYERS_PROXY_LOG_FORMAT=json` for JSON log lines (filter: `RUST_LOG`).
    pub json_logs: bool,
    /// Header timeout and connection cap of the server loop (shared settings).
    pub connection_limits: layers_proxy_server::serve::ConnectionLimits,
    /// With the embedded sandbox: the secret it signs its webhooks with and
    /// the proxy verifies them with (`LAYERS_WEBHOOK_SECRET`, or generated
    /// per process), so the demo shows the push path. `None` with real Layers.
    pub sandbox_webhook_secret: Option<layers_sandbox::WebhookSecret>,
    shared: ProxySettings,
}

/// A fresh `whsec_` secret: 32 random bytes as 64 hex digits, which are also
/// valid base64 (both sides decode the same text to the same 48-byte key).
fn generate_webhook_secret() -> String {
    format!(
        "whsec_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Reads settings through `get` (tests pass a map instead of the environment):
    /// the proxy's shared settings with the demo's defaults, and the demo's own.
    pub fn from_lookup(get: Lookup<'_>) -> Result<Self, SettingsError> {
        let mut shared = ProxySettings::from_lookup(get)?;
        let port = shared.port;
        let sandbox_webhook_secret = match shared.upstream {
            Some(_) => None,
            None => {
                let text = get("LAYERS_WEBHOOK_SECRET").unwrap_or_else(generate_webhook_secret);
                let invalid = |e: String| SettingsError(format!("LAYERS_WEBHOOK_SECRET: {e}"));
                shared.webhook_secret = Some(
                    layers_proxy::WebhookSecret::new(&text).map_err(|e| invalid(e.to_string()))?,
                );
                Some(layers_sandbox::WebhookSecret::new(&text).map_err(invalid)?)
            }
        };
        let loopback = [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ];
        let default_return_urls = loopback
            .iter()
            .flat_map(|origin| [format!("{origin}/return.html"), format!("{origin}/")])
            .map(|raw| Url::parse(&raw).expect("loopback URLs parse"))
            .collect();
        let mut allowed_origins: Vec<Url> = loopback
            .iter()
            .map(|raw| Url::parse(raw).expect("loopback URLs parse"))
            .collect();
        allowed_origins.extend(shared.allowed_origins.iter().cloned());

        Ok(Self {
            port,
            upstream: shared
                .upstream
                .clone()
                .map_or(Upstream::Sandbox, Upstream::Remote),
            sandbox_port: parse_or(get, "LAYERS_SANDBOX_PORT", 0)?,
            cookie_secret: shared.cookie_secret.clone(),
            www_dir: get("LAYERS_PROXY_WWW_DIR")
                .map_or_else(|| PathBuf::from("./www"), PathBuf::from),
            dist_dir: get("LAYERS_PROXY_DIST_DIR")
                .map_or_else(|| PathBuf::from("./dist"), PathBuf::from),
            connect_timeout: shared.connect_timeout,
            timeout: shared.timeout,
            mint_limit: shared.mint_limit,
            projects: shared
                .projects
                .clone()
                .unwrap_or_else(|| vec![DEMO_PROJECT.to_owned()]),
            return_urls: shared.return_urls.clone().unwrap_or(default_return_urls),
            allowed_origins,
            json_logs: shared.json_logs,
            connection_limits: shared.connection_limits,
            sandbox_webhook_secret,
            shared,
        })
    }

    /// The proxy configuration for `upstream`.
    pub fn proxy_config(&self, upstream: &layers_proxy_server::settings::Upstream) -> Config {
        self.shared.proxy_config(
            upstream,
            &self.projects,
            &self.return_urls,
            &self.allowed_origins,
        )
    }

    /// `http://127.0.0.1:{port}/`, where the demo page is served.
    pub fn page_url(&self) -> Url {
        Url::parse(&format!("http://127.0.0.1:{}/", self.port)).expect("loopback URLs parse")
    }
}

/// The embedded sandbox's configuration: its demo fixtures, with every key's
/// return URL allowlist set to the demo's own (so a non-default `PORT` works),
/// and the demo's origins allowed to drive its controls (the sandbox panel).
pub fn sandbox_config(settings: &Settings) -> layers_sandbox::Config {
    let mut config = layers_sandbox::Config::default();
    for key in &mut config.fixtures.keys {
        key.return_url_allowlist = settings.return_urls.clone();
    }
    for origin in &settings.allowed_origins {
        config = config.control_origin(origin);
    }
    if let Some(secret) = &settings.sandbox_webhook_secret {
        // Its own proxy's webhook route: consent → webhook → nudge → the widget's stream.
        let receiver = settings
            .page_url()
            .join(&format!(
                "{}/webhooks/layers",
                PROXY_PREFIX.trim_start_matches('/')
            ))
            .expect("a relative path joins");
        config = config.webhook(receiver, secret.clone());
    }
    config
}

/// What the demo page is told about its upstream at `/demo-config.json`:
/// where the sandbox is, so its control panel can drive it. Never the key.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    /// The embedded sandbox's base URL, when there is one.
    pub sandbox_url: Option<String>,
    /// The origin (`scheme://host[:port]`) of the Layers API the proxy talks to.
    pub upstream: Option<String>,
}

impl DemoInfo {
    /// What the page may know: the sandbox URL if embedded, and only the
    /// origin of the Layers base (its path is nobody's business, and a base
    /// never holds credentials or a query: [`layers_proxy::UpstreamBase`]).
    pub fn new(sandbox_url: Option<&Url>, upstream: &layers_proxy::UpstreamBase) -> Self {
        Self {
            sandbox_url: sandbox_url.map(Url::to_string),
            upstream: Some(upstream.origin()),
        }
    }
}

/// The demo app: `/healthz`, `/demo-config.json`, the proxy at
/// [`PROXY_PREFIX`], the widget bundle at `/dist/` and the demo pages at `/`.
/// Missing folders answer a 404 that says what is missing instead of failing
/// to start.
pub fn app(proxy: Router, www_dir: &Path, dist_dir: &Path, info: DemoInfo) -> Router {
    let www_hint = format!(
        "Not found in the demo pages folder {}. Run layers-demo from the repository root or set LAYERS_PROXY_WWW_DIR.\n",
        www_dir.display()
    );
    let dist_hint = format!(
        "Not found in the widget bundle folder {}. The widget may not be built yet (npm start builds it), \
         or set LAYERS_PROXY_DIST_DIR.\n",
        dist_dir.display()
    );
    let www = StaticFiles::new(www_dir, www_hint);
    let dist = StaticFiles::new(dist_dir, dist_hint);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/demo-config.json", get(move || async move { Json(info) }))
        .nest(PROXY_PREFIX, proxy)
        .nest_service(
            "/dist",
            any(move |request: Request| async move { dist.respond(&request) }),
        )
        .fallback(move |request: Request| async move { www.respond(&request) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use layers_proxy::ApiKey;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(&|name| map.get(name).cloned())
    }

    #[test]
    fn the_embedded_sandbox_delivers_webhooks_to_its_own_proxy() {
        let s = settings(&[("PORT", "9090")]).unwrap();
        let config = sandbox_config(&s);
        let target = config.webhook.expect("a webhook target");
        assert_eq!(
            target.url.as_str(),
            "http://127.0.0.1:9090/api/layers/webhooks/layers"
        );
        assert_eq!(Some(&target.secret), s.sandbox_webhook_secret.as_ref());
        assert!(
            s.shared.webhook_secret.is_some(),
            "the proxy verifies with the same secret"
        );
        // Generated per process: two starts, two secrets.
        assert_ne!(
            settings(&[]).unwrap().sandbox_webhook_secret,
            s.sandbox_webhook_secret
        );
        // A given secret is used as is; a bad one stops the start.
        let given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let s = settings(&[("LAYERS_WEBHOOK_SECRET", given)]).unwrap();
        assert_eq!(
            s.sandbox_webhook_secret,
            Some(layers_sandbox::WebhookSecret::new(given).unwrap())
        );
        assert!(settings(&[("LAYERS_WEBHOOK_SECRET", "nope")]).is_err());
        assert!(!format!("{s:?}").contains("MfKQ"));
        // Against real Layers the demo sends nothing of its own.
        let remote = settings(&[
            ("LAYERS_API_BASE", "https://api.layers.com"),
            ("LAYERS_API_KEY", "lp_live_x"),
        ])
        .unwrap();
        assert!(remote.sandbox_webhook_secret.is_none());
    }

    #[test]
    fn defaults_use_the_sandbox() {
        let s = settings(&[]).unwrap();
        assert!(matches!(s.upstream, Upstream::Sandbox));
        assert_eq!(s.port, 8080);
        assert_eq!(s.sandbox_port, 0, "any free port");
        assert_eq!(s.www_dir, PathBuf::from("./www"));
        assert_eq!(s.dist_dir, PathBuf::from("./dist"));
        assert_eq!(s.connect_timeout, Duration::from_secs(5));
        assert_eq!(s.timeout, Duration::from_secs(15));
        assert_eq!(s.mint_limit, MintLimit::default());
        assert_eq!(s.projects, ["prj_demo"]);
        let urls: Vec<&str> = s.return_urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:8080/return.html",
                "http://127.0.0.1:8080/",
                "http://localhost:8080/return.html",
                "http://localhost:8080/"
            ]
        );
        assert!(s.cookie_secret.is_none());
    }

    #[test]
    fn port_moves_the_demo_urls() {
        let s = settings(&[("PORT", "9090")]).unwrap();
        assert_eq!(s.page_url().as_str(), "http://127.0.0.1:9090/");
        assert!(s.return_urls.iter().all(|u| u.port() == Some(9090)));
        assert!(settings(&[("PORT", "http")]).is_err());
    }

    #[test]
    fn base_and_key_go_together() {
        let one = settings(&[("LAYERS_API_BASE", "https://api.layers.com")]).unwrap_err();
        assert!(one.to_string().contains("LAYERS_API_KEY"), "{one}");
        let other = settings(&[("LAYERS_API_KEY", "lp_live_SECRET")]).unwrap_err();
        assert!(other.to_string().contains("LAYERS_API_BASE"), "{other}");
        assert!(!other.to_string().contains("lp_live_SECRET"));
        let both = settings(&[
            ("LAYERS_API_BASE", "https://api.layers.com"),
            ("LAYERS_API_KEY", "lp_live_SECRET"),
        ])
        .unwrap();
        let Upstream::Remote(remote) = both.upstream else {
            panic!("remote expected")
        };
        assert_eq!(remote.base.to_string(), "https://api.layers.com/");
        assert!(remote.key == ApiKey::new("lp_live_SECRET"));
        let bad = settings(&[
            ("LAYERS_API_BASE", "api.layers.com"),
            ("LAYERS_API_KEY", "k"),
        ])
        .unwrap_err();
        assert!(bad.to_string().contains("LAYERS_API_BASE"));
    }

    #[test]
    fn key_file_is_read_and_trimmed_and_never_echoed() {
        let path = std::env::temp_dir().join(format!("layers-demo-key-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, "lp_live_FROMFILE\n").unwrap();
        let file = path.to_str().unwrap();
        let s = settings(&[
            ("LAYERS_API_BASE", "https://api.layers.com"),
            ("LAYERS_API_KEY_FILE", file),
        ])
        .unwrap();
        let Upstream::Remote(remote) = &s.upstream else {
            panic!("remote expected")
        };
        assert!(remote.key == ApiKey::new("lp_live_FROMFILE"));
        assert!(!format!("{s:?}").contains("lp_live_FROMFILE"));
        let twice = settings(&[
            ("LAYERS_API_BASE", "https://api.layers.com"),
            ("LAYERS_API_KEY", "k"),
            ("LAYERS_API_KEY_FILE", file),
        ]);
        assert!(twice.is_err());
        std::fs::remove_file(&path).unwrap();
        let missing = settings(&[
            ("LAYERS_API_BASE", "https://api.layers.com"),
            ("LAYERS_API_KEY_FILE", file),
        ])
        .unwrap_err();
        assert!(missing.to_string().contains("cannot read"));
    }

    #[test]
    fn cookie_secret_must_be_long() {
        assert!(settings(&[("LAYERS_PROXY_COOKIE_SECRET", "short")]).is_err());
        let long = "a".repeat(64);
        assert!(settings(&[("LAYERS_PROXY_COOKIE_SECRET", &long)])
            .unwrap()
            .cookie_secret
            .is_some());
    }

    #[test]
    fn lists_are_comma_separated() {
        let s = settings(&[
            ("LAYERS_PROXY_PROJECTS", "prj_a, prj_b,"),
            ("LAYERS_PROXY_RETURN_URLS", "https://app.example.com/return"),
            ("LAYERS_PROXY_ALLOWED_ORIGINS", "https://app.example.com"),
            ("LAYERS_PROXY_MINT_LIMIT", "3"),
            ("LAYERS_PROXY_MINT_WINDOW_SECONDS", "60"),
            ("LAYERS_PROXY_TIMEOUT_MS", "250"),
        ])
        .unwrap();
        assert_eq!(s.projects, ["prj_a", "prj_b"]);
        assert_eq!(s.return_urls.len(), 1);
        assert_eq!(s.allowed_origins.len(), 3);
        assert_eq!(
            s.mint_limit,
            MintLimit {
                max: 3,
                window: Duration::from_secs(60)
            }
        );
        assert_eq!(s.timeout, Duration::from_millis(250));
        assert!(settings(&[("LAYERS_PROXY_RETURN_URLS", "/relative")]).is_err());
    }

    #[test]
    fn demo_config_publishes_the_upstream_origin_only() {
        let base: layers_proxy::UpstreamBase =
            "https://gw.example.com:8443/layers/v1".parse().unwrap();
        let info = DemoInfo::new(None, &base);
        assert_eq!(
            info.upstream.as_deref(),
            Some("https://gw.example.com:8443")
        );
        assert!(info.sandbox_url.is_none());
    }

    #[test]
    fn sandbox_port_is_a_setting() {
        assert_eq!(
            settings(&[("LAYERS_SANDBOX_PORT", "8181")])
                .unwrap()
                .sandbox_port,
            8181
        );
        let err = settings(&[("LAYERS_SANDBOX_PORT", "eighty")]).unwrap_err();
        assert!(err.to_string().contains("LAYERS_SANDBOX_PORT"), "{err}");
    }
}
