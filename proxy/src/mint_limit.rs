//! Per-session mint limiter: one browser (a runaway widget, a user hammering
//! the button) cannot spend the partner's whole Layers write budget.
//!
//! Known limits, by design: this count lives in this instance's memory, so N
//! instances without sticky sessions and without Redis allow up to N times the
//! limit (with `Config::redis_url` the count is kept in Redis, see
//! `redis_link`, and this one is the fallback while Redis is away); and a
//! client that drops its cookie starts a new session with a fresh count (and
//! loses its states). It is a guard against accidents, not against a determined
//! abuser; that needs a limit keyed by the partner's own user, at its edge.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::MintLimit;

/// Sessions tracked before stale ones are swept, bounding memory.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub(crate) struct MintLimiter {
    limit: MintLimit,
    sessions: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl MintLimiter {
    pub(crate) fn new(limit: MintLimit) -> Self {
        Self {
            limit,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one mint for `session`, or says how long until one is allowed.
    pub(crate) fn try_acquire(&self, session: &str, now: Instant) -> Result<(), Duration> {
        let window = self.limit.window;
        let mut sessions = self
            .sessions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if sessions.len() >= SWEEP_AT && !sessions.contains_key(session) {
            sessions.retain(|_, mints| {
                mints
                    .back()
                    .is_some_and(|last| now.duration_since(*last) < window)
            });
            if sessions.len() >= SWEEP_AT {
                // Memory is bounded even under a flood of fresh sessions; the
                // price is that the flood resets everyone's count.
                sessions.clear();
            }
        }
        let mints = sessions.entry(session.to_owned()).or_default();
        while mints
            .front()
            .is_some_and(|first| now.duration_since(*first) >= window)
        {
            mints.pop_front();
        }
        if mints.len() >= self.limit.max as usize {
            let oldest = *mints
                .front()
                .expect("limit reached means at least one mint");
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        mints.push_back(now);
        Ok(())
    }
}

/// Whole seconds for `Retry-After`, rounded up and never 0.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> MintLimiter {
        MintLimiter::new(MintLimit {
            max: 3,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn allows_max_per_window_then_says_when() {
        let limiter = limiter();
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(limiter
                .try_acquire("a", t0 + Duration::from_secs(i))
                .is_ok());
        }
        let wait = limiter
            .try_acquire("a", t0 + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert_eq!(retry_after_secs(wait), 50);
        // Another session has its own count.
        assert!(limiter
            .try_acquire("b", t0 + Duration::from_secs(10))
            .is_ok());
        // The window slides: the first mint leaves at t0+60.
        assert!(limiter
            .try_acquire("a", t0 + Duration::from_secs(60))
            .is_ok());
        assert!(limiter
            .try_acquire("a", t0 + Duration::from_secs(60))
            .is_err());
    }

    #[test]
    fn refused_attempts_do_not_count() {
        let limiter = limiter();
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.try_acquire("a", t0).unwrap();
        }
        for _ in 0..100 {
            assert!(limiter
                .try_acquire("a", t0 + Duration::from_secs(30))
                .is_err());
        }
        assert!(limiter
            .try_acquire("a", t0 + Duration::from_secs(60))
            .is_ok());
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = limiter();
        let t0 = Instant::now();
        for i in 0..SWEEP_AT * 2 {
            limiter.try_acquire(&format!("s{i}"), t0).unwrap();
        }
        assert!(limiter.sessions.lock().unwrap().len() <= SWEEP_AT);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
    }
}
