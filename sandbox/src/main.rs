//! `layers-sandbox`: serve the Layers emulator on 127.0.0.1 for the demo and manual testing.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use layers_sandbox::{Config, Fixtures};
use url::Url;

/// A local emulator of the Layers social OAuth API (oauth-url, oauth-status,
/// social-accounts), with consent pages and /_sandbox controls. Binds 127.0.0.1 only.
#[derive(Debug, Parser)]
#[command(name = "layers-sandbox", version)]
struct Args {
    /// Port to listen on (always on 127.0.0.1).
    #[arg(long, default_value_t = 8081)]
    port: u16,
    /// Lifetime of a minted state, in seconds.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    state_ttl_secs: u64,
    /// Read requests (oauth-status, social-accounts) per key per window.
    #[arg(long, default_value_t = 600)]
    read_budget: u32,
    /// Write requests (oauth-url) per key per window.
    #[arg(long, default_value_t = 60)]
    write_budget: u32,
    /// Length of a rate-limit window, in seconds.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    budget_window_secs: u64,
    /// Organizations, projects and keys from a JSON file instead of the demo fixtures.
    #[arg(long, value_name = "PATH")]
    fixtures: Option<PathBuf>,
    /// Base URL to hand out in authorizeUrl and avatarUrl (default: http://127.0.0.1:PORT/).
    #[arg(long, value_name = "URL")]
    public_url: Option<Url>,
    /// Polls of one state allowed back to back before 429 (token bucket capacity; 0 = no per-state budget).
    #[arg(long, default_value_t = 3)]
    state_poll_burst: u32,
    /// Seconds for one spent poll of a state to come back.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    state_poll_refill_secs: u64,
    /// Browser origin allowed to drive /_sandbox/* (repeatable), e.g. http://127.0.0.1:8080.
    /// Without it only the sandbox's own pages and requests without an Origin (curl) may.
    #[arg(long, value_name = "ORIGIN", value_parser = origin)]
    control_origin: Vec<Url>,
    /// Send `social_account.connected` here when a state completes (needs --webhook-secret),
    /// e.g. http://127.0.0.1:8080/api/layers/webhooks/layers.
    #[arg(long, value_name = "URL", value_parser = webhook_url)]
    webhook_url: Option<Url>,
    /// Secret that signs the webhooks (Standard Webhooks, `whsec_<base64>`); the receiver verifies with it.
    #[arg(long, value_name = "whsec_…", value_parser = layers_sandbox::WebhookSecret::new, env = "LAYERS_SANDBOX_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<layers_sandbox::WebhookSecret>,
    /// Attempts per webhook (the first included), with exponential backoff from 1 s.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10))]
    webhook_max_attempts: u32,
    #[command(subcommand)]
    command: Option<Command>,
}

/// An origin flag: `http(s)://host[:port]`, nothing after it.
fn origin(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("not an absolute URL ({e})"))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || !bare {
        return Err(
            "expected an origin like http://127.0.0.1:8080 (scheme, host, port only)".into(),
        );
    }
    Ok(url)
}

fn webhook_url(raw: &str) -> Result<Url, String> {
    Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| "expected an absolute http(s) URL".into())
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Check your own proxy against a running sandbox (docs/check-proxy.md).
    CheckProxy(layers_sandbox::check_proxy::CliArgs),
}

/// `layers-sandbox check-proxy …`: run the kit, print its report, exit 1 on any FAIL.
async fn check_proxy(args: layers_sandbox::check_proxy::CliArgs) -> std::process::ExitCode {
    let options = match args.into_options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("layers-sandbox check-proxy: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let report = layers_sandbox::check_proxy::run(options).await;
    print!("{report}");
    std::process::ExitCode::from(report.exit_code())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    if let Some(Command::CheckProxy(check)) = args.command {
        return check_proxy(check).await;
    }

    let fixtures = match &args.fixtures {
        Some(path) => match Fixtures::from_file(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("layers-sandbox: {}: {e}", path.display());
                return std::process::ExitCode::FAILURE;
            }
        },
        None => Fixtures::demo(),
    };
    let config = Config {
        fixtures,
        state_ttl: Duration::from_secs(args.state_ttl_secs),
        read_budget: args.read_budget,
        write_budget: args.write_budget,
        budget_window: Duration::from_secs(args.budget_window_secs),
        public_base: args.public_url,
        state_poll_burst: args.state_poll_burst,
        state_poll_refill: Duration::from_secs(args.state_poll_refill_secs),
        control_origins: args.control_origin,
        webhook: match (args.webhook_url, args.webhook_secret) {
            (Some(url), Some(secret)) => Some(layers_sandbox::WebhookTarget { url, secret }),
            (None, None) => None,
            _ => {
                eprintln!("layers-sandbox: --webhook-url and --webhook-secret go together");
                return std::process::ExitCode::FAILURE;
            }
        },
        webhook_retry: layers_sandbox::WebhookRetry {
            max_attempts: args.webhook_max_attempts,
            ..Default::default()
        },
    };
    let key_lines: Vec<String> = config
        .fixtures
        .keys
        .iter()
        .map(|k| {
            format!(
                "  {:<20} {:<10} {}",
                k.id,
                k.organization,
                k.scopes.join(" ")
            )
        })
        .collect();

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let running = match layers_sandbox::spawn(config, addr).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("layers-sandbox: cannot listen on {addr}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Key ids only: secrets stay out of terminals and logs (they are in docs/sandbox.md).
    println!("Layers sandbox listening on {}", running.url());
    println!(
        "API keys (id, organization, scopes):\n{}",
        key_lines.join("\n")
    );
    println!(
        "Controls: {}_sandbox/  (see docs/sandbox.md)",
        running.url()
    );

    shutdown_signal().await;
    println!("layers-sandbox: shutting down");
    running.shutdown().await;
    std::process::ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
