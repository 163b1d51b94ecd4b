//! The Redis side of the [`crate::backplane`] (feature `redis`).
//!
//! - Nudges and ends: published on one channel, each with this instance's id
//!   so an instance skips its own (it delivered them locally already).
//! - Replays: `SET {prefix}webhook:{id} 1 NX PX keep`.
//! - Mint counts: a sorted-set sliding log per session, in one Lua script so
//!   two instances cannot both take the last mint.
//!
//! Failure model: every command has a short deadline; a failure answers
//! `None` (the caller falls back to local state) and logs one warning per
//! outage, not one per request. The subscriber reconnects with exponential
//! backoff; a `ConnectionManager` reconnects the command connection itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::config::MintLimit;
use crate::hub::{Hub, Signal};

/// Keys and the channel live under this prefix.
const PREFIX: &str = "layers_proxy:";
const CHANNEL: &str = "layers_proxy:signals";
/// A command slower than this counts as Redis being away for this request.
const COMMAND_DEADLINE: Duration = Duration::from_millis(500);
/// After a failed command, requests skip Redis this long (one then tries
/// again), so an unreachable Redis costs one request a deadline per second,
/// not every request.
const COOL_OFF: Duration = Duration::from_secs(1);
const BACKOFF_FIRST: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Sliding log: drop what left the window, refuse at the limit (answering the
/// milliseconds until the oldest leaves), else record this mint. -1 = allowed.
const MINT_SCRIPT: &str = r"
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + tonumber(ARGV[2]) - tonumber(ARGV[1])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return -1
";

pub(crate) struct RedisLink {
    instance: String,
    commands: Mutex<Option<ConnectionManager>>,
    degraded: AtomicBool,
    /// Commands are not tried before this instant (see [`COOL_OFF`]).
    skip_until: Mutex<Option<Instant>>,
    mint_script: redis::Script,
}

impl RedisLink {
    /// Starts the subscriber and the command connection in the background.
    /// `None` (with an error logged) outside a tokio runtime.
    pub(crate) fn start(client: redis::Client, hub: Hub) -> Option<Arc<Self>> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!("layers-proxy: Redis configured but the router was built outside a tokio runtime; running as a single instance");
            return None;
        };
        let link = Arc::new(Self {
            instance: uuid::Uuid::new_v4().simple().to_string(),
            commands: Mutex::new(None),
            degraded: AtomicBool::new(false),
            skip_until: Mutex::new(None),
            mint_script: redis::Script::new(MINT_SCRIPT),
        });
        runtime.spawn(connect_commands(Arc::downgrade(&link), client.clone()));
        runtime.spawn(subscribe(Arc::downgrade(&link), client, hub));
        Some(link)
    }

    /// The command connection, unless there is none yet or Redis failed
    /// within the cool-off (skipping does not extend the cool-off).
    fn connection(&self) -> Option<ConnectionManager> {
        let mut skip = self.skip_until.lock().unwrap_or_else(|p| p.into_inner());
        if skip.is_some_and(|until| Instant::now() < until) {
            return None;
        }
        *skip = None;
        drop(skip);
        self.commands
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs one command with the deadline; `None` on any failure.
    async fn run<T: redis::FromRedisValue>(&self, what: &str, command: redis::Cmd) -> Option<T> {
        // Not connected yet (the connect task warns) or cooling off: local state.
        let Some(mut connection) = self.connection() else {
            return None;
        };
        match tokio::time::timeout(COMMAND_DEADLINE, command.query_async::<T>(&mut connection))
            .await
        {
            Ok(Ok(value)) => {
                self.came_back();
                Some(value)
            }
            Ok(Err(error)) => {
                self.went_away(what, &error.to_string());
                None
            }
            Err(_) => {
                self.went_away(what, "timed out");
                None
            }
        }
    }

    fn went_away(&self, what: &str, why: &str) {
        *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + COOL_OFF);
        if !self.degraded.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                what,
                why,
                "layers-proxy: Redis unavailable; falling back to this instance's memory \
                 (mint limit counted locally, other instances' nudges missed, widgets keep polling)"
            );
        }
    }

    fn came_back(&self) {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::info!("layers-proxy: Redis is back; shared state resumed");
        }
    }

    pub(crate) fn publish(self: &Arc<Self>, signal: &Signal) {
        let message = signal.to_wire(&self.instance).to_string();
        let link = Arc::clone(self);
        tokio::spawn(async move {
            let mut command = redis::cmd("PUBLISH");
            command.arg(CHANNEL).arg(message);
            let _: Option<i64> = link.run("publish", command).await;
        });
    }

    pub(crate) async fn first_sighting(&self, id: &str, keep: Duration) -> Option<bool> {
        let mut command = redis::cmd("SET");
        command
            .arg(format!("{PREFIX}webhook:{id}"))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(keep.as_millis().max(1) as u64);
        // `OK` when set (first sighting), nil when the key existed.
        let set: Option<Option<String>> = self.run("replay check", command).await;
        set.map(|reply| reply.is_some())
    }

    pub(crate) async fn try_mint(
        &self,
        session: &str,
        limit: MintLimit,
    ) -> Option<Result<(), Duration>> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let Some(mut connection) = self.connection() else {
            return None;
        };
        let member = format!("{now_ms}-{}", uuid::Uuid::new_v4().simple());
        let mut invocation = self.mint_script.key(format!("{PREFIX}mint:{session}"));
        invocation
            .arg(now_ms)
            .arg(limit.window.as_millis().max(1) as u64)
            .arg(limit.max)
            .arg(member);
        let answer = tokio::time::timeout(
            COMMAND_DEADLINE,
            invocation.invoke_async::<i64>(&mut connection),
        )
        .await;
        match answer {
            Ok(Ok(wait_ms)) => {
                self.came_back();
                Some(if wait_ms < 0 {
                    Ok(())
                } else {
                    Err(Duration::from_millis(wait_ms as u64))
                })
            }
            Ok(Err(error)) => {
                self.went_away("mint count", &error.to_string());
                None
            }
            Err(_) => {
                self.went_away("mint count", "timed out");
                None
            }
        }
    }
}

fn next_backoff(backoff: Duration) -> Duration {
    (backoff * 2).min(BACKOFF_MAX)
}

/// Makes the command connection, retrying with backoff until it exists (the
/// manager then reconnects by itself) or the link is dropped.
async fn connect_commands(link: std::sync::Weak<RedisLink>, client: redis::Client) {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(COMMAND_DEADLINE)
        .set_response_timeout(COMMAND_DEADLINE)
        .set_number_of_retries(1);
    let mut backoff = BACKOFF_FIRST;
    loop {
        let made = ConnectionManager::new_with_config(client.clone(), config.clone()).await;
        let Some(strong) = link.upgrade() else { return };
        match made {
            Ok(manager) => {
                *strong.commands.lock().unwrap_or_else(|p| p.into_inner()) = Some(manager);
                strong.came_back();
                return;
            }
            Err(error) => strong.went_away("connect", &error.to_string()),
        }
        drop(strong);
        tokio::time::sleep(backoff).await;
        backoff = next_backoff(backoff);
    }
}

/// Holds the subscription, handing other instances' signals to `hub`;
/// resubscribes with backoff whenever it drops, until the link is dropped.
async fn subscribe(link: std::sync::Weak<RedisLink>, client: redis::Client, hub: Hub) {
    let mut backoff = BACKOFF_FIRST;
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(CHANNEL).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        let outcome = tokio::time::timeout(COMMAND_DEADLINE * 4, subscribed).await;
        let Some(strong) = link.upgrade() else { return };
        match outcome {
            Ok(Ok(pubsub)) => {
                strong.came_back();
                backoff = BACKOFF_FIRST;
                let instance = strong.instance.clone();
                drop(strong);
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    if link.strong_count() == 0 {
                        return;
                    }
                    let Ok(payload) = message.get_payload::<String>() else {
                        continue;
                    };
                    let Ok(wire) = serde_json::from_str(&payload) else {
                        continue;
                    };
                    match Signal::from_wire(&wire) {
                        Some((signal, origin)) if origin != instance => hub.deliver_local(signal),
                        _ => {}
                    }
                }
                let Some(strong) = link.upgrade() else { return };
                strong.went_away("subscription", "connection closed");
            }
            Ok(Err(error)) => strong.went_away("subscribe", &error.to_string()),
            Err(_) => strong.went_away("subscribe", "timed out"),
        }
        tokio::time::sleep(backoff).await;
        backoff = next_backoff(backoff);
    }
}
