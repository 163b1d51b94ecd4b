//! The sandbox itself: fixtures, a clock, and the mutable world behind one lock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::Router;
use time::OffsetDateTime;
use url::Url;

use crate::attempts::Attempt;
use crate::budget::Budgets;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Fixtures};
use crate::faults::FaultQueue;
use crate::kill_switch::KillSwitch;
use crate::poll_budget::{PollBudgets, PollRule};
use crate::request_log::RequestLog;
use crate::social::SocialAccount;
use crate::{api, controls, platform};

/// A running Layers emulator. Cheap to clone: clones share one world.
#[derive(Clone)]
pub struct Sandbox {
    shared: Arc<Shared>,
}

struct Shared {
    config: Config,
    clock: Arc<dyn Clock>,
    /// Set once by `spawn` from the bound port; used when `config.public_base` is `None`.
    bound_base: OnceLock<Url>,
    world: Mutex<World>,
}

/// Values `/_sandbox/settings` can change at runtime.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub state_ttl: Duration,
    pub read_budget: u32,
    pub write_budget: u32,
    pub budget_window: Duration,
    pub state_poll: PollRule,
    pub webhook: Option<crate::WebhookTarget>,
    pub webhook_retry: crate::WebhookRetry,
}

impl Settings {
    fn from_config(config: &Config) -> Self {
        Self {
            state_ttl: config.state_ttl,
            read_budget: config.read_budget,
            write_budget: config.write_budget,
            budget_window: config.budget_window,
            state_poll: PollRule {
                burst: config.state_poll_burst,
                refill: config.state_poll_refill,
            },
            webhook: config.webhook.clone(),
            webhook_retry: config.webhook_retry,
        }
    }
}

/// What the platform's token exchange will do with an authorization code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exchange {
    Succeeds,
    Rejected,
    /// The exchange works but saving the account fails.
    PersistenceFails,
}

/// A code the consent page issued, redeemable once at the callback.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub state: String,
    pub handle: String,
    pub exchange: Exchange,
}

/// Everything that changes while the sandbox runs; `reset` rebuilds it.
pub(crate) struct World {
    pub settings: Settings,
    pub attempts: HashMap<String, Attempt>,
    pub codes: HashMap<String, AuthCode>,
    pub accounts: Vec<SocialAccount>,
    pub budgets: Budgets,
    pub poll_budgets: PollBudgets,
    pub faults: FaultQueue,
    pub kill_switch: KillSwitch,
    pub requests: RequestLog,
    pub deliveries: crate::webhooks::DeliveryLog,
}

impl World {
    fn new(config: &Config) -> Self {
        Self {
            settings: Settings::from_config(config),
            attempts: HashMap::new(),
            codes: HashMap::new(),
            accounts: Vec::new(),
            budgets: Budgets::default(),
            poll_budgets: PollBudgets::default(),
            faults: FaultQueue::default(),
            kill_switch: KillSwitch::default(),
            requests: RequestLog::default(),
            deliveries: Default::default(),
        }
    }
}

impl Sandbox {
    /// A sandbox on the system clock.
    pub fn new(config: Config) -> Self {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A sandbox on `clock` (tests pass a [`crate::ManualClock`]).
    pub fn with_clock(mut config: Config, clock: Arc<dyn Clock>) -> Self {
        config.public_base = config.public_base.map(with_trailing_slash);
        let world = Mutex::new(World::new(&config));
        Self {
            shared: Arc::new(Shared {
                config,
                clock,
                bound_base: OnceLock::new(),
                world,
            }),
        }
    }

    /// The whole HTTP surface: the `/v1` API, the platform consent pages, the
    /// Layers callback, and the `/_sandbox` controls.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(api::routes(self.clone()))
            .merge(platform::routes())
            .merge(controls::routes(self.clone()))
            .with_state(self.clone())
    }

    pub(crate) fn set_bound_base(&self, url: Url) {
        let _ = self.shared.bound_base.set(url);
    }

    /// Base of every URL the sandbox hands out, ending in `/`.
    pub(crate) fn public_base(&self) -> Url {
        self.shared
            .config
            .public_base
            .clone()
            .or_else(|| self.shared.bound_base.get().cloned())
            .unwrap_or_else(|| Url::parse("http://127.0.0.1:8081/").expect("static URL"))
    }

    pub(crate) fn now(&self) -> OffsetDateTime {
        self.shared.clock.now()
    }

    /// Whether a browser page on `origin` may drive the `/_sandbox` controls:
    /// a configured control origin, or the sandbox's own.
    pub(crate) fn is_control_origin(&self, origin: &Url) -> bool {
        let origin = origin.origin();
        origin == self.public_base().origin()
            || self
                .shared
                .config
                .control_origins
                .iter()
                .any(|allowed| allowed.origin() == origin)
    }

    pub(crate) fn fixtures(&self) -> &Fixtures {
        &self.shared.config.fixtures
    }

    /// The world, locked. Never held across an `.await`.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic elsewhere must not take the sandbox down with it.
        self.shared.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the state right after start: no attempts, accounts, faults,
    /// switches, spent budgets (per key and per state) or logged requests;
    /// settings from the config.
    pub(crate) fn reset(&self) {
        *self.world() = World::new(&self.shared.config);
    }
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}
