//! Per-state poll budget: our reading of the spec's "oauth-status is rate-limited
//! and poll-budget-tight … do not poll faster than ~once every 5s".
//!
//! Each state has a token bucket: it starts full (`burst` tokens), every poll
//! spends one, and one token comes back per `refill`. A client at the 5 s floor
//! never runs dry; one that polls faster gets a short burst, then 429 with the
//! whole seconds until the next token. Sans-IO: callers pass `now`.

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;

/// How tight the budget is. `burst == 0` switches it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PollRule {
    /// Bucket capacity: polls allowed back to back.
    pub burst: u32,
    /// Time for one token to come back (at least 1 s; see the settings checks).
    pub refill: Duration,
}

impl PollRule {
    pub(crate) fn is_off(self) -> bool {
        self.burst == 0
    }
}

/// One state's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    /// When the token being refilled started to refill (the last time the
    /// bucket was full or gained a token).
    since: OffsetDateTime,
}

impl Bucket {
    fn full(rule: PollRule, now: OffsetDateTime) -> Self {
        Self {
            tokens: rule.burst,
            since: now,
        }
    }

    /// Credits the tokens earned since `since`, capped at `burst`.
    fn refill(&mut self, rule: PollRule, now: OffsetDateTime) {
        let refill_ns = rule.refill.as_nanos().max(1);
        // A clock moved backwards earns nothing (and takes nothing away).
        let elapsed_ns = u128::try_from((now - self.since).whole_nanoseconds()).unwrap_or(0);
        let earned = elapsed_ns / refill_ns;
        if earned > 0 {
            let tokens = (u128::from(self.tokens) + earned).min(u128::from(rule.burst));
            self.tokens = tokens as u32;
            let step = Duration::from_nanos((earned * refill_ns).min(u64::MAX as u128) as u64);
            self.since += step;
        }
        if self.tokens >= rule.burst {
            // Time spent full earns nothing: the next token starts refilling now.
            self.tokens = rule.burst;
            self.since = now;
        }
    }

    /// Whole seconds until the next token, rounded up, at least 1.
    fn seconds_to_next_token(&self, rule: PollRule, now: OffsetDateTime) -> u64 {
        let refill_ns = rule.refill.as_nanos();
        let elapsed_ns = u128::try_from((now - self.since).whole_nanoseconds()).unwrap_or(0);
        let remaining_ns = refill_ns.saturating_sub(elapsed_ns);
        let secs = remaining_ns.div_ceil(1_000_000_000);
        (secs.max(1)).min(u128::from(u64::MAX)) as u64
    }
}

/// Every state's bucket. Only states that exist get one, so the map is bounded
/// by the attempts the sandbox holds.
#[derive(Debug, Default)]
pub(crate) struct PollBudgets {
    buckets: HashMap<String, Bucket>,
}

impl PollBudgets {
    /// Spends one poll of `state`, or returns the whole seconds until a token.
    pub(crate) fn spend(
        &mut self,
        state: &str,
        rule: PollRule,
        now: OffsetDateTime,
    ) -> Result<(), u64> {
        if rule.is_off() {
            return Ok(());
        }
        let bucket = self
            .buckets
            .entry(state.to_owned())
            .or_insert_with(|| Bucket::full(rule, now));
        bucket.refill(rule, now);
        if bucket.tokens == 0 {
            return Err(bucket.seconds_to_next_token(rule, now));
        }
        bucket.tokens -= 1;
        Ok(())
    }

    /// Every bucket full again (reset, or a changed rule).
    pub(crate) fn clear(&mut self) {
        self.buckets.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    const RULE: PollRule = PollRule {
        burst: 3,
        refill: Duration::from_secs(5),
    };

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_burst_of_three_then_seconds_to_the_next_token() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        for _ in 0..3 {
            assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        }
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(5));
        clock.advance(ms(1_200));
        // 3.8 s left rounds up to 4.
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(4));
        clock.advance(ms(3_799));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(1));
        clock.advance(ms(1));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(5));
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        let rule = PollRule {
            burst: 1,
            refill: Duration::from_secs(1),
        };
        b.spend("st_a", rule, clock.now()).unwrap();
        clock.advance(ms(999));
        assert_eq!(b.spend("st_a", rule, clock.now()), Err(1));
    }

    #[test]
    fn refills_one_token_per_interval_up_to_the_burst_only() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        for _ in 0..3 {
            b.spend("st_a", RULE, clock.now()).unwrap();
        }
        // Ten minutes idle still earns only three tokens.
        clock.advance(Duration::from_secs(600));
        for _ in 0..3 {
            assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        }
        assert!(b.spend("st_a", RULE, clock.now()).is_err());
        // Two intervals and a bit: two tokens, and the bit counts towards the third.
        clock.advance(ms(12_000));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(3));
    }

    #[test]
    fn time_spent_full_earns_nothing() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        b.spend("st_a", RULE, clock.now()).unwrap(); // 2 left
                                                     // Full again after 5 s; the 57 s after that must not count towards
                                                     // the next token (else it would be due in 3 s, not 5).
        clock.advance(ms(62_000));
        for _ in 0..3 {
            b.spend("st_a", RULE, clock.now()).unwrap();
        }
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(5));
    }

    /// The widget's worst case (src/flow/policy.rs): a poll, a reload that
    /// polls again at once, the one early confirmation 250 ms later, then the
    /// 5 s floor for the rest of the consent window.
    fn widget_worst_case(b: &mut PollBudgets, clock: &ManualClock) -> Result<(), u64> {
        b.spend("st_a", RULE, clock.now())?;
        clock.advance(ms(500));
        b.spend("st_a", RULE, clock.now())?;
        clock.advance(ms(250));
        b.spend("st_a", RULE, clock.now())?;
        for _ in 0..120 {
            clock.advance(ms(5_000));
            b.spend("st_a", RULE, clock.now())?;
        }
        Ok(())
    }

    #[test]
    fn the_widget_cadence_never_runs_dry() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        assert_eq!(widget_worst_case(&mut b, &clock), Ok(()));
    }

    #[test]
    fn one_extra_poll_more_than_the_widget_sends_is_refused() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        widget_worst_case(&mut b, &clock).unwrap();
        // The two extra polls are never earned back at exactly the floor.
        clock.advance(ms(250));
        assert!(b.spend("st_a", RULE, clock.now()).is_err());
    }

    #[test]
    fn polling_every_second_is_refused_after_the_burst() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        let answers: Vec<bool> = (0..10)
            .map(|_| {
                let ok = b.spend("st_a", RULE, clock.now()).is_ok();
                clock.advance(ms(1_000));
                ok
            })
            .collect();
        // t=0,1,2 from the burst; t=3,4 refused; t=5 earns one; then 1 in 5.
        assert_eq!(
            answers,
            [true, true, true, false, false, true, false, false, false, false]
        );
    }

    #[test]
    fn states_have_their_own_buckets() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        for _ in 0..3 {
            b.spend("st_a", RULE, clock.now()).unwrap();
        }
        assert!(b.spend("st_a", RULE, clock.now()).is_err());
        assert_eq!(b.spend("st_b", RULE, clock.now()), Ok(()));
    }

    #[test]
    fn clear_refills_and_zero_burst_is_off() {
        let clock = ManualClock::default();
        let mut b = PollBudgets::default();
        for _ in 0..3 {
            b.spend("st_a", RULE, clock.now()).unwrap();
        }
        b.clear();
        assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
        let off = PollRule { burst: 0, ..RULE };
        for _ in 0..1_000 {
            assert_eq!(b.spend("st_a", off, clock.now()), Ok(()));
        }
    }

    #[test]
    fn a_clock_moved_backwards_earns_nothing() {
        let clock = ManualClock::default();
        let start = clock.now();
        let mut b = PollBudgets::default();
        for _ in 0..3 {
            b.spend("st_a", RULE, clock.now()).unwrap();
        }
        clock.set(start - Duration::from_secs(60));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Err(5));
        clock.set(start + Duration::from_secs(5));
        assert_eq!(b.spend("st_a", RULE, clock.now()), Ok(()));
    }
}
