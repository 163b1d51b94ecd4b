//! Refuses a webhook id seen before, for as long as its timestamp could still
//! pass the tolerance check (after that the timestamp check refuses it anyway).
//! This instance's memory; with Redis the check also runs there (SET NX EX),
//! so an id delivered to instance A is refused by instance B.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Ids remembered at most; beyond it the oldest is forgotten first. Only a
/// holder of the signing secret can make ids, so this bounds memory against a
/// misbehaving sender, not an attacker.
const MAX_IDS: usize = 100_000;

#[derive(Debug)]
pub(crate) struct ReplayGuard {
    keep: Duration,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    ids: HashSet<String>,
    /// Insertion order; `keep` is constant, so this is also expiry order.
    order: VecDeque<(Instant, String)>,
}

impl ReplayGuard {
    /// Remembers each id for `keep` (twice the timestamp tolerance: a sender's
    /// clock may be ahead or behind by the tolerance).
    pub(crate) fn new(keep: Duration) -> Self {
        Self {
            keep,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// `true` the first time `id` is seen (within `keep`), `false` for a replay.
    pub(crate) fn first_sighting(&self, id: &str, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((at, _)) = seen.order.front() {
            if now.duration_since(*at) < self.keep && seen.order.len() < MAX_IDS {
                break;
            }
            let (_, old) = seen.order.pop_front().expect("front exists");
            seen.ids.remove(&old);
        }
        if !seen.ids.insert(id.to_owned()) {
            return false;
        }
        seen.order.push_back((now, id.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_passes_once_within_its_window() {
        let guard = ReplayGuard::new(Duration::from_secs(600));
        let t0 = Instant::now();
        assert!(guard.first_sighting("msg_1", t0));
        assert!(!guard.first_sighting("msg_1", t0 + Duration::from_secs(599)));
        assert!(guard.first_sighting("msg_2", t0 + Duration::from_secs(1)));
        // Past the window the timestamp check refuses it; the guard may forget it.
        assert!(guard.first_sighting("msg_1", t0 + Duration::from_secs(601)));
    }

    #[test]
    fn memory_stays_bounded() {
        let guard = ReplayGuard::new(Duration::from_secs(600));
        let t0 = Instant::now();
        for i in 0..MAX_IDS + 10 {
            assert!(guard.first_sighting(&format!("msg_{i}"), t0));
        }
        let seen = guard.seen.lock().unwrap();
        assert!(seen.ids.len() <= MAX_IDS && seen.order.len() == seen.ids.len());
    }
}
