//! What N instances share so they behave as one: the nudge fan-out, the
//! webhook replay guard and the mint counts. Without Redis (the default, or a
//! build without the `redis` feature) every answer here is "not shared" and
//! the callers keep their in-memory behaviour for a single instance.
//!
//! Every shared call may fail (Redis gone, slow); the callers then fall back
//! to their local state, so Redis is an improvement, never a dependency.

use std::time::Duration;

use crate::config::MintLimit;
use crate::hub::{Hub, Signal};

#[derive(Clone, Default)]
pub(crate) struct Backplane {
    #[cfg(feature = "redis")]
    link: Option<std::sync::Arc<crate::redis_link::RedisLink>>,
}

impl Backplane {
    /// Connects to Redis in the background (when configured), delivering other
    /// instances' signals to `hub`.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) fn start(config: &crate::config::Config, hub: &Hub) -> Self {
        #[cfg(feature = "redis")]
        if let Some(client) = &config.redis {
            return Self {
                link: crate::redis_link::RedisLink::start(client.clone(), hub.clone()),
            };
        }
        Self::default()
    }

    /// Sends `signal` to this instance's streams at once and to the other
    /// instances' through Redis (in the background; a lost publish only costs
    /// those widgets their next scheduled poll).
    pub(crate) fn publish(&self, hub: &Hub, signal: Signal) {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            link.publish(&signal);
        }
        hub.deliver_local(signal);
    }

    /// `Some(true)` if no instance saw webhook `id` within `keep`, `Some(false)`
    /// if one did, `None` when not shared (or Redis is unavailable).
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) async fn first_sighting(&self, id: &str, keep: Duration) -> Option<bool> {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            return link.first_sighting(id, keep).await;
        }
        None
    }

    /// The shared mint count's verdict for `session` (as
    /// [`crate::mint_limit::MintLimiter::try_acquire`]), `None` when not shared.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) async fn try_mint(
        &self,
        session: &str,
        limit: MintLimit,
    ) -> Option<Result<(), Duration>> {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            return link.try_mint(session, limit).await;
        }
        None
    }
}
